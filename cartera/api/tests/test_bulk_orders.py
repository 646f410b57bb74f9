"""POST /api/v1/orders/bulk: everything validated first, then all written, or nothing."""

from __future__ import annotations

from cartera.commerce.models import Order, OrderLine
from cartera.commerce.tests.factories import ProductFactory
from cartera.core.models import AuditRecord
from cartera.users.models import Role


def _order(account_id: int, number: str, product_id: int, lines: int = 1, quantity: str = "2") -> dict:
    return {
        "account_id": account_id,
        "number": number,
        "date": "2026-03-01",
        "channel": "import",
        "lines": [{"product_id": product_id, "quantity": quantity, "unit_price": "1500.00"}] * lines,
    }


def test_a_batch_of_thousands_of_lines_is_written_at_once(api_client, world):
    product = ProductFactory()
    orders = [_order(world.in_portfolio.pk, f"ERP-{n}", product.pk, lines=20) for n in range(100)]
    response = api_client(Role.ACCOUNT_EXECUTIVE).post("/api/v1/orders/bulk", {"orders": orders})
    assert response.status_code == 201
    body = response.json()
    assert (body["orders"], body["lines"], len(body["ids"])) == (100, 2000, 100)
    assert Order.objects.count() == 100
    assert OrderLine.objects.count() == 2000
    assert OrderLine.objects.first().revenue_cents == 300000
    assert AuditRecord.objects.filter(action="bulk_create", object_type="commerce.order").count() == 1


def test_one_bad_line_refuses_the_whole_batch_and_names_it(api_client, world):
    product = ProductFactory()
    orders = [_order(world.in_portfolio.pk, f"ERP-{n}", product.pk, lines=3) for n in range(5)]
    orders[3]["lines"][1] = {"product_id": 999_999, "quantity": "1"}
    response = api_client(Role.ACCOUNT_EXECUTIVE).post("/api/v1/orders/bulk", {"orders": orders})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "body.orders.3.lines.1.product_id",
            "message": "There is no such product.",
            "code": "invalid",
        }
    ]
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)


def test_a_malformed_item_is_named_by_its_index(api_client, world):
    product = ProductFactory()
    orders = [_order(world.in_portfolio.pk, f"ERP-{n}", product.pk) for n in range(3)]
    orders[2]["lines"][0]["quantity"] = "0"
    response = api_client(Role.ACCOUNT_EXECUTIVE).post("/api/v1/orders/bulk", {"orders": orders})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.orders.2.lines.0.quantity"]
    assert Order.objects.count() == 0


def test_accounts_the_caller_may_not_change_and_repeated_numbers_are_refused(api_client, world):
    product = ProductFactory()
    orders = [
        _order(world.in_portfolio.pk, "ERP-1", product.pk),
        _order(world.elsewhere.pk, "ERP-2", product.pk),
        _order(world.in_portfolio.pk, "ERP-1", product.pk),
    ]
    response = api_client(Role.ACCOUNT_EXECUTIVE).post("/api/v1/orders/bulk", {"orders": orders})
    assert response.status_code == 422
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [
        ("body.orders.1.account_id", "invalid"),
        ("body.orders.2.number", "duplicate"),
    ]
    assert Order.objects.count() == 0


def test_a_read_only_role_may_not_push_orders(api_client, world):
    product = ProductFactory()
    response = api_client(Role.SUPPORT_AGENT).post(
        "/api/v1/orders/bulk", {"orders": [_order(world.in_portfolio.pk, "ERP-1", product.pk)]}
    )
    assert response.status_code == 403
    assert Order.objects.count() == 0
