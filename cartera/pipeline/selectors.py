"""Reads of the pipeline shared by the board, the account page, the forms and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Max, Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cartera.accounts.models import Account
from cartera.commerce.models import OrderLine, ProductLine, PurchaseType
from cartera.pipeline.models import Opportunity, OpportunityContact

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
