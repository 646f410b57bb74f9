"""Orders entered in the admin get their lines' amounts as the services compute them, audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cartera.accounts.tests.test_admin import form_data
from cartera.commerce.models import Order
from cartera.commerce.tests.factories import ProductFactory
from cartera.core.models import AuditRecord
from cartera.users.models import Role


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(
        make_user(role=Role.ADMINISTRATOR, username="raiz", is_superuser=True, is_staff=True, language="en")
    )
    return client


def test_an_order_entered_in_the_admin_has_its_line_amounts_and_audit_records(admin_client, world):
    drill = ProductFactory(list_price=Decimal("1250.00"), unit_cost=Decimal("700.00"))
    data = form_data(admin_client.get(reverse("admin:commerce_order_add")))
    data.update(
        {
            "account": str(world.in_portfolio.pk),
            "number": "OC-9001",
            "date": "2026-03-02",
            "channel": "sales_rep",
            "purchase_type": "new_buy",
            "lines-TOTAL_FORMS": "1",
            "lines-0-product": str(drill.pk),
            "lines-0-quantity": "3",
            "lines-0-unit_price": "1250",
            "lines-0-discount_pct": "10",
        }
    )

    response = admin_client.post(reverse("admin:commerce_order_add"), data)

    assert response.status_code == 302
    order = Order.objects.get(number="OC-9001")
    assert order.date == dt.date(2026, 3, 2)
    line = order.lines.get()
    assert (line.revenue, line.cogs) == (Decimal("3375.00"), Decimal("2100.00"))
    assert list(AuditRecord.objects.order_by("id").values_list("action", "object_type")) == [
        ("create", "commerce.order"),
        ("create", "commerce.orderline"),
    ]


def test_an_order_without_lines_is_refused_in_the_admin(admin_client, world):
    data = form_data(admin_client.get(reverse("admin:commerce_order_add")))
    data.update({"account": str(world.in_portfolio.pk), "number": "OC-9002", "date": "2026-03-02"})
    data.update({"channel": "sales_rep", "purchase_type": "new_buy", "lines-TOTAL_FORMS": "0"})

    response = admin_client.post(reverse("admin:commerce_order_add"), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "An order needs at least one line."
    ]
    assert Order.objects.count() == 0
    assert AuditRecord.objects.count() == 0
