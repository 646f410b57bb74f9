"""Reads of the pipeline shared by the board, the account page, the forms and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, F, Max, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cartera.accounts.models import Account
from cartera.commerce.models import OrderLine, ProductLine, PurchaseType
from cartera.pipeline.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    CloseReason,
    Opportunity,
    OpportunityContact,
    Stage,
)

# A purchase is a straight rebuy when the line was bought within this many days before the reference date
# (D - 365 < date <= D, the window of every other metric) ...
REBUY_WINDOW_DAYS = 365
# ... and the deal's expected discount is within this many percentage points of the last purchase's.
SIMILAR_DISCOUNT_POINTS = Decimal(5)


@dataclass(frozen=True)
class PurchaseTypeSuggestion:
    """The purchase type an account's history suggests for a deal, and why."""

    purchase_type: str
    reason: str
    last_bought_on: dt.date | None = None
    last_discount_pct: Decimal | None = None

    @property
    def label(self) -> str:
        return str(PurchaseType(self.purchase_type).label)


def _percent(value: Decimal) -> str:
    """7.50 -> "7,5" in Spanish; whole numbers without decimals."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return formats.number_format(int(rounded))
    return formats.number_format(rounded, decimal_pos=1)


def suggest_purchase_type(
    *,
    account: Account,
    product_line: ProductLine | None,
    discount_pct: Decimal | None = None,
    as_of: dt.date | None = None,
) -> PurchaseTypeSuggestion:
    """Has the account bought this product line before, and at what terms?

    Never: a new buy. Within the last 12 months (D - 365 < last purchase <= D) at a discount within 5
    points of the deal's expected one: a straight rebuy. Bought it, but longer ago or at other terms: a
    modified rebuy. The last purchase's discount is the average over that order's lines of the line."""
    today = as_of or timezone.localdate()
    lines = OrderLine.objects.filter(order__account=account, order__date__lte=today)
    if product_line is None:
        if not lines.exists():
            return PurchaseTypeSuggestion(PurchaseType.NEW_BUY, _("This account has never bought from us."))
        return PurchaseTypeSuggestion(
            PurchaseType.MODIFIED_REBUY, _("Choose a product line to compare with what the account bought.")
        )
    of_line = lines.filter(product__product_line=product_line)
    last_date = of_line.aggregate(last=Max("order__date"))["last"]
    if last_date is None:
        return PurchaseTypeSuggestion(
            PurchaseType.NEW_BUY, _("The account has never bought this product line.")
        )
    average = of_line.filter(order__date=last_date).aggregate(discount=Avg("discount_pct"))["discount"]
    last_discount = Decimal(average or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    expected = Decimal(discount_pct if discount_pct is not None else last_discount)
    params = {
        "date": formats.date_format(last_date, "SHORT_DATE_FORMAT"),
        "discount": _percent(last_discount),
        "expected": _percent(expected),
    }
    recent = last_date > today - dt.timedelta(days=REBUY_WINDOW_DAYS)
    similar = abs(expected - last_discount) <= SIMILAR_DISCOUNT_POINTS
    if recent and similar:
        purchase_type = PurchaseType.STRAIGHT_REBUY
        reason = _("Last bought this line on %(date)s, with a %(discount)s %% discount.") % params
    elif not recent:
        purchase_type = PurchaseType.MODIFIED_REBUY
        reason = (
            _("Last bought this line on %(date)s, more than 12 months ago, with a %(discount)s %% discount.")
            % params
        )
    else:
        purchase_type = PurchaseType.MODIFIED_REBUY
        reason = (
            _(
                "Last bought this line on %(date)s with a %(discount)s %% discount; this deal expects "
                "%(expected)s %%."
            )
            % params
        )
    return PurchaseTypeSuggestion(purchase_type, reason, last_date, last_discount)


def with_buying_center(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Opportunities with what a card or a row shows: account, line, owner, and the contacts on the deal."""
    return queryset.select_related("account", "product_line", "owner").prefetch_related(
        Prefetch(
            "contact_roles",
            queryset=OpportunityContact.objects.select_related("contact").order_by("role", "id"),
        )
    )


def account_opportunities(*, account: Account, user: Any) -> list[Opportunity]:
    """An account's opportunities as `user` may see them: the open ones by expected close date, then the
    closed ones, latest first."""
    rows = list(
        Opportunity.objects.visible_to(user)
        .filter(account=account)
        .select_related("product_line", "owner")
        .order_by("expected_close_date", "id")
    )
    open_rows = [row for row in rows if row.is_open]
    closed_rows = sorted(
        (row for row in rows if not row.is_open),
        key=lambda row: (row.closed_on or dt.date.min, row.pk),
        reverse=True,
    )
    return open_rows + closed_rows


# Cards shown per column, soonest expected close first (more would be a long scroll and a slow page;
# the filters narrow the board); the column's totals always count every deal.
CARD_LIMIT = 25
# The won/lost summary covers the deals closed in this many days up to today.
CLOSED_SUMMARY_DAYS = 90


