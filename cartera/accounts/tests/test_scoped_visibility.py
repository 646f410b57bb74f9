"""Rows hanging off accounts: a user who sees every account reads them without a subquery on accounts,
and every other user through it; the rows are the same either way."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartera.accounts.querysets import _always_has_account
from cartera.commerce.models import Order, OrderLine
from cartera.commerce.tests.factories import OrderFactory, OrderLineFactory
from cartera.relationship.models import Interaction, Referral


def test_a_manager_reads_rows_of_accounts_without_the_accounts_subquery(world):
    orders = [
        OrderFactory(account=account) for account in (world.in_portfolio, world.on_team, world.elsewhere)
    ]

    with CaptureQueriesContext(connection) as queries:
        seen = set(Order.objects.visible_to(world.manager).values_list("pk", flat=True))

    assert seen == {order.pk for order in orders}
    assert "accounts_account" not in queries.captured_queries[0]["sql"]


def test_an_executive_still_reads_through_the_accounts_they_may_see(world):
    mine = OrderLineFactory(order=OrderFactory(account=world.in_portfolio))
    OrderLineFactory(order=OrderFactory(account=world.elsewhere))

    with CaptureQueriesContext(connection) as queries:
        seen = list(OrderLine.objects.visible_to(world.executive).values_list("pk", flat=True))

    assert seen == [mine.pk]
    assert "accounts_account" in queries.captured_queries[0]["sql"]


def test_an_inactive_or_anonymous_user_sees_nothing(world):
    OrderFactory(account=world.in_portfolio)
    world.manager.is_active = False

    assert list(Order.objects.visible_to(world.manager)) == []
    assert list(Order.objects.visible_to(None)) == []


def test_only_links_that_cannot_be_empty_take_the_shortcut():
    assert _always_has_account(Order, "account") is True
    assert _always_has_account(OrderLine, "order__account") is True
    assert _always_has_account(Interaction, "account") is True
    assert _always_has_account(Referral, "referred_account") is False  # may be empty
