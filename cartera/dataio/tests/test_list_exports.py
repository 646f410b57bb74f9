"""The Export button of each list: the file holds exactly the rows the list shows (every page), in the
list's order, through the same filters and the same visibility; text stays formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse
from django.utils import timezone

from cartera.accounts.tests.factories import ContactFactory
from cartera.commerce.models import OrderLine
from cartera.commerce.tests.factories import OrderFactory, ProductFactory
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory


def all_pages(client, url, params):
    """Every row the list shows, page after page, and the list's export link parameters."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        rows += list(response.context["page"].object_list)
        export = dict(parse_qsl(response.context["export_query"]))
        if not response.context["page"].has_next():
            return rows, export
        page += 1


def exported(client, kind, params):
    response = client.get(reverse("dataio:export", args=[kind]), {**params, "format": "csv"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def small_pages(settings):
    settings.CARTERA_PAGE_SIZE = 2


def test_the_orders_export_holds_the_lines_of_the_orders_listed_in_their_order(client, world, small_pages):
    product = ProductFactory(sku="=CMD()", unit_cost=Decimal(10))
    for n, account in enumerate([world.in_portfolio, world.on_team, world.elsewhere] * 2):
        order = OrderFactory(
            account=account, number=f"-OC{n}", date=dt.date(2026, 1, 1) + dt.timedelta(days=n)
        )
        for quantity in range(1, n % 3 + 2):
            line = OrderLine(
                order=order, product=product, quantity=quantity, unit_price=Decimal(100 * (n + 1))
            )
            line.compute_amounts(product.unit_cost)
            line.save()
    client.force_login(world.executive)
    params = {"sort": "-revenue", "date_from": "2026-01-02"}

    orders, export = all_pages(client, reverse("commerce:order_list"), params)
    rows = exported(client, "orders", export)

    listed = [order.number for order in orders]
    assert listed == ["-OC4", "-OC1", "-OC3"]  # OC0 too early; OC2, OC5 of another portfolio
    numbers = [row["order_number"] for row in rows]
    assert list(dict.fromkeys(numbers)) == ["'" + number for number in listed]  # formula-safe
    assert len(rows) == sum(order.totals.lines for order in orders)
    assert {row["sku"] for row in rows} == {"'=CMD()"}


def test_the_interactions_export_equals_the_list(client, world, small_pages):
    for n, account in enumerate([world.in_portfolio, world.on_team, world.elsewhere] * 3):
        InteractionFactory(
            account=account,
            kind=["call", "visit", "email"][n % 3],
            occurred_at=timezone.now() - dt.timedelta(days=n),
            summary=f"+Resumen {n}",
        )
    client.force_login(world.executive)
    params = {"sort": "account", "kind": "call"}

    interactions, export = all_pages(client, reverse("relationship:interaction_list"), params)
    rows = exported(client, "interactions", export)

    assert [row["summary"] for row in rows] == ["'" + interaction.summary for interaction in interactions]
    assert [row["summary"] for row in rows] == ["'+Resumen 0", "'+Resumen 3", "'+Resumen 6"]
    assert {row["kind"] for row in rows} == {"call"}


def test_the_commitments_export_equals_the_default_list_of_open_commitments(client, world, small_pages):
    today = timezone.localdate()
    contact = ContactFactory(account=world.on_team, email="cliente@alamos.cl")
    for n, account in enumerate([world.in_portfolio, world.on_team, world.elsewhere] * 2):
        CommitmentFactory(
            account=account,
            description=f"@Promesa {n}",
            due_date=today + dt.timedelta(days=10 - n),
            status="kept" if n == 4 else "open",
            promised_by=world.executive,
            promised_to=contact if account == world.on_team else None,
        )
    client.force_login(world.executive)

    commitments, export = all_pages(client, reverse("relationship:commitment_list"), {})
    rows = exported(client, "commitments", export)

    assert export == {"status": "open", "sort": "due"}
    assert [row["description"] for row in rows] == ["'" + c.description for c in commitments]
    assert [row["description"] for row in rows] == ["'@Promesa 3", "'@Promesa 1", "'@Promesa 0"]
    assert rows[1]["promised_to_email"] == "cliente@alamos.cl"
    assert rows[1]["promised_by_email"] == world.executive.email
    assert list(rows[0]) == [
        "account_tax_id",
        "account_country",
        "description",
        "due_date",
        "status",
        "promised_by_email",
        "promised_to_email",
        "resolved_on",
    ]


def test_the_commitments_export_of_overdue_ones(client, world):
    today = timezone.localdate()
    CommitmentFactory(
        account=world.in_portfolio, description="Atrasado", due_date=today - dt.timedelta(days=2)
    )
    CommitmentFactory(
        account=world.in_portfolio, description="A tiempo", due_date=today + dt.timedelta(days=2)
    )
    CommitmentFactory(account=world.elsewhere, description="Ajeno", due_date=today - dt.timedelta(days=2))
    client.force_login(world.executive)

    rows = exported(client, "commitments", {"status": "", "overdue": "true"})

    assert [row["description"] for row in rows] == ["Atrasado"]


def test_the_contacts_export_follows_the_lists_sort(client, world, small_pages):
    ContactFactory(account=world.in_portfolio, last_name="Zúñiga", buying_role="purchaser")
    ContactFactory(account=world.on_team, last_name="Araya", buying_role="purchaser")
    client.force_login(world.executive)

    contacts, export = all_pages(client, reverse("accounts:contact_list"), {"sort": "-name"})
    rows = exported(client, "contacts", export)

    assert [row["last_name"] for row in rows] == [contact.last_name for contact in contacts]
    assert rows[0]["last_name"] == "Zúñiga"


def test_an_export_with_an_account_the_user_may_not_see_is_empty_like_the_list(client, world):
    OrderFactory(account=world.elsewhere, number="OC-OTRA")
    CommitmentFactory(account=world.elsewhere, description="Ajeno")
    client.force_login(world.executive)

    for kind in ("orders", "interactions", "commitments", "contacts"):
        assert exported(client, kind, {"account": world.elsewhere.pk}) == []
