"""The dashboard's reads: what the insights say about the accounts a user may see, narrowed to a scope
(the whole company, a territory, a portfolio or a segment).

Every read starts from `Scope.accounts(user)`, which is `Account.objects.visible_to(user)` narrowed to the
scope, so an executive who asks for someone else's portfolio still gets only their own accounts in it.
The insights' selectors (`rollup`, `whale_curve`) read everything a user may see; the scoped versions
here follow exactly their definitions, over the scope's accounts (tests check they agree for the whole
company).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.commerce.amounts import from_cents
from cartera.coverage.models import Portfolio, Territory
from cartera.insights.models import TIER_ORDER, AccountDay, AccountInsight, ProfitClass, Segment
from cartera.insights.selectors import CurvePoint, accounts_moved_since, disconnection_alerts
from cartera.insights.services import current_rules
from cartera.relationship.models import Commitment

# Scopes


class ScopeNotAvailable(Exception):
    """The scope asked for does not exist or is not one the user may choose."""


SCOPE_KINDS: dict[str, Any] = {"territory": Territory, "portfolio": Portfolio, "segment": Segment}
COMPANY = "company"


@dataclass(frozen=True)
class Scope:
    """What the dashboard looks at: `kind` is company, territory, portfolio or segment; `target` the
    territory, portfolio or segment (None for the company)."""

    kind: str = COMPANY
    target: Any = None

    @property
    def key(self) -> str:
        """The scope as the query string keeps it: "company", "territory-3", "portfolio-7"..."""
        return COMPANY if self.target is None else f"{self.kind}-{self.target.pk}"

    def label_for(self, user: Any) -> str:
        """The scope's name; the company is "all your accounts" to someone who sees only some."""
        return company_label(user) if self.target is None else str(self.target)

    @property
    def list_filter(self) -> dict[str, str]:
        """The accounts list's filter that gives the same accounts (its `territory`, `portfolio`, `segment`)."""
        return {} if self.target is None else {self.kind: str(self.target.pk)}

    def accounts(self, user: Any) -> QuerySet[Account]:
        """The accounts `user` may see, within the scope."""
        accounts = Account.objects.visible_to(user)
        if self.kind == "territory":
            return accounts.filter(territory=self.target)
        if self.kind == "portfolio":
            return accounts.filter(portfolio=self.target)
        if self.kind == "segment":
            return accounts.filter(insight__segment=self.target)
        return accounts

    def insights(self, user: Any) -> QuerySet[AccountInsight]:
        """The snapshot rows of those accounts."""
        return AccountInsight.objects.filter(account__in=self.accounts(user).values("pk"))


def company_label(user: Any) -> str:
    return str(_("The whole company")) if user.sees_all_accounts else str(_("All your accounts"))


