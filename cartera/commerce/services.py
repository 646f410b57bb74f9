"""Every write to the catalog and to orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.accounts.services import ensure_can_edit_account
from cartera.commerce.models import Channel, Order, OrderLine, Product, ProductLine, PurchaseType
from cartera.core.audit import audit_record, snapshot
from cartera.core.events import emit_event, emit_events
from cartera.core.models import AuditRecord
from cartera.core.services import model_create, model_update
from cartera.insights.tasks import queue_insights_refresh


def product_line_create(*, actor: Any, code: str, name: str, description: str = "") -> ProductLine:
    """Create a product line."""
    with transaction.atomic():
        return model_create(actor=actor, instance=ProductLine(code=code, name=name, description=description))


def product_create(
    *, actor: Any, sku: str, name: str, product_line: ProductLine, list_price: Decimal, unit_cost: Decimal
) -> Product:
    """Add a product to the catalog."""
    with transaction.atomic():
        product = Product(
            sku=sku.strip(), name=name, product_line=product_line, list_price=list_price, unit_cost=unit_cost
        )
        return model_create(actor=actor, instance=product)


def product_update(*, actor: Any, product: Product, expected_version: int, **changes: Any) -> Product:
    """Change a product's name, line, price or cost."""
    allowed = {"name", "product_line", "list_price", "unit_cost", "is_active"}
    if set(changes) - allowed:
        raise ValueError(f"product_update does not take {sorted(set(changes) - allowed)}")
    with transaction.atomic():
        old_cost = product.unit_cost
        product = model_update(actor=actor, instance=product, data=changes, expected_version=expected_version)
        if product.unit_cost != old_cost:
            _recost_lines_without_own_cost(product)
            queue_insights_refresh(
                (),
                days=OrderLine.objects.filter(product=product, unit_cost__isnull=True)
                .order_by()
                .values_list("order__account_id", "order__date")
                .distinct(),
            )
        return product


def _recost_lines_without_own_cost(product: Product) -> None:
    """Lines that carry no cost of their own take the product's: recompute their cost of goods."""
    lines = list(OrderLine.objects.filter(product=product, unit_cost__isnull=True))
    for line in lines:
        line.compute_amounts(product.unit_cost)
    OrderLine.objects.bulk_update(lines, ["cogs_cents"], batch_size=2000)


# What an order's audit record shows of each line.
LINE_AUDIT_FIELDS = ["product", "quantity", "unit_price", "unit_cost", "discount_pct"]


@dataclass(frozen=True)
class LineInput:
    """One line of an order to place."""

    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None
    unit_cost: Decimal | None = None
    discount_pct: Decimal = Decimal(0)


def order_create(
    *,
    actor: Any,
    account: Account,
    number: str,
    date: dt.date,
    lines: Iterable[LineInput],
    channel: str = Channel.SALES_REP,
    purchase_type: str = PurchaseType.STRAIGHT_REBUY,
    note: str = "",
) -> Order:
    """Record an order with its lines; prices default to the product's list price."""
    line_inputs = list(lines)
    if not line_inputs:
        raise ValidationError(_("An order needs at least one line."), code="no_lines")
    order_lines = []
    for item in line_inputs:  # every line is validated before anything is written
        line = OrderLine(
            product=item.product,
            quantity=item.quantity,
            unit_price=item.product.list_price if item.unit_price is None else item.unit_price,
            unit_cost=item.unit_cost,
            discount_pct=item.discount_pct,
        )
        line.full_clean(exclude=["order"])
        line.compute_amounts(item.product.unit_cost)
        order_lines.append(line)
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        order = model_create(
            actor=actor,
            instance=Order(
                account=account,
                number=number,
                date=date,
                channel=channel,
                purchase_type=purchase_type,
                note=note,
                created_by=actor if getattr(actor, "pk", None) else None,
            ),
            related={"lines": [snapshot(line, LINE_AUDIT_FIELDS) for line in order_lines]},
        )
        for line in order_lines:
            line.order = order
        OrderLine.objects.bulk_create(order_lines)
        queue_insights_refresh([account.pk], days=[(account.pk, date)])
        emit_event("order.created", {"id": order.pk, "account_id": account.pk, "number": order.number})
        return order


def orders_bulk_create(
    *,
    actor: Any,
    orders: list[Order],
    lines: list[OrderLine],
    source: str,
    batch_size: int = 5000,
    refresh_insights: bool = True,
) -> int:
    """Insert many already-validated orders and lines at once (demo loader, ERP imports).

    Orders must carry their lines' `order` objects; one audit record summarizes the batch. The accounts'
    insights are refreshed after commit unless the caller recomputes everything itself at the end.
    """
    product_costs = dict(
        Product.objects.filter(
            pk__in={line.product_id for line in lines if line.unit_cost is None}
        ).values_list("pk", "unit_cost")
    )
    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=batch_size)
        for line in lines:
            line.order_id = line.order.pk
            line.compute_amounts(product_costs.get(line.product_id, Decimal(0)))
        OrderLine.objects.bulk_create(lines, batch_size=batch_size)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.BULK_CREATE,
            object_type="commerce.order",
            object_repr=source[:200],
            changes={"orders": len(orders), "lines": len(lines)},
        )
        if refresh_insights:
            queue_insights_refresh((), days={(order.account_id, order.date) for order in orders})
        emit_events(
            "order.created",
            [{"id": order.pk, "account_id": order.account_id, "number": order.number} for order in orders],
        )
    return len(lines)
