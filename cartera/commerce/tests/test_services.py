"""Writes to the catalog and to orders: audited, optimistic-locked, and all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.commerce.models import Order, OrderLine, Product
from cartera.commerce.services import (
    LineInput,
    order_create,
    product_create,
    product_line_create,
    product_update,
)
from cartera.commerce.tests.factories import OrderFactory, ProductFactory, ProductLineFactory
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def drill(db):
    return ProductFactory(
        sku="TAL-10", name="Taladro", list_price=Decimal("1250.00"), unit_cost=Decimal("700.00")
    )


@pytest.fixture
def saw(db):
    return ProductFactory(
        sku="SIE-20", name="Sierra", list_price=Decimal("89990.00"), unit_cost=Decimal("51000.00")
    )


def nothing_written() -> tuple[int, int, int]:
    return Order.objects.count(), OrderLine.objects.count(), AuditRecord.objects.count()


# --- catalog -------------------------------------------------------------------------------------


def test_creating_a_product_line_and_a_product_is_audited(world):
    line = product_line_create(actor=world.manager, code="HER", name="Herramientas")

    product = product_create(
        actor=world.manager,
        sku=" TAL-10 ",
        name="Taladro",
        product_line=line,
        list_price=Decimal("1250"),
        unit_cost=Decimal("700"),
    )

    assert product.sku == "TAL-10"
    records = list(AuditRecord.objects.order_by("id").values_list("object_type", "action", "actor"))
    assert records == [
        ("commerce.productline", "create", world.manager.pk),
        ("commerce.product", "create", world.manager.pk),
    ]
    assert AuditRecord.objects.get(object_type="commerce.product").changes["list_price"] == "1250.00"


def test_a_product_with_a_negative_price_is_refused(world):
    line = ProductLineFactory()

    with pytest.raises(ValidationError) as caught:
        product_create(
            actor=None, sku="X", name="X", product_line=line, list_price=Decimal("-1"), unit_cost=Decimal(0)
        )

    assert set(caught.value.message_dict) == {"list_price"}
    assert Product.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_product_update_audits_the_change_and_increments_the_version(drill):
    product_update(actor=None, product=drill, expected_version=1, list_price=Decimal("1390"))

    drill.refresh_from_db()
    assert (drill.list_price, drill.version) == (Decimal("1390.00"), 2)
    assert AuditRecord.objects.get().changes == {"list_price": ["1250.00", "1390.00"]}


def test_the_second_of_two_product_editors_is_refused(drill):
    first, second = Product.objects.get(pk=drill.pk), Product.objects.get(pk=drill.pk)
    product_update(actor=None, product=first, expected_version=1, list_price=Decimal("1390"))

    with pytest.raises(ConflictError):
        product_update(actor=None, product=second, expected_version=1, list_price=Decimal("990"))

    drill.refresh_from_db()
    assert (drill.list_price, drill.version) == (Decimal("1390.00"), 2)
    assert AuditRecord.objects.count() == 1


def test_product_update_refuses_fields_it_does_not_know(drill):
    with pytest.raises(ValueError, match="sku"):
        product_update(actor=None, product=drill, expected_version=1, sku="OTRO")

    drill.refresh_from_db()
    assert (drill.sku, drill.version) == ("TAL-10", 1)


# --- orders --------------------------------------------------------------------------------------


def test_an_order_is_recorded_with_its_lines_and_list_prices_by_default(world, drill, saw):
    order = order_create(
        actor=world.executive,
        account=world.in_portfolio,
        number="OC-1001",
        date=dt.date(2026, 3, 2),
        lines=[
            LineInput(product=drill, quantity=Decimal("3"), discount_pct=Decimal("10")),
            LineInput(
                product=saw, quantity=Decimal("1"), unit_price=Decimal("79990"), unit_cost=Decimal("50000")
            ),
        ],
    )

    assert (order.account, order.number, order.created_by, order.version) == (
        world.in_portfolio,
        "OC-1001",
        world.executive,
        1,
    )
    lines = list(order.lines.order_by("id"))
    assert [
        (line.product, line.quantity, line.unit_price, line.unit_cost, line.discount_pct) for line in lines
    ] == [
        (drill, Decimal("3.000"), Decimal("1250.00"), None, Decimal("10.00")),
        (saw, Decimal("1.000"), Decimal("79990.00"), Decimal("50000.00"), Decimal("0.00")),
    ]
    assert [(line.revenue, line.cogs) for line in lines] == [
        (Decimal("3375.00"), Decimal("2100.00")),
        (Decimal("79990.00"), Decimal("50000.00")),
    ]


def test_the_order_audit_record_lists_its_lines(world, drill):
    order = order_create(
        actor=world.executive,
        account=world.in_portfolio,
        number="OC-1002",
        date=dt.date(2026, 3, 2),
        lines=[LineInput(product=drill, quantity=Decimal("2"))],
    )

    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.executive,
        "create",
        "commerce.order",
        str(order.pk),
    )
    assert record.changes["number"] == "OC-1002"
    assert record.changes["lines"] == [
        {
            "product_id": drill.pk,
            "quantity": "2.000",
            "unit_price": "1250.00",
            "unit_cost": None,
            "discount_pct": "0.00",
        }
    ]


def test_an_order_without_lines_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        order_create(
            actor=world.manager, account=world.in_portfolio, number="OC-1", date=dt.date(2026, 3, 2), lines=[]
        )

    assert caught.value.code == "no_lines"
    assert caught.value.messages == ["An order needs at least one line."]
    assert nothing_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": Decimal("0")}, "quantity"),
        ({"quantity": Decimal("-2")}, "quantity"),
        ({"quantity": Decimal("1"), "discount_pct": Decimal("120")}, "discount_pct"),
        ({"quantity": Decimal("1"), "unit_price": Decimal("-5")}, "unit_price"),
    ],
)
def test_an_order_with_an_invalid_line_writes_nothing(world, drill, saw, line, field):
    with pytest.raises(ValidationError) as caught:
        order_create(
            actor=world.manager,
            account=world.in_portfolio,
            number="OC-2",
            date=dt.date(2026, 3, 2),
            lines=[LineInput(product=saw, quantity=Decimal("1")), LineInput(product=drill, **line)],
        )

    assert field in caught.value.message_dict
    assert nothing_written() == (0, 0, 0)


def test_an_order_number_is_unique_per_account(world, drill):
    OrderFactory(account=world.in_portfolio, number="OC-7")
    before = nothing_written()

    with pytest.raises(ValidationError):
        order_create(
            actor=world.manager,
            account=world.in_portfolio,
            number="OC-7",
            date=dt.date(2026, 3, 2),
            lines=[LineInput(product=drill, quantity=Decimal("1"))],
        )

    assert nothing_written() == before


def test_the_same_order_number_on_another_account_is_fine(world, drill):
    OrderFactory(account=world.in_portfolio, number="OC-7")

    order = order_create(
        actor=world.manager,
        account=world.on_team,
        number="OC-7",
        date=dt.date(2026, 3, 2),
        lines=[LineInput(product=drill, quantity=Decimal("1"))],
    )

    assert Order.objects.filter(number="OC-7").count() == 2
    assert order.account == world.on_team


@pytest.mark.parametrize(("actor", "account"), [("executive", "elsewhere"), ("support", "in_portfolio")])
def test_an_order_on_an_account_the_actor_cannot_edit_is_refused(world, drill, actor, account):
    with pytest.raises(PermissionDeniedError):
        order_create(
            actor=getattr(world, actor),
            account=getattr(world, account),
            number="OC-3",
            date=dt.date(2026, 3, 2),
            lines=[LineInput(product=drill, quantity=Decimal("1"))],
        )

    assert nothing_written() == (0, 0, 0)