@dataclass(frozen=True)
class ScopeChoices:
    """The scopes a user may choose: territories and portfolios they may see, and the segments."""

    territories: list[Territory]
    portfolios: list[Portfolio]
    segments: list[Segment]
    company_label: str

    def options(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Grouped (label, [(key, name)]) options for a select, the whole company first."""
        groups: list[tuple[str, list[tuple[str, str]]]] = [("", [(COMPANY, self.company_label)])]
        for label, kind, objects in (
            (_("Territories"), "territory", self.territories),
            (_("Portfolios"), "portfolio", self.portfolios),
            (_("Segments"), "segment", self.segments),
        ):
            if objects:
                groups.append((str(label), [(f"{kind}-{obj.pk}", str(obj)) for obj in objects]))
        return groups


def scope_choices(user: Any) -> ScopeChoices:
    """Three queries: the territories and portfolios `user` may see, and every segment."""
    return ScopeChoices(
        territories=list(Territory.objects.visible_to(user).order_by("name")),
        portfolios=list(Portfolio.objects.visible_to(user).select_related("owner").order_by("name")),
        segments=list(Segment.objects.order_by("priority", "pk")),
        company_label=company_label(user),
    )


def scope_for(user: Any, key: str | None) -> Scope:
    """The scope a query-string key names, if `user` may choose it. A portfolio must be one the user may
    see (an executive: their own); territories and segments are the company's map, but what they show
    is still only the accounts the user may see. Raises ScopeNotAvailable."""
    if not key or key == COMPANY:
        return Scope()
    kind, _sep, pk = key.partition("-")
    model = SCOPE_KINDS.get(kind)
    if model is None or not pk.isdigit():
        raise ScopeNotAvailable(key)
    objects = model.objects.visible_to(user) if kind != "segment" else model.objects.all()
    target = objects.filter(pk=int(pk)).first()
    if target is None:
        raise ScopeNotAvailable(key)
    return Scope(kind=kind, target=target)


# Money figures of the window


@dataclass(frozen=True)
class Figure:
    """A money figure over the window and over the window before it."""

    key: str
    current: Decimal
    previous: Decimal

    @property
    def change(self) -> Decimal | None:
        """The relative change against the previous window (0.125 for +12.5 %); None when the previous
        window had nothing to compare with."""
        if not self.previous:
            return None
        return ((self.current - self.previous) / abs(self.previous)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class ProfitFigures:
    """Revenue, gross margin and net profit of the scope's accounts over the window ending on `as_of`,
    each against the previous window."""

    as_of: dt.date
    window_start: dt.date  # first day of the window
    previous_start: dt.date  # first day of the previous window
    accounts: int
    revenue: Figure
    gross_margin: Figure
    net_profit: Figure

    @property
    def margin_share(self) -> Decimal | None:
        """Gross margin over revenue in the window (0.31 for 31 %)."""
        if not self.revenue.current:
            return None
        return (self.gross_margin.current / self.revenue.current).quantize(Decimal("0.0001"))

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.revenue.current, self.revenue.previous, self.net_profit.current, self.net_profit.previous)
        )


FACT_FIELDS = (
    ("revenue", "revenue_cents"),
    ("cogs", "cogs_cents"),
    ("cost_to_serve", "cost_to_serve_cents"),
    ("marketing", "marketing_cents"),
)
SNAPSHOT_FIELDS = (
    ("revenue", "insight__revenue_12m_cents"),
    ("cogs", "insight__cogs_12m_cents"),
    ("cost_to_serve", "insight__cost_to_serve_12m_cents"),
    ("marketing", "insight__marketing_spend_12m_cents"),
)


def profit_figures(*, user: Any, scope: Scope, as_of: dt.date) -> ProfitFigures:
    """Revenue, gross margin and net profit over the window and the previous window.

    The window is the one the snapshot uses (DESIGN.md): the `window_days` (365 by default) up to `as_of`,
    dates d with as_of − 365 < d ≤ as_of. The previous window is the same number of days just before it:
    as_of − 730 < d ≤ as_of − 365, summed from the daily facts (`AccountDay`), so it is computed exactly
    as the current one would have been a year earlier — no stored snapshot of last year is needed.

    The current window is the sum of the accounts' `AccountInsight` figures (the snapshot's window sums of
    the same facts) when every account of the scope has its snapshot as of `as_of`: one pass over the
    accounts instead of a year of facts. When some account's snapshot is missing or of another day, the
    current window is summed from the facts too, in the same query as the previous one. Someone who sees
    every account, on the whole company, sums every account's facts: every fact hangs off an account (its
    days go with it), and without "account in (every account)" the sum is one walk along the facts' date
    index, which covers the money columns. Three queries: the ladder's window, the accounts (count,
    snapshot freshness and sums), the facts' sums.
    """
    days = current_rules().window_days
    window_start = as_of - dt.timedelta(days=days)
    previous_start = window_start - dt.timedelta(days=days)
    accounts = scope.accounts(user)
    snapshot = accounts.aggregate(
        accounts=Count("pk"),
        fresh=Count("insight", filter=Q(insight__as_of=as_of)),
        **{f"{name}_current": Sum(field) for name, field in SNAPSHOT_FIELDS},
    )
    facts = AccountDay.objects.filter(date__gt=previous_start)
    if scope.target is not None or not user.sees_all_accounts:
        facts = facts.filter(account__in=accounts.values("pk"))
    sums: dict[str, int | None]
    if snapshot["fresh"] == snapshot["accounts"]:
        sums = {f"{name}_current": snapshot[f"{name}_current"] for name, _field in SNAPSHOT_FIELDS}
        sums |= facts.filter(date__lte=window_start).aggregate(
            **{f"{name}_previous": Sum(field) for name, field in FACT_FIELDS}
        )
    else:
        sums = facts.filter(date__lte=as_of).aggregate(
            **{
                f"{name}_{period}": Sum(field, filter=condition)
                for name, field in FACT_FIELDS
                for period, condition in (
                    ("current", Q(date__gt=window_start)),
                    ("previous", Q(date__lte=window_start)),
                )
            }
        )

    def amounts(period: str) -> tuple[Decimal, Decimal, Decimal]:
        revenue = sums[f"revenue_{period}"] or 0
        gross = revenue - (sums[f"cogs_{period}"] or 0)
        net = gross - (sums[f"cost_to_serve_{period}"] or 0) - (sums[f"marketing_{period}"] or 0)
        return from_cents(revenue), from_cents(gross), from_cents(net)

    now, before = amounts("current"), amounts("previous")
    return ProfitFigures(
        as_of=as_of,
        window_start=window_start + dt.timedelta(days=1),
        previous_start=previous_start + dt.timedelta(days=1),
        accounts=snapshot["accounts"],
        revenue=Figure("revenue", now[0], before[0]),
        gross_margin=Figure("gross_margin", now[1], before[1]),
        net_profit=Figure("net_profit", now[2], before[2]),
    )


# The loyalty ladder


def accounts_per_tier(*, user: Any, scope: Scope) -> dict[str, int]:
    """How many of the scope's accounts are on each tier now, every tier present (ladder order). One query."""
    rows = scope.insights(user).order_by().values("tier").annotate(accounts=Count("pk"))
    counts = {row["tier"]: row["accounts"] for row in rows}
    return {tier: counts.get(tier, 0) for tier in TIER_ORDER}


