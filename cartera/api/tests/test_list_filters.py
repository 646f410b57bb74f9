"""The lists' new filters reach the API through the shared filter classes: orders by text, commitments
overdue or by who promised, interactions by user."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartera.commerce.tests.factories import OrderFactory
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory
from cartera.users.models import Role


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_commitments_overdue_and_owner_filters(api_client, world):
    today = timezone.localdate()
    late = CommitmentFactory(
        account=world.in_portfolio, promised_by=world.executive, due_date=today - dt.timedelta(1)
    )
    CommitmentFactory(account=world.in_portfolio, promised_by=world.manager, due_date=today + dt.timedelta(1))
    CommitmentFactory(account=world.elsewhere, promised_by=world.executive, due_date=today - dt.timedelta(1))
    client = api_client(Role.ACCOUNT_EXECUTIVE)

    assert ids(client.get("/api/v1/commitments?overdue=true")) == [late.pk]
    assert ids(client.get(f"/api/v1/commitments?owner={world.executive.pk}")) == [late.pk]


def test_orders_by_text_and_interactions_by_user(api_client, world):
    order = OrderFactory(account=world.in_portfolio, number="NV-77")
    OrderFactory(account=world.on_team, number="NV-78")
    call = InteractionFactory(account=world.on_team, user=world.executive)
    InteractionFactory(account=world.on_team, user=world.manager)
    client = api_client(Role.ACCOUNT_EXECUTIVE)

    assert ids(client.get("/api/v1/orders?q=munoz")) == [order.pk]  # Ferretería Muñoz
    assert ids(client.get(f"/api/v1/interactions?user={world.executive.pk}")) == [call.pk]