@dataclass(frozen=True)
class MoneyTotal:
    """A sum of amounts in one currency, and the sum weighted by each deal's probability."""

    currency: str
    amount_cents: int
    weighted_cents: int


@dataclass
class BoardColumn:
    """One open stage of the board: its first cards and the totals over all of its deals."""

    stage: str
    label: str
    cards: list[Opportunity]
    count: int = 0
    totals: list[MoneyTotal] = field(default_factory=list)
    previous_stage: tuple[str, str] | None = None
    next_stage: tuple[str, str] | None = None

    @property
    def hidden_count(self) -> int:
        return self.count - len(self.cards)


@dataclass
class ClosedSummary:
    """The deals won or lost lately: how many, for how much, and the commonest reasons."""

    stage: str
    label: str
    count: int = 0
    totals: list[MoneyTotal] = field(default_factory=list)
    reasons: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Board:
    columns: list[BoardColumn]
    won: ClosedSummary
    lost: ClosedSummary
    since: dt.date
    today: dt.date
    may_move: bool

    @property
    def closed(self) -> list[ClosedSummary]:
        return [self.won, self.lost]


def pipeline_board(
    *,
    opportunities: QuerySet[Opportunity],
    user: Any,
    today: dt.date | None = None,
    card_limit: int = CARD_LIMIT,
) -> Board:
    """The kanban of `opportunities` (already visible to `user` and filtered): a column per open stage
    with its first cards by expected close date and its totals, and the won and lost deals of the last
    90 days. A fixed number of queries, whatever the number of deals."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=CLOSED_SUMMARY_DAYS)
    open_deals = opportunities.filter(stage__in=OPEN_STAGES).order_by()
    ranked = open_deals.annotate(
        position=Window(
            RowNumber(), partition_by=[F("stage")], order_by=[F("expected_close_date").asc(), F("id").asc()]
        )
    ).filter(position__lte=card_limit)
    cards = list(with_buying_center(ranked).order_by("expected_close_date", "id"))
    labels = dict(Stage.choices)
    columns: dict[str, BoardColumn] = {
        stage: BoardColumn(stage=stage, label=str(labels[stage]), cards=[]) for stage in OPEN_STAGES
    }
    for index, stage in enumerate(OPEN_STAGES):
        if index > 0:
            columns[stage].previous_stage = (OPEN_STAGES[index - 1], str(labels[OPEN_STAGES[index - 1]]))
        if index < len(OPEN_STAGES) - 1:
            columns[stage].next_stage = (OPEN_STAGES[index + 1], str(labels[OPEN_STAGES[index + 1]]))
    for card in cards:
        columns[card.stage].cards.append(card)
    for row in _money_totals(open_deals, "stage"):
        column = columns[row["stage"]]
        column.count += row["count"]
        column.totals.append(MoneyTotal(row["currency"], row["amount_sum"], row["weighted_sum"]))
    won = ClosedSummary(stage=Stage.WON, label=str(labels[Stage.WON]))
    lost = ClosedSummary(stage=Stage.LOST, label=str(labels[Stage.LOST]))
    summaries: dict[str, ClosedSummary] = {Stage.WON: won, Stage.LOST: lost}
    reason_counts: dict[str, dict[str, int]] = {Stage.WON: {}, Stage.LOST: {}}
    closed = opportunities.filter(stage__in=CLOSED_STAGES, closed_on__gt=since, closed_on__lte=today)
    amounts: dict[tuple[str, str], int] = {}
    for row in (
        closed.order_by()
        .values("stage", "currency", "close_reason")
        .annotate(count=Count("pk"), amount_sum=Sum("amount_cents"))
    ):
        summaries[row["stage"]].count += row["count"]
        key = (row["stage"], row["currency"])
        amounts[key] = amounts.get(key, 0) + (row["amount_sum"] or 0)
        if row["close_reason"]:
            counts = reason_counts[row["stage"]]
            counts[row["close_reason"]] = counts.get(row["close_reason"], 0) + row["count"]
    for (outcome, currency), amount in sorted(amounts.items()):
        summaries[outcome].totals.append(MoneyTotal(currency, amount, amount if outcome == Stage.WON else 0))
    reason_labels = dict(CloseReason.choices)
    for outcome, summary in summaries.items():
        ranking = sorted(reason_counts[outcome].items(), key=lambda item: (-item[1], item[0]))[:3]
        summary.reasons = [(str(reason_labels.get(reason, reason)), count) for reason, count in ranking]
    may_move = user is not None and getattr(user, "is_authenticated", False) and not user.is_read_only
    return Board(
        columns=[columns[stage] for stage in OPEN_STAGES],
        won=won,
        lost=lost,
        since=since,
        today=today,
        may_move=may_move,
    )


def _money_totals(queryset: QuerySet[Opportunity], group: str) -> list[dict[str, Any]]:
    """Count, amount and probability-weighted amount per `group` and currency, summed in the database."""
    return list(
        queryset.order_by()
        .values(group, "currency")
        .annotate(
            count=Count("pk"),
            amount_sum=Sum("amount_cents"),
            weighted_sum=Sum(F("amount_cents") * F("probability")) / 100,
        )
        .order_by(group, "currency")
    )
