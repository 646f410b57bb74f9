"""Reads of the insights: metrics as of any date, the tier-migration matrix, the profitability curve,
roll-ups and disconnection alerts. Every read that lists accounts goes through visible_to(user)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cartera.accounts.models import Account
from cartera.commerce.amounts import from_cents
from cartera.insights import sql
from cartera.insights.models import TIER_ORDER, AccountInsight, TierChange
from cartera.insights.services import current_rules, snapshot_recompute


class _Rollback(Exception):
    pass


def insights_as_of(as_of: dt.date, *, account_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Every snapshot field of every account (or of some) as it would have been computed on `as_of`.

    The snapshot pipeline runs inside a transaction that is rolled back, so a past date gets exactly the
    definitions, classes and segments that today's snapshot uses, and nothing stored changes.
    """
    rows: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            snapshot_recompute(as_of=as_of, record_moves=False)
            queryset = AccountInsight.objects.order_by("account_id")
            if account_ids is not None:
                queryset = queryset.filter(account_id__in=account_ids)
            rows = [dict(row) for row in queryset.values()]
            raise _Rollback
    except _Rollback:
        pass
    return rows


def tiers_as_of(as_of: dt.date) -> dict[int, str]:
    """Each account's loyalty tier as of a date, straight from the facts."""
    with connection.cursor() as cursor:
        cursor.execute(sql.tiers_select(as_of, current_rules()))
        return dict(cursor.fetchall())


def tier_migration_matrix(start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, dict[str, int]]:
    """How many accounts went from each tier on `start` to each tier on `end` (rows: from, columns: to)."""
    before, after = tiers_as_of(start), tiers_as_of(end)
    if user is not None:
        visible = set(Account.objects.visible_to(user).values_list("pk", flat=True))
        before = {pk: tier for pk, tier in before.items() if pk in visible}
    counts = Counter((tier, after.get(pk, tier)) for pk, tier in before.items())
    return {
        origin: {target: counts.get((origin, target), 0) for target in TIER_ORDER} for origin in TIER_ORDER
    }


def tier_moves(start: dt.date, end: dt.date, *, user: Any = None) -> QuerySet[TierChange]:
    """The recorded moves between two dates (inclusive), for the accounts the user may see."""
    moves = TierChange.objects.filter(date__gte=start, date__lte=end)
    if user is not None:
        moves = moves.filter(account__in=Account.objects.visible_to(user).values("pk"))
    return moves


@dataclass(frozen=True)
class CurvePoint:
    """One point of the profitability curve: after the best `accounts_share` of accounts, `profit_share`
    of the total net profit has been made."""

    accounts_share: Decimal
    profit_share: Decimal