@dataclass(frozen=True)
class TierFlow:
    """`accounts` were on `tier_before` before the period and are on `tier_after` now ("" before: they
    had no tier yet)."""

    tier_before: str
    tier_after: str
    accounts: int


def tier_flows(*, user: Any, scope: Scope, since: dt.date, until: dt.date) -> list[TierFlow]:
    """The net moves between tiers from `since` to `until` of the scope's accounts, from the recorded moves
    (`accounts_moved_since`, which builds on `tier_moves`), biggest first. One query."""
    moved = accounts_moved_since(since, until).filter(pk__in=scope.accounts(user).values("pk"))
    rows = moved.values("tier_before", "tier_after").annotate(accounts=Count("pk")).order_by()
    flows = [TierFlow(row["tier_before"] or "", row["tier_after"], row["accounts"]) for row in rows]
    return sorted(flows, key=lambda flow: (-flow.accounts, flow.tier_before, flow.tier_after))


# The profitability curve


@dataclass(frozen=True)
class ClassedCurvePoint:
    """A point of the profitability curve and the profit class of the account it ends on."""

    accounts_share: Decimal
    profit_share: Decimal
    profit_class: str
    accounts: int  # accounts up to this point


@dataclass(frozen=True)
class ProfitCurve:
    points: list[ClassedCurvePoint]
    accounts: int
    net_profit: Decimal
    class_counts: dict[str, int]  # accounts in each profit class, A, B, C, L


