"""Reads of orders shared by the pages and the exports: an order's totals, and its lines with their money."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from cartera.commerce.models import Order, OrderLine


@dataclass(frozen=True)
class OrderTotals:
    """The sums of an order's lines, in cents."""

    lines: int = 0
    revenue_cents: int = 0
    cogs_cents: int = 0
    gross_cents: int = 0

    @property
    def margin_cents(self) -> int:
        """Gross margin: revenue less the cost of goods."""
        return self.revenue_cents - self.cogs_cents

    @property
    def margin_pct(self) -> Decimal | None:
        return margin_pct(self.margin_cents, self.revenue_cents)

    @property
    def discount_cents(self) -> int:
        return self.gross_cents - self.revenue_cents


def margin_pct(margin_cents: int, revenue_cents: int) -> Decimal | None:
    """Gross margin as a percentage of revenue, to one decimal; None without revenue."""
    if not revenue_cents:
        return None
    return (Decimal(margin_cents) * 100 / Decimal(revenue_cents)).quantize(Decimal("0.1"))


def order_totals(orders: Iterable[Order]) -> list[Order]:
    """The orders, each with `totals` (OrderTotals) set, summed in one query over their lines."""
    rows = list(orders)
    sums = (
        OrderLine.objects.filter(order_id__in=[order.pk for order in rows])
        .order_by()
        .values("order_id")
        .annotate(
            lines=Count("id"),
            revenue=Sum("revenue_cents"),
            cogs=Sum("cogs_cents"),
            gross=Sum("gross_cents"),
        )
    )
    by_order = {
        row["order_id"]: OrderTotals(row["lines"], row["revenue"], row["cogs"], row["gross"]) for row in sums
    }
    for order in rows:
        order.totals = by_order.get(order.pk, OrderTotals())  # type: ignore[attr-defined]
    return rows


def order_for_page(orders: QuerySet[Order], pk: int) -> Order | None:
    """One order among `orders` (already `visible_to(user)`) with its account, creator, lines, their
    products and product lines, and its totals; None when it is not among them."""
    lines = OrderLine.objects.select_related("product__product_line").order_by("id")
    order = (
        orders.select_related("account", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(pk=pk)
        .first()
    )
    if order is None:
        return None
    totals = OrderTotals()
    for line in order.lines.all():
        unit_cost: Any = line.unit_cost if line.unit_cost is not None else line.product.unit_cost
        line.effective_unit_cost = unit_cost
        line.margin_cents = line.revenue_cents - line.cogs_cents
        line.margin_pct = margin_pct(line.margin_cents, line.revenue_cents)
        totals = OrderTotals(
            totals.lines + 1,
            totals.revenue_cents + line.revenue_cents,
            totals.cogs_cents + line.cogs_cents,
            totals.gross_cents + line.gross_cents,
        )
    order.totals = totals  # type: ignore[attr-defined]
    return order
