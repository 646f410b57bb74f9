"""Reads about accounts that the account page, the API and the exports share.

The account page (the "360°" view) is made of sections, each read by one function here, so that a quick
action on the page can re-render just the section it changed. Every section reads a bounded number of
rows whatever the size of the account: long lists show the latest few and link to the full list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, BuyingRole, Contact
from cartera.commerce.amounts import from_cents
from cartera.commerce.models import Order, OrderLine
from cartera.coverage.models import AccountTeamMember, TeamRole
from cartera.insights.models import AccountDay, AccountInsight, TierChange
from cartera.relationship.models import Commitment, CommitmentStatus, Feedback, Interaction, Referral
from cartera.relationship.querysets import overdue_q

LATEST = 10  # orders and interactions shown on the page
LATEST_SHORT = 5  # resolved commitments, referrals, feedback
BUYING_CENTER_LIMIT = 30  # contacts listed in the buying center
TIER_HISTORY_LIMIT = 12
TREND_MONTHS = 24
COVERAGE_DAYS = 730  # a product line bought in the last two years is one the account buys

# The roles a sale cannot do without: their absence is flagged as a gap in the buying center.
KEY_BUYING_ROLES = [BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER]
BUYING_ROLE_GAPS = {
    BuyingRole.DECISION_MAKER: _("No decision maker known"),
    BuyingRole.ECONOMIC_BUYER: _("No economic buyer known"),
}
CHURN_FACTOR_LABELS = {
    "recency": _("Longer than usual since the last order"),
    "orders_falling": _("Fewer orders than in the previous year"),
    "broken_commitments": _("Broken or overdue commitments"),
    "open_complaints": _("Open complaints"),
    "disconnected": _("Too long without contact"),
}


def visible_accounts(user: Any) -> QuerySet[Account]:
    """The accounts `user` may see, with what a page about one of them needs joined in."""
    return Account.objects.visible_to(user).select_related("portfolio__owner", "territory", "parent")


def visible_accounts_with_insight(user: Any) -> QuerySet[Account]:
    """visible_accounts() with the account's metrics snapshot, its segment and service model joined in."""
    return visible_accounts(user).select_related("insight__segment__service_model")


def _insight_of(account: Account) -> AccountInsight | None:
    try:
        return account.insight
    except AccountInsight.DoesNotExist:
        return None


# The header


@dataclass(frozen=True)
class ChurnFactor:
    name: str
    label: str
    points: int


@dataclass(frozen=True)
class AccountHealth:
    """What the page's header says about an account: tier, segment, class, risk, trust and contact.

    Read from the account's metrics snapshot (None until the insights have been computed once)."""

    insight: AccountInsight | None
    churn_factors: list[ChurnFactor]

    @property
    def segment(self) -> Any:
        return self.insight.segment if self.insight else None

    @property
    def service_model(self) -> Any:
        return self.segment.service_model if self.segment else None

    @property
    def contact_limit_days(self) -> int | None:
        model = self.service_model
        return model.max_days_without_contact if model else None

    @property
    def trust_percent(self) -> int | None:
        if self.insight is None or self.insight.trust_score is None:
            return None
        return int((self.insight.trust_score * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))

    @property
    def churn_level(self) -> str:
        """low, medium or high, for the badge's colour."""
        risk = self.insight.churn_risk if self.insight else 0
        return "high" if risk >= 50 else "medium" if risk >= 25 else "low"

    @property
    def contact_share_percent(self) -> int:
        """Days without contact as a share of the segment's limit (capped at 100), for the gauge."""
        limit = self.contact_limit_days
        days = self.insight.days_without_contact if self.insight else None
        if not limit or days is None:
            return 0
        return min(100, round(100 * days / limit))


def account_health(account: Account) -> AccountHealth:
    """The header's figures; `account` should come from visible_accounts_with_insight() (no query then)."""
    insight = _insight_of(account)
    factors: list[ChurnFactor] = []
    if insight is not None:
        stored = insight.churn_factors or {}
        factors = [
            ChurnFactor(name=name, label=str(label), points=int(stored.get(name) or 0))
            for name, label in CHURN_FACTOR_LABELS.items()
            if int(stored.get(name) or 0) > 0
        ]
        factors.sort(key=lambda factor: -factor.points)
    return AccountHealth(insight=insight, churn_factors=factors)


# The buying center


@dataclass(frozen=True)
class BuyingRoleGroup:
    role: str
    label: str
    contacts: list[Contact]
    count: int  # all active contacts with the role, even those beyond the list's limit


@dataclass(frozen=True)
class BuyingCenter:
    """An account's active contacts grouped by the role they play when it buys, and the key roles missing."""

    groups: list[BuyingRoleGroup]
    gaps: list[str]
    total: int

    @property
    def shown(self) -> int:
        return sum(len(group.contacts) for group in self.groups)