def profit_curve(*, user: Any, scope: Scope, points: int = 100) -> ProfitCurve:
    """The customer-profitability ("whale") curve of the scope's accounts, as `whale_curve` draws it for
    everything a user sees: accounts ranked by net profit, best first (ties by account), cumulative net
    profit share against cumulative account share, downsampled to about `points` points. Each point
    carries the profit class of the account it ends on (classes are contiguous along the ranking:
    A, B and C have positive profit, L zero or less). One query."""
    rows = list(
        scope.insights(user)
        .order_by("-net_profit_12m_cents", "account_id")
        .values_list("net_profit_12m_cents", "profit_class")
    )
    class_counts = dict.fromkeys(ProfitClass.values, 0)
    for _profit, profit_class in rows:
        class_counts[profit_class] = class_counts.get(profit_class, 0) + 1
    total = sum(profit for profit, _class in rows)
    if not rows or total == 0:
        return ProfitCurve(
            points=[], accounts=len(rows), net_profit=from_cents(total), class_counts=class_counts
        )
    step = max(1, len(rows) // points)
    curve = [ClassedCurvePoint(Decimal(0), Decimal(0), rows[0][1], 0)]
    running = 0
    for position, (profit, profit_class) in enumerate(rows, start=1):
        running += profit
        if position % step == 0 or position == len(rows):
            curve.append(
                ClassedCurvePoint(
                    accounts_share=(Decimal(position) / len(rows)).quantize(Decimal("0.0001")),
                    profit_share=(Decimal(running) / total).quantize(Decimal("0.0001")),
                    profit_class=profit_class,
                    accounts=position,
                )
            )
    return ProfitCurve(
        points=curve, accounts=len(rows), net_profit=from_cents(total), class_counts=class_counts
    )


def as_curve_points(curve: ProfitCurve) -> list[CurvePoint]:
    """The curve as the insights' `whale_curve` gives it (to compare the two)."""
    return [CurvePoint(point.accounts_share, point.profit_share) for point in curve.points]


# Roll-ups


@dataclass(frozen=True)
class GroupProfit:
    """Net profit, revenue and accounts of one territory or segment (`pk` None: accounts in none)."""

    pk: int | None
    name: str
    accounts: int
    revenue: Decimal
    net_profit: Decimal


ROLLUP_GROUPS = {
    "segment": ("segment_id", "segment__name"),
    "territory": ("account__territory_id", "account__territory__name"),
}


def net_profit_by(*, user: Any, scope: Scope, by: str) -> list[GroupProfit]:
    """Net profit (and revenue, accounts) of the scope's accounts per segment or per territory, summed
    from the snapshot as the insights' `rollup` sums it; best first, the accounts in none last. One query."""
    if by not in ROLLUP_GROUPS:
        raise ValueError(f"net_profit_by one of {sorted(ROLLUP_GROUPS)}")
    key, name = ROLLUP_GROUPS[by]
    rows = (
        scope.insights(user)
        .annotate(group_pk=F(key), group_name=F(name))
        .values("group_pk", "group_name")
        .annotate(accounts=Count("pk"), revenue=Sum("revenue_12m_cents"), net=Sum("net_profit_12m_cents"))
        .order_by()
    )
    groups = [
        GroupProfit(
            pk=row["group_pk"],
            name=row["group_name"] or "",
            accounts=row["accounts"],
            revenue=from_cents(row["revenue"]),
            net_profit=from_cents(row["net"]),
        )
        for row in rows
    ]
    return sorted(groups, key=lambda group: (group.pk is None, -group.net_profit, group.name))


# What needs the user's attention


def contact_alerts(*, user: Any, scope: Scope) -> QuerySet[AccountInsight]:
    """Disconnection alerts in the scope, most overdue first. Someone who sees every account gets the
    scope's; an executive or a specialist gets theirs (`disconnection_alerts(only_mine=True)`: their
    portfolios and the accounts they are responsible for)."""
    alerts = disconnection_alerts(user=user, only_mine=not user.sees_all_accounts)
    if scope.target is None:
        return alerts
    return alerts.filter(account__in=scope.accounts(user).values("pk"))


def overdue_commitments(*, user: Any, scope: Scope, today: dt.date) -> QuerySet[Commitment]:
    """Open commitments past their due date on the scope's accounts, oldest first."""
    return (
        Commitment.objects.overdue(today)
        .filter(account__in=scope.accounts(user).values("pk"))
        .select_related("account", "promised_by", "promised_to")
        .order_by("due_date", "pk")
    )


def churn_rises(*, user: Any, scope: Scope) -> QuerySet[AccountInsight]:
    """The scope's accounts whose churn risk rose at its last change (churn_risk > churn_risk_previous),
    most recent change first, then the highest risk."""
    return (
        scope.insights(user)
        .filter(churn_risk_previous__isnull=False, churn_risk__gt=F("churn_risk_previous"))
        .select_related("account")
        .order_by("-churn_risk_changed_on", "-churn_risk", "account_id")
    )
