"""Small builders for insights tests: orders with exact amounts on exact dates, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cartera.accounts.models import Account
from cartera.commerce.models import Order, Product
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory

D = dt.date(2026, 6, 30)


def days_before(days: int, day: dt.date = D) -> dt.date:
    return day - dt.timedelta(days=days)


_counter = {"n": 0}


def buy(
    account: Account,
    on: dt.date,
    *,
    quantity: str = "1",
    price: str = "1000.00",
    discount: str = "0",
    cost: str | None = None,
    product: Product | None = None,
) -> Order:
    """An order of one line placed through the service."""
    _counter["n"] += 1
    return order_create(
        actor=None,
        account=account,
        number=f"T-{_counter['n']:07d}",
        date=on,
        lines=[
            LineInput(
                product=product or ProductFactory(unit_cost=Decimal("600.00")),
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                discount_pct=Decimal(discount),
                unit_cost=None if cost is None else Decimal(cost),
            )
        ],
    )