def whale_curve(*, user: Any = None, points: int = 100) -> list[CurvePoint]:
    """Accounts ranked by net profit, best first: cumulative profit against cumulative share of accounts.

    The curve rises above 100 % and falls back as loss-making clients destroy part of the profit others
    create. Downsampled to about `points` points.
    """
    profits = list(
        insights_visible_to(user)
        .order_by("-net_profit_12m_cents", "account_id")
        .values_list("net_profit_12m_cents", flat=True)
    )
    total = sum(profits)
    if not profits or total == 0:
        return []
    step = max(1, len(profits) // points)
    curve = [CurvePoint(Decimal(0), Decimal(0))]
    running = 0
    for position, profit in enumerate(profits, start=1):
        running += profit
        if position % step == 0 or position == len(profits):
            curve.append(
                CurvePoint(
                    accounts_share=(Decimal(position) / len(profits)).quantize(Decimal("0.0001")),
                    profit_share=(Decimal(running) / total).quantize(Decimal("0.0001")),
                )
            )
    return curve


def insights_visible_to(user: Any) -> QuerySet[AccountInsight]:
    """The snapshot rows of the accounts `user` may see (all when user is None: system reads)."""
    rows = AccountInsight.objects.all()
    if user is not None:
        rows = rows.filter(account__in=Account.objects.visible_to(user).values("pk"))
    return rows


ROLLUP_KEYS = {
    "company": None,
    "portfolio": "account__portfolio__name",
    "territory": "account__territory__name",
    "segment": "segment__name",
    "tier": "tier",
    "profit_class": "profit_class",
}
MONEY_FIELDS = [
    "revenue_12m",
    "cogs_12m",
    "cost_to_serve_12m",
    "marketing_spend_12m",
    "net_profit_12m",
]


def rollup(by: str, *, user: Any = None) -> list[dict[str, Any]]:
    """Every money metric summed, and accounts counted per tier, per portfolio / territory / segment /
    tier / profit class, or for the whole company."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"rollup by one of {sorted(ROLLUP_KEYS)}")
    rows = insights_visible_to(user)
    aggregates: dict[str, Any] = {f"{name}_cents": Sum(f"{name}_cents") for name in MONEY_FIELDS}
    aggregates["accounts"] = Count("pk")
    aggregates["orders_12m"] = Sum("orders_12m")
    aggregates["disconnected"] = Count("pk", filter=Q(is_disconnected=True))
    for tier in TIER_ORDER:
        aggregates[f"tier_{tier}"] = Count("pk", filter=Q(tier=tier))
    key = ROLLUP_KEYS[by]
    grouped = (
        [rows.aggregate(**aggregates)]
        if key is None
        else list(rows.annotate(group=F(key)).values("group").annotate(**aggregates).order_by("group"))
    )
    result = []
    for row in grouped:
        item = {"group": row.get("group", "company")}
        for name in MONEY_FIELDS:
            item[name] = from_cents(row[f"{name}_cents"])
        item["gross_margin_12m"] = item["revenue_12m"] - item["cogs_12m"]
        item.update({name: row[name] or 0 for name in ["accounts", "orders_12m", "disconnected"]})
        item["tiers"] = {tier: row[f"tier_{tier}"] for tier in TIER_ORDER}
        result.append(item)
    return result


def disconnection_alerts(*, user: Any, only_mine: bool = False) -> QuerySet[AccountInsight]:
    """Accounts gone longer without contact than their segment allows, most overdue first. With
    `only_mine`, only those in the user's portfolios or on whose team the user is responsible. Each row
    carries `owner_id`: the owner of the account's portfolio, else its (first) responsible salesperson."""
    from cartera.coverage.models import AccountTeamMember

    alerts = insights_visible_to(user).filter(is_disconnected=True)
    if only_mine:
        alerts = alerts.filter(
            Q(account__portfolio__owner=user)
            | Q(account__team_members__user=user, account__team_members__role="responsible")
        ).distinct()
    responsible = (
        AccountTeamMember.objects.filter(account=OuterRef("account_id"), role="responsible")
        .order_by("pk")
        .values("user_id")[:1]
    )
    return (
        alerts.annotate(
            owner_id=Coalesce(
                "account__portfolio__owner_id", Subquery(responsible), output_field=BigIntegerField()
            )
        )
        .select_related("account", "segment", "segment__service_model", "account__portfolio__owner")
        .order_by("-days_overdue", "account_id")
    )


@dataclass(frozen=True)
class SegmentFigures:
    """A segment's accounts (those the user may see) and their summed figures, for the comparison
    table; `segment` is None for the accounts no segment holds yet."""

    segment: Any
    accounts: int
    revenue_12m: Decimal
    net_profit_12m: Decimal
    trust_scores: int  # accounts with a trust score, over which the average is taken
    average_trust: Decimal | None
    alerts: int


def _segment_figures(segment: Any, row: dict[str, Any] | None) -> SegmentFigures:
    row = row or {}
    scored = int(row.get("trust_scores") or 0)
    trust_sum = row.get("trust_sum")
    average = (
        (Decimal(str(trust_sum)) / scored).quantize(Decimal("0.0001"))
        if scored and trust_sum is not None
        else None
    )
    return SegmentFigures(
        segment=segment,
        accounts=int(row.get("accounts") or 0),
        revenue_12m=from_cents(int(row.get("revenue_12m_cents") or 0)),
        net_profit_12m=from_cents(int(row.get("net_profit_12m_cents") or 0)),
        trust_scores=scored,
        average_trust=average,
        alerts=int(row.get("alerts") or 0),
    )


def segment_comparison(*, user: Any) -> tuple[list[SegmentFigures], SegmentFigures]:
    """Every segment by priority, with its service model, and the figures of the accounts in it that
    `user` may see (accounts, revenue and net profit over 12 months, average trust score, disconnection
    alerts), followed by a row for unsegmented accounts when there are any; and the total. Two queries:
    one grouped read of the snapshot, one of the segments."""
    from cartera.insights.models import Segment

    grouped = {
        row["segment_id"]: row
        for row in insights_visible_to(user)
        .order_by()
        .values("segment_id")
        .annotate(
            accounts=Count("pk"),
            revenue_12m_cents=Sum("revenue_12m_cents"),
            net_profit_12m_cents=Sum("net_profit_12m_cents"),
            trust_sum=Sum("trust_score"),
            trust_scores=Count("trust_score"),
            alerts=Count("pk", filter=Q(is_disconnected=True)),
        )
    }
    segments = list(Segment.objects.select_related("service_model").order_by("priority", "pk"))
    rows = [_segment_figures(segment, grouped.get(segment.pk)) for segment in segments]
    if grouped.get(None):
        rows.append(_segment_figures(None, grouped[None]))
    totals: dict[str, Any] = {
        key: sum((row[key] or 0) for row in grouped.values())
        for key in ("accounts", "revenue_12m_cents", "net_profit_12m_cents", "trust_scores", "alerts")
    }
    trust_sums = [Decimal(str(row["trust_sum"])) for row in grouped.values() if row["trust_sum"] is not None]
    totals["trust_sum"] = sum(trust_sums) if trust_sums else None
    return rows, _segment_figures(None, totals)


@dataclass(frozen=True)
class SegmentRulePreview:
    """What saving a rule would do, among the accounts the user may see: how many the rule matches,
    how many would really get the segment at its priority (the others go to a segment evaluated
    earlier), how many of those are not in it today (`joining`) and how many are in it today but would
    no longer be (`leaving`), and the first matched accounts by name."""

    matched: int
    assigned: int
    joining: int
    leaving: int
    accounts: list[AccountInsight]


def segment_rule_preview(
    rule: Any,
    *,
    user: Any,
    priority: int | None,
    segment: Any = None,
    is_default: bool = False,
    limit: int = 20,
) -> SegmentRulePreview:
    """Preview `rule` for a new segment or for `segment` being edited, with the assignment rules of
    segment_choice_select: segments by priority (ties by creation), the default one last. Raises
    ValidationError for a malformed rule."""
    from cartera.insights.models import Segment
    from cartera.insights.segments import rule_to_q

    def condition(rule: Any) -> Q:
        # An empty rule matches every row; an empty Q would vanish when combined with others.
        return rule_to_q(rule) or Q(pk__isnull=False)

    rows = insights_visible_to(user)
    rule_q = condition(rule)
    editing = segment is not None and segment.pk is not None
    others = Segment.objects.filter(is_default=False)
    if editing:
        others = others.exclude(pk=segment.pk)
    if is_default:
        earlier = others
    elif priority is None:
        earlier = others.none()
    else:
        tie = Q(priority=priority, pk__lt=segment.pk) if editing else Q(priority=priority)
        earlier = others.filter(Q(priority__lt=priority) | tie)
    taken = Q()
    for other in earlier.only("rule"):
        taken |= condition(other.rule)
    # As in segment_choice_select, a row is taken when an earlier rule selects it (NOT IN over primary keys,
    # so a rule that is unknown for a row, such as a comparison with an empty value, never takes it).
    assigned_q = rule_q & ~Q(pk__in=rows.filter(taken).values("pk")) if len(taken) else rule_q
    aggregates: dict[str, Any] = {
        "matched": Count("pk", filter=rule_q),
        "assigned": Count("pk", filter=assigned_q),
    }
    if editing:
        elsewhere = Q(segment_id__isnull=True) | ~Q(segment_id=segment.pk)
        aggregates["joining"] = Count("pk", filter=assigned_q & elsewhere)
        aggregates["leaving"] = Count(
            "pk", filter=Q(segment_id=segment.pk) & ~Q(pk__in=rows.filter(assigned_q).values("pk"))
        )
    counts = rows.aggregate(**aggregates)
    matched = rows.filter(rule_q)
    accounts = list(matched.select_related("account").order_by("account__legal_name", "account_id")[:limit])
    return SegmentRulePreview(
        matched=counts["matched"],
        assigned=counts["assigned"],
        joining=counts.get("joining", counts["assigned"]),
        leaving=counts.get("leaving", 0),
        accounts=accounts,
    )


def accounts_moved_since(since: dt.date, until: dt.date, *, user: Any = None) -> QuerySet[Any]:
    """The accounts (those `user` may see) on a different tier on `until` than before `since`, by their
    recorded moves dated from `since` to `until` (inclusive), annotated with `tier_before` (the from-tier
    of their first move in the period, "" when it was their first classification) and `tier_after` (the
    to-tier of their last one). Moves that come back to where they started do not count: the pairs are
    the edges of a flow from the tiers before to the tiers now, so the same accounts can be listed."""
    moves = tier_moves(since, until).filter(account=OuterRef("pk"))
    accounts = Account.objects.all() if user is None else Account.objects.visible_to(user)
    return (
        accounts.filter(pk__in=tier_moves(since, until).values("account_id"))
        .annotate(
            tier_before=Subquery(moves.order_by("date", "id").values("from_tier")[:1]),
            tier_after=Subquery(moves.order_by("-date", "-id").values("to_tier")[:1]),
        )
        .exclude(tier_before=F("tier_after"))
    )