def buying_center(account: Account) -> BuyingCenter:
    """Two queries: the first BUYING_CENTER_LIMIT active contacts, and the count per role of all."""
    contacts = list(Contact.objects.active().for_account(account)[:BUYING_CENTER_LIMIT])
    counts = {
        row["buying_role"]: row["n"]
        for row in Contact.objects.active()
        .for_account(account)
        .values("buying_role")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_role: dict[str, list[Contact]] = defaultdict(list)
    for contact in contacts:
        by_role[contact.buying_role].append(contact)
    groups = [
        BuyingRoleGroup(
            role=role.value, label=str(role.label), contacts=by_role[role.value], count=counts[role]
        )
        for role in BuyingRole
        if counts.get(role)
    ]
    if counts.get(""):
        groups.append(
            BuyingRoleGroup(role="", label=str(_("Role not known")), contacts=by_role[""], count=counts[""])
        )
    gaps = [str(BUYING_ROLE_GAPS[role]) for role in KEY_BUYING_ROLES if not counts.get(role)]
    return BuyingCenter(groups=groups, gaps=gaps, total=sum(counts.values()))


# The team and the coverage of the product lines bought


@dataclass(frozen=True)
class CoverageRow:
    product_line_id: int
    name: str
    revenue_cents: int
    last_bought: dt.date
    specialists: list[AccountTeamMember]

    @property
    def is_gap(self) -> bool:
        return not self.specialists


@dataclass(frozen=True)
class AccountCoverage:
    """The account's team, and each product line it bought in the last two years against the specialist
    covering it (none: a coverage gap)."""

    team: list[AccountTeamMember]
    lines: list[CoverageRow]
    since: dt.date

    @property
    def gaps(self) -> list[CoverageRow]:
        return [row for row in self.lines if row.is_gap]

    @property
    def has_responsible(self) -> bool:
        return any(member.role == TeamRole.RESPONSIBLE for member in self.team)


def account_coverage(account: Account, *, today: dt.date) -> AccountCoverage:
    """Two queries: the team, and the order lines of the last two years summed per product line."""
    team = list(
        AccountTeamMember.objects.for_account(account)
        .select_related("user", "product_line")
        .order_by("role", "user__first_name", "user__last_name", "pk")
    )
    since = today - dt.timedelta(days=COVERAGE_DAYS)
    bought = (
        OrderLine.objects.filter(order__account=account, order__date__gt=since, order__date__lte=today)
        .values("product__product_line_id", "product__product_line__name")
        .annotate(revenue=Sum("revenue_cents"), last=Max("order__date"))
        .order_by("-revenue", "product__product_line__name")
    )
    specialists: dict[int, list[AccountTeamMember]] = defaultdict(list)
    for member in team:
        if member.role == TeamRole.SPECIALIST and member.product_line_id is not None:
            specialists[member.product_line_id].append(member)
    lines = [
        CoverageRow(
            product_line_id=row["product__product_line_id"],
            name=row["product__product_line__name"],
            revenue_cents=row["revenue"] or 0,
            last_bought=row["last"],
            specialists=specialists.get(row["product__product_line_id"], []),
        )
        for row in bought
    ]
    return AccountCoverage(team=team, lines=lines, since=since)


# Activity


@dataclass(frozen=True)
class AccountCommitments:
    """Open promises (the soonest due first), the latest resolved ones, and how many are open / overdue."""

    open: list[Commitment]
    resolved: list[Commitment]
    open_count: int
    overdue_count: int
    today: dt.date


def account_commitments(account: Account, *, today: dt.date) -> AccountCommitments:
    """Three queries, whatever the number of commitments."""
    mine = Commitment.objects.for_account(account).select_related("promised_by", "promised_to")
    counts = Commitment.objects.for_account(account).aggregate(
        open=Count("pk", filter=Q(status=CommitmentStatus.OPEN)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    open_ones = list(mine.filter(status=CommitmentStatus.OPEN).order_by("due_date", "pk")[:LATEST])
    for commitment in open_ones:
        commitment.is_overdue = commitment.overdue_on(today)
    return AccountCommitments(
        open=open_ones,
        resolved=list(
            mine.exclude(status=CommitmentStatus.OPEN).order_by("-resolved_on", "-pk")[:LATEST_SHORT]
        ),
        open_count=counts["open"],
        overdue_count=counts["overdue"],
        today=today,
    )


def latest_interactions(account: Account) -> list[Interaction]:
    """The latest interactions with the people who took part (two queries)."""
    return list(
        Interaction.objects.for_account(account).select_related("user").prefetch_related("contacts")[:LATEST]
    )


def latest_orders(account: Account) -> list[Order]:
    """The latest orders, each with its total (one query). One more row than shown tells if there are more."""
    # An aggregate query ignores Meta.ordering: say it.
    return list(Order.objects.with_total().for_account(account).order_by("-date", "-id")[: LATEST + 1])


def tier_history(account: Account) -> list[TierChange]:
    """The account's latest moves on the loyalty ladder, newest first."""
    return list(TierChange.objects.filter(account=account).order_by("-date", "-id")[:TIER_HISTORY_LIMIT])


def latest_referrals(account: Account) -> list[Referral]:
    return list(Referral.objects.for_account(account).select_related("referred_account")[:LATEST_SHORT])


def latest_feedback(account: Account) -> list[Feedback]:
    return list(Feedback.objects.for_account(account).select_related("contact")[:LATEST_SHORT])


# Money: the P&L waterfall and the trend by month


@dataclass(frozen=True)
class ProfitStep:
    key: str
    label: str
    amount: Decimal  # signed: costs are negative
    is_total: bool = False


def profit_waterfall(account: Account) -> list[ProfitStep]:
    """The window's P&L from the snapshot: revenue, minus cost of goods, cost to serve and marketing, down
    to net profit. Empty when the insights have not been computed for the account yet."""
    insight = _insight_of(account)
    if insight is None:
        return []
    return [
        ProfitStep("revenue", str(_("Revenue")), insight.revenue_12m, is_total=True),
        ProfitStep("cogs", str(_("Cost of goods")), -insight.cogs_12m),
        ProfitStep("cost_to_serve", str(_("Cost to serve")), -insight.cost_to_serve_12m),
        ProfitStep("marketing", str(_("Marketing")), -insight.marketing_spend_12m),
        ProfitStep("net_profit", str(_("Net profit")), insight.net_profit_12m, is_total=True),
    ]


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day of the month
    revenue: Decimal
    gross_margin: Decimal
    cost_to_serve: Decimal
    marketing: Decimal

    @property
    def net_profit(self) -> Decimal:
        return self.gross_margin - self.cost_to_serve - self.marketing


@dataclass(frozen=True)
class ProfitTrend:
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(m.revenue or m.cost_to_serve or m.marketing for m in self.months)


def profit_trend(account: Account, *, today: dt.date, months: int = TREND_MONTHS) -> ProfitTrend:
    """Revenue, gross margin, cost to serve, marketing and net profit by calendar month, for the `months`
    months up to `today`'s (one query over the daily facts; months without activity show zero)."""
    first = _months_back(today.replace(day=1), months - 1)
    rows = (
        AccountDay.objects.filter(account=account, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            revenue=Sum("revenue_cents"),
            cogs=Sum("cogs_cents"),
            cts=Sum("cost_to_serve_cents"),
            mkt=Sum("marketing_cents"),
        )
        .order_by("month")
    )
    by_month = {_as_date(row["month"]): row for row in rows}
    result = []
    for offset in range(months):
        month = _months_back(today.replace(day=1), months - 1 - offset)
        row = by_month.get(month, {})
        revenue = row.get("revenue") or 0
        result.append(
            MonthFigures(
                month=month,
                revenue=from_cents(revenue),
                gross_margin=from_cents(revenue - (row.get("cogs") or 0)),
                cost_to_serve=from_cents(row.get("cts") or 0),
                marketing=from_cents(row.get("mkt") or 0),
            )
        )
    return ProfitTrend(months=result)


def _months_back(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# The whole page


@dataclass(frozen=True)
class AccountOverview:
    """What the account page shows: the account, its health, and the latest of what hangs off it."""

    account: Account
    health: AccountHealth
    buying_center: BuyingCenter
    coverage: AccountCoverage
    orders: list[Order]
    has_more_orders: bool
    interactions: list[Interaction]
    commitments: AccountCommitments
    tier_history: list[TierChange]
    referrals: list[Referral]
    feedback: list[Feedback]
    waterfall: list[ProfitStep]
    today: dt.date
    may_edit: bool


def may_edit_account(user: Any, account: Account) -> bool:
    return Account.objects.editable_by(user).filter(pk=account.pk).exists()


def account_overview(*, account: Account, user: Any, today: dt.date) -> AccountOverview:
    """The account page's content; `account` must come from visible_accounts_with_insight(user).

    Under twenty queries, none of them repeated per row shown. The monthly trend is not read here: its
    chart and table come from their JSON endpoint."""
    orders = latest_orders(account)
    return AccountOverview(
        account=account,
        health=account_health(account),
        buying_center=buying_center(account),
        coverage=account_coverage(account, today=today),
        orders=orders[:LATEST],
        has_more_orders=len(orders) > LATEST,
        interactions=latest_interactions(account),
        commitments=account_commitments(account, today=today),
        tier_history=tier_history(account),
        referrals=latest_referrals(account),
        feedback=latest_feedback(account),
        waterfall=profit_waterfall(account),
        today=today,
        may_edit=may_edit_account(user, account),
    )
