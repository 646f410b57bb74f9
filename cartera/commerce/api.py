"""REST endpoints for product lines, products and orders (one by one, or in bulk from an ERP)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.api import visible_account_or_422
from cartera.accounts.models import Account
from cartera.accounts.services import ensure_can_write
from cartera.api.etag import required_version, with_etag
from cartera.api.listing import (
    ObjectId,
    Text,
    get_visible,
    list_query,
    page_schema,
    paginate,
    read_flat,
    resource,
)
from cartera.api.problems import Problem, field_error, validation_errors
from cartera.commerce.filtersets import (
    OrderFilterSet,
    ProductFilterSet,
    ProductLineFilterSet,
    product_lines_visible_to,
)
from cartera.commerce.models import Channel, Order, OrderLine, Product, ProductLine, PurchaseType
from cartera.commerce.services import (
    LineInput,
    order_create,
    orders_bulk_create,
    product_create,
    product_line_create,
    product_update,
)

router = Router(tags=["commerce"])

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False)]
MAX_BULK_ORDERS = 5000
MAX_BULK_LINES = 50000


class ProductLineOut(Schema):
    id: int
    code: str
    name: str
    description: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductLineCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Text = Field(max_length=32)
    name: Text = Field(max_length=120)
    description: Text = ""


LINE_ORDERING = ["code", "name", "id"]
ProductLineListQuery = list_query("ProductLineListQuery", ProductLineFilterSet, LINE_ORDERING)


@router.get("/product-lines", response=page_schema(ProductLineOut), summary="List product lines")
@resource(ProductLine)
def list_product_lines(request: HttpRequest, query: Query[ProductLineListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        ProductLineFilterSet,
        ordering=LINE_ORDERING,
        default_ordering=["name"],
        flat=ProductLineOut,
    )


@router.get("/product-lines/{int:line_id}", response=ProductLineOut, summary="Read a product line")
@resource(ProductLine)
def get_product_line(request: HttpRequest, line_id: ObjectId) -> Any:
    return read_flat(product_lines_visible_to(request.user), line_id, ProductLineOut)


@router.post("/product-lines", response={201: ProductLineOut}, summary="Create a product line")
def create_product_line(request: HttpRequest, response: HttpResponse, payload: ProductLineCreate) -> Any:
    ensure_can_write(request.user)
    line = product_line_create(actor=request.user, **payload.model_dump())
    with_etag(response, line)
    return Status(201, line)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    product_line_id: int
    list_price: Decimal
    unit_cost: Decimal
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    sku: Text = Field(max_length=64)
    name: Text = Field(max_length=200)
    product_line_id: ObjectId
    list_price: Money
    unit_cost: Money


class ProductUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, max_length=200)
    product_line_id: ObjectId | None = None
    list_price: Money | None = None
    unit_cost: Money | None = None
    is_active: bool | None = None


PRODUCT_ORDERING = ["sku", "name", "list_price", "id"]
ProductListQuery = list_query("ProductListQuery", ProductFilterSet, PRODUCT_ORDERING)


def _product_line_or_422(request: HttpRequest, line_id: int) -> ProductLine:
    line = product_lines_visible_to(request.user).filter(pk=line_id).first()
    if line is None:
        raise Problem(422, errors=[field_error("body.product_line_id", _("There is no such product line."))])
    return line


@router.get("/products", response=page_schema(ProductOut), summary="List products")
@resource(Product)
def list_products(request: HttpRequest, query: Query[ProductListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request, query, ProductFilterSet, ordering=PRODUCT_ORDERING, default_ordering=["sku"], flat=ProductOut
    )


@router.get("/products/{int:product_id}", response=ProductOut, summary="Read a product")
@resource(Product)
def get_product(request: HttpRequest, product_id: ObjectId) -> Any:
    return read_flat(Product.objects.visible_to(request.user), product_id, ProductOut)


@router.post("/products", response={201: ProductOut}, summary="Add a product to the catalog")
def create_product(request: HttpRequest, response: HttpResponse, payload: ProductCreate) -> Any:
    ensure_can_write(request.user)
    fields = payload.model_dump()
    fields["product_line"] = _product_line_or_422(request, fields.pop("product_line_id"))
    product = product_create(actor=request.user, **fields)
    with_etag(response, product)
    return Status(201, product)


@router.patch("/products/{int:product_id}", response=ProductOut, summary="Change a product (needs If-Match)")
def update_product(
    request: HttpRequest, response: HttpResponse, product_id: ObjectId, payload: ProductUpdate
) -> Any:
    product = get_visible(Product.objects.visible_to(request.user), product_id)
    version = required_version(request, product)
    ensure_can_write(request.user)
    changes = payload.model_dump(exclude_unset=True)
    if "product_line_id" in changes:
        changes["product_line"] = _product_line_or_422(request, changes.pop("product_line_id"))
    product = product_update(actor=request.user, product=product, expected_version=version, **changes)
    with_etag(response, product)
    return product


class OrderLineOut(Schema):
    id: int
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal | None
    discount_pct: Decimal
    revenue: Decimal


class OrderOut(Schema):
    id: int
    account_id: int
    number: str
    date: dt.date
    channel: str
    purchase_type: str
    note: str
    lines: list[OrderLineOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())


class OrderLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product_id: ObjectId
    quantity: Quantity
    unit_price: Money | None = Field(None, description="The product's list price when absent.")
    unit_cost: Money | None = Field(None, description="The product's unit cost applies when absent.")
    discount_pct: Percent = Decimal(0)


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    number: Text = Field(min_length=1, max_length=40)
    date: dt.date
    channel: Channel = Channel.SALES_REP
    purchase_type: PurchaseType = PurchaseType.STRAIGHT_REBUY
    note: Text = Field("", max_length=300)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=1000)


class OrdersBulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_BULK_ORDERS)


class OrdersBulkOut(Schema):
    orders: int
    lines: int
    ids: list[int]


ORDER_ORDERING = ["date", "number", "created_at", "id"]
OrderListQuery = list_query("OrderListQuery", OrderFilterSet, ORDER_ORDERING)


def _with_lines(queryset: Any) -> Any:
    return queryset.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))


@router.get("/orders", response=page_schema(OrderOut), summary="List orders with their lines")
@resource(Order)
def list_orders(request: HttpRequest, query: Query[OrderListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        OrderFilterSet,
        ordering=ORDER_ORDERING,
        default_ordering=["-date"],
        prepare=_with_lines,
    )


@router.get("/orders/{int:order_id}", response=OrderOut, summary="Read an order with its lines")
@resource(Order)
def get_order(request: HttpRequest, response: HttpResponse, order_id: ObjectId) -> Any:
    order = get_visible(_with_lines(Order.objects.visible_to(request.user)), order_id)
    with_etag(response, order)
    return order


def _products(request: HttpRequest, orders: list[OrderIn]) -> dict[int, Product]:
    ids = {line.product_id for order in orders for line in order.lines}
    return Product.objects.visible_to(request.user).in_bulk(list(ids))


@router.post("/orders", response={201: OrderOut}, summary="Record an order with its lines")
def create_order(request: HttpRequest, response: HttpResponse, payload: OrderIn) -> Any:
    account = visible_account_or_422(request, payload.account_id)
    products = _products(request, [payload])
    missing = [
        field_error(f"body.lines.{index}.product_id", _("There is no such product."))
        for index, line in enumerate(payload.lines)
        if line.product_id not in products
    ]
    if missing:
        raise Problem(422, errors=missing)
    order = order_create(
        actor=request.user,
        account=account,
        number=payload.number,
        date=payload.date,
        channel=payload.channel,
        purchase_type=payload.purchase_type,
        note=payload.note,
        lines=[
            LineInput(
                product=products[line.product_id],
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_cost=line.unit_cost,
                discount_pct=line.discount_pct,
            )
            for line in payload.lines
        ],
    )
    order = _with_lines(Order.objects.all()).get(pk=order.pk)
    with_etag(response, order)
    return Status(201, order)


@router.post(
    "/orders/bulk",
    response={201: OrdersBulkOut},
    summary="Record many orders at once, all or nothing",
    description=(
        f"Up to {MAX_BULK_ORDERS} orders and {MAX_BULK_LINES} lines per call. Every order and line is "
        "validated before anything is written; any error refuses the whole call with a 422 whose errors "
        "name the item: `body.orders.<i>.lines.<j>.<field>`."
    ),
)
def create_orders_bulk(request: HttpRequest, payload: OrdersBulkIn) -> Any:
    ensure_can_write(request.user)
    orders_in = payload.orders
    total_lines = sum(len(order.lines) for order in orders_in)
    if total_lines > MAX_BULK_LINES:
        raise Problem(
            422,
            errors=[
                field_error(
                    "body.orders",
                    _("At most %(count)s lines per call.") % {"count": MAX_BULK_LINES},
                    "too_many_lines",
                )
            ],
        )
    orders, lines, errors = _validated_batch(request, orders_in)
    if errors:
        raise Problem(422, _("Nothing was written: correct these items."), errors=errors[:200])
    with transaction.atomic():
        orders_bulk_create(actor=request.user, orders=orders, lines=lines, source="api")
    return Status(201, {"orders": len(orders), "lines": len(lines), "ids": [order.pk for order in orders]})


def _validated_batch(
    request: HttpRequest, orders_in: list[OrderIn]
) -> tuple[list[Order], list[OrderLine], list[dict[str, str]]]:
    """Build every order and line and validate them all, without writing; errors name each item."""
    account_ids = {order.account_id for order in orders_in}
    editable = set(
        Account.objects.editable_by(request.user).filter(pk__in=account_ids).values_list("pk", flat=True)
    )
    products = _products(request, orders_in)
    taken = set(
        Order.objects.filter(
            account_id__in=editable, number__in={order.number for order in orders_in}
        ).values_list("account_id", "number")
    )
    actor: Any = request.user if getattr(request.user, "pk", None) else None
    errors: list[dict[str, str]] = []
    orders: list[Order] = []
    lines: list[OrderLine] = []
    seen: set[tuple[int, str]] = set()
    for index, item in enumerate(orders_in):
        prefix = f"body.orders.{index}."
        if item.account_id not in editable:
            errors.append(field_error(prefix + "account_id", _("There is no such account you may change.")))
            continue
        key = (item.account_id, item.number)
        if key in taken or key in seen:
            errors.append(
                field_error(
                    prefix + "number", _("This account already has an order with this number."), "duplicate"
                )
            )
        seen.add(key)
        order = Order(
            account_id=item.account_id,
            number=item.number,
            date=item.date,
            channel=item.channel,
            purchase_type=item.purchase_type,
            note=item.note,
            created_by=actor,
        )
        try:
            order.full_clean(
                exclude=["account", "created_by"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors.extend(validation_errors(error, prefix))
        orders.append(order)
        for line_index, line_in in enumerate(item.lines):
            line_prefix = f"{prefix}lines.{line_index}."
            product = products.get(line_in.product_id)
            if product is None:
                errors.append(field_error(line_prefix + "product_id", _("There is no such product.")))
                continue
            line = OrderLine(
                order=order,
                product=product,
                quantity=line_in.quantity,
                unit_price=product.list_price if line_in.unit_price is None else line_in.unit_price,
                unit_cost=line_in.unit_cost,
                discount_pct=line_in.discount_pct,
            )
            try:
                line.full_clean(exclude=["order", "product"], validate_constraints=False)
            except ValidationError as error:
                errors.extend(validation_errors(error, line_prefix))
            lines.append(line)
    return orders, lines, errors
