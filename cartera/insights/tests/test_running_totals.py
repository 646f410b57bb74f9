"""The running totals of the daily facts (ADR 10): a refresh by days keeps those of the later days right."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory
from cartera.insights.models import AccountDay, AccountInsight
from cartera.insights.services import facts_rebuild

pytestmark = pytest.mark.django_db

TOTALS = ["date", "orders_to_date", "revenue_to_date_cents", "first_order_date", "last_order_date"]


def _order(account, product, number: str, day: dt.date, price: str) -> None:
    order_create(
        actor=None,
        account=account,
        number=number,
        date=day,
        lines=[LineInput(product=product, quantity=Decimal("1"), unit_price=Decimal(price))],
    )


def test_an_order_dated_in_the_past_moves_the_running_totals_of_every_later_day(
    django_capture_on_commit_callbacks,
):
    account = AccountFactory()
    product = ProductFactory(unit_cost=Decimal("1.00"))
    today = timezone.localdate()
    days = [today - dt.timedelta(days=offset) for offset in (300, 200, 100, 10)]
    with django_capture_on_commit_callbacks(execute=True):
        for number, day, price in (("A-1", days[0], "100"), ("A-3", days[2], "300"), ("A-4", days[3], "400")):
            _order(account, product, number, day, price)

    # Between the first and the second day: refreshed by its day alone (the order service passes it).
    with django_capture_on_commit_callbacks(execute=True):
        _order(account, product, "A-2", days[1], "200")

    rows = list(AccountDay.objects.filter(account=account).order_by("date").values_list(*TOTALS))
    assert rows == [
        (days[0], 1, 10000, days[0], days[0]),
        (days[1], 2, 30000, days[0], days[1]),
        (days[2], 3, 60000, days[0], days[2]),
        (days[3], 4, 100000, days[0], days[3]),
    ]
    insight = AccountInsight.objects.get(account=account)
    assert (insight.orders_total, insight.orders_12m, insight.revenue_12m) == (4, 4, Decimal("1000.00"))

    # A rebuild of the whole account from its raw rows gives the same totals.
    facts_rebuild(account_ids=[account.pk])
    assert list(AccountDay.objects.filter(account=account).order_by("date").values_list(*TOTALS)) == rows
