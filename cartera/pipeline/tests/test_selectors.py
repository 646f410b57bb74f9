"""The purchase type the account's history suggests, at its boundaries, and an account's opportunities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from cartera.commerce.models import PurchaseType
from cartera.commerce.tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductLineFactory,
)
from cartera.pipeline.models import Stage
from cartera.pipeline.selectors import account_opportunities, suggest_purchase_type
from cartera.pipeline.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


@pytest.fixture
def line():
    return ProductLineFactory(code="SEG", name="Seguridad industrial")


def buy(account, line, days_ago: int, *discounts: str) -> None:
    order = OrderFactory(account=account, date=TODAY - dt.timedelta(days=days_ago))
    for discount in discounts:
        OrderLineFactory(
            order=order, product=ProductFactory(product_line=line), discount_pct=Decimal(discount)
        )


def suggest(account, line, discount="5"):
    return suggest_purchase_type(
        account=account, product_line=line, discount_pct=Decimal(discount) if discount else None, as_of=TODAY
    )


def test_never_bought_the_line_is_a_new_buy(world, line):
    buy(world.in_portfolio, ProductLineFactory(code="OTRA"), 10, "5")
    suggestion = suggest(world.in_portfolio, line)
    assert (suggestion.purchase_type, suggestion.last_bought_on) == (PurchaseType.NEW_BUY, None)


def test_a_purchase_after_the_reference_date_does_not_count(world, line):
    buy(world.in_portfolio, line, -1, "5")
    assert suggest(world.in_portfolio, line).purchase_type == PurchaseType.NEW_BUY


@pytest.mark.parametrize(
    "days_ago,expected",
    [
        (0, PurchaseType.STRAIGHT_REBUY),
        (364, PurchaseType.STRAIGHT_REBUY),
        (365, PurchaseType.MODIFIED_REBUY),
    ],
)
def test_the_line_bought_within_the_12_months_window_is_a_straight_rebuy(world, line, days_ago, expected):
    buy(world.in_portfolio, line, days_ago, "5")
    assert suggest(world.in_portfolio, line).purchase_type == expected


@pytest.mark.parametrize(
    "expected_discount,expected",
    [
        ("0", PurchaseType.STRAIGHT_REBUY),  # 5 points below the last purchase's 5 %
        ("10", PurchaseType.STRAIGHT_REBUY),  # 5 points above
        ("10.01", PurchaseType.MODIFIED_REBUY),
        ("15", PurchaseType.MODIFIED_REBUY),
    ],
)
def test_terms_within_5_points_of_the_last_purchase_are_similar(world, line, expected_discount, expected):
    buy(world.in_portfolio, line, 30, "5")
    assert suggest(world.in_portfolio, line, expected_discount).purchase_type == expected


def test_the_last_purchase_discount_is_the_average_of_its_lines_of_that_product_line(world, line):
    buy(world.in_portfolio, line, 200, "20", "20")
    buy(world.in_portfolio, line, 40, "4", "6")
    suggestion = suggest(world.in_portfolio, line, discount=None)
    assert (suggestion.last_bought_on, suggestion.last_discount_pct) == (
        TODAY - dt.timedelta(days=40),
        Decimal("5.00"),
    )
    assert suggestion.purchase_type == PurchaseType.STRAIGHT_REBUY  # no expected terms: the same as last time


def test_the_reason_names_the_date_and_the_discount_in_the_reader_language(world, line):
    buy(world.in_portfolio, line, 30, "7.5")
    with translation.override("es"):
        reason = suggest(world.in_portfolio, line, "7.5").reason
    assert reason == "Compró esta línea por última vez el 01/03/2026, con 7,5 % de descuento."
    with translation.override("en"):
        reason = suggest(world.in_portfolio, line, "20").reason
    assert reason == "Last bought this line on 03/01/2026 with a 7.5 % discount; this deal expects 20 %."


def test_long_ago_says_so(world, line):
    buy(world.in_portfolio, line, 400, "5")
    with translation.override("en"):
        suggestion = suggest(world.in_portfolio, line)
    assert suggestion.purchase_type == PurchaseType.MODIFIED_REBUY
    assert "more than 12 months ago" in suggestion.reason


def test_without_a_product_line_an_account_that_never_bought_is_a_new_buy(world):
    assert suggest_purchase_type(
        account=world.in_portfolio, product_line=None, as_of=TODAY
    ).purchase_type == (PurchaseType.NEW_BUY)


def test_account_opportunities_lists_open_ones_by_close_date_then_closed_ones_latest_first(world):
    account = world.in_portfolio
    later = OpportunityFactory(account=account, expected_close_date=dt.date(2026, 8, 1))
    sooner = OpportunityFactory(account=account, expected_close_date=dt.date(2026, 5, 1))
    old_loss = OpportunityFactory(
        account=account, stage=Stage.LOST, close_reason="price", closed_on=dt.date(2025, 1, 1)
    )
    recent_win = OpportunityFactory(account=account, stage=Stage.WON, closed_on=dt.date(2026, 1, 1))
    OpportunityFactory(account=world.elsewhere)
    assert account_opportunities(account=account, user=world.executive) == [
        sooner,
        later,
        recent_win,
        old_loss,
    ]


def test_account_opportunities_are_empty_for_a_user_who_may_not_see_the_account(world):
    OpportunityFactory(account=world.elsewhere)
    assert account_opportunities(account=world.elsewhere, user=world.executive) == []
    assert len(account_opportunities(account=world.elsewhere, user=world.analyst)) == 1


def test_account_opportunities_cost_one_query(world, django_assert_num_queries):
    for _n in range(3):
        OpportunityFactory(account=world.in_portfolio)
    with django_assert_num_queries(1):
        rows = account_opportunities(account=world.in_portfolio, user=world.manager)
        [(row.product_line, row.owner) for row in rows]
