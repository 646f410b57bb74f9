"""Random histories: incremental updates, a full recomputation and a plain-Python reading of the
definitions must all agree, account by account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.models import Order, OrderLine
from cartera.commerce.services import orders_bulk_create
from cartera.commerce.tests.factories import ProductFactory
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.insights.models import AccountInsight
from cartera.insights.services import insights_recompute_all, insights_refresh_accounts
from cartera.insights.tests.reference import History, Line, metrics, profit_classes
from cartera.relationship.models import Referral

D = dt.date(2026, 6, 30)
MONEY_FIELDS = ["revenue_12m", "cogs_12m", "gross_margin_12m", "cost_to_serve_12m", "marketing_spend_12m"]

days_back = st.integers(min_value=-3, max_value=800)  # a few days after D too: they must be ignored
money = st.decimals(min_value=0, max_value=50_000, places=2)
lines = st.builds(
    Line,
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=500, places=3),
    unit_price=money,
    discount_pct=st.decimals(min_value=0, max_value=100, places=2),
    unit_cost=money,
)
histories = st.builds(
    History,
    orders=st.lists(st.tuples(days_back, st.lists(lines, min_size=1, max_size=3)), max_size=7),
    service_costs=st.lists(st.tuples(days_back, money), max_size=2),
    marketing=st.lists(st.tuples(days_back, money), max_size=2),
    referrals=st.lists(days_back, max_size=2),
)


def _dated(history: History) -> History:
    """Turn the generated day offsets into dates before (or just after) D."""

    def at(offset: int) -> dt.date:
        return D - dt.timedelta(days=offset)

    return History(
        orders=[(at(offset), order_lines) for offset, order_lines in history.orders],  # type: ignore[arg-type]
        service_costs=[(at(offset), amount) for offset, amount in history.service_costs],  # type: ignore[arg-type]
        marketing=[(at(offset), amount) for offset, amount in history.marketing],  # type: ignore[arg-type]
        referrals=[at(offset) for offset in history.referrals],  # type: ignore[arg-type]
    )


def _write(account, history: History, product, part: int, parts: int) -> None:
    """Write the `part`-th of `parts` slices of a history (so it can arrive in several batches)."""
    orders, order_lines = [], []
    for index, (day, lines_) in enumerate(history.orders):
        if index % parts != part:
            continue
        order = Order(account=account, number=f"{account.pk}-{index}", date=day)
        orders.append(order)
        for line in lines_:
            order_lines.append(
                OrderLine(
                    order=order,
                    product=product,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_pct=line.discount_pct,
                    unit_cost=line.unit_cost,
                )
            )
    orders_bulk_create(actor=None, orders=orders, lines=order_lines, source="test", refresh_insights=False)
    for index, (day, amount) in enumerate(history.service_costs):
        if index % parts == part:
            ServiceCost.objects.create(account=account, date=day, kind="support", amount=amount)
    for index, (day, amount) in enumerate(history.marketing):
        if index % parts == part:
            MarketingSpend.objects.create(account=account, date=day, campaign="c", amount=amount)
    for index, day in enumerate(history.referrals):
        if index % parts == part:
            Referral.objects.create(account=account, date=day, kind="referral")


def _days(account, history: History, part: int, parts: int) -> set[tuple[int, dt.date]]:
    """The (account, date) pairs the `part`-th slice's orders, costs and spend fall on."""
    dated = [*(day for day, _lines in history.orders), *(day for day, _ in history.service_costs)]
    dated += [day for day, _ in history.marketing]
    slices = [
        *(index % parts for index in range(len(history.orders))),
        *(index % parts for index in range(len(history.service_costs))),
        *(index % parts for index in range(len(history.marketing))),
    ]
    return {(account.pk, day) for day, slice_ in zip(dated, slices, strict=True) if slice_ == part}


def _snapshot() -> dict[int, dict[str, object]]:
    result = {}
    for insight in AccountInsight.objects.all():
        row: dict[str, object] = {name: getattr(insight, name) for name in MONEY_FIELDS}
        row["net_profit_12m"] = insight.net_profit_12m
        for name in ["orders_total", "orders_12m", "recency_days", "tenure_days", "tier", "profit_class"]:
            row[name] = getattr(insight, name)
        result[insight.account_id] = row
    return result


DERIVED_FIELDS = ["segment_id", "churn_risk", "churn_factors", "churn_risk_previous", "churn_risk_changed_on"]


def _derived() -> dict[int, tuple[object, ...]]:
    """What follows from the metrics (no reference computes these; both paths must agree on them)."""
    return {row[0]: row[1:] for row in AccountInsight.objects.values_list("account_id", *DERIVED_FIELDS)}


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=st.lists(histories, min_size=1, max_size=4))
def test_incremental_full_and_reference_computations_agree(generated):
    try:
        with transaction.atomic():
            product = ProductFactory()
            accounts = [AccountFactory() for _ in generated]
            dated = [_dated(history) for history in generated]
            insights_recompute_all(as_of=D, full=True)

            # Incremental: the history arrives in two batches, each followed by a refresh of its accounts:
            # the first of only the days its orders, costs and spend fall on, the second of whole accounts.
            for part in range(2):
                days = set()
                for account, history in zip(accounts, dated, strict=True):
                    _write(account, history, product, part, 2)
                    days |= _days(account, history, part, 2)
                if part == 0:
                    insights_refresh_accounts(account_ids=[a.pk for a in accounts], days=days, as_of=D)
                else:
                    insights_refresh_accounts(account_ids=[a.pk for a in accounts], as_of=D)
            incremental, incremental_derived = _snapshot(), _derived()

            insights_recompute_all(as_of=D, full=True)
            full, full_derived = _snapshot(), _derived()

            expected = {
                account.pk: metrics(history, D) for account, history in zip(accounts, dated, strict=True)
            }
            classes = profit_classes({pk: row["net_profit_12m"] for pk, row in expected.items()})  # type: ignore[misc]
            for pk, row in expected.items():
                row["profit_class"] = classes[pk]

            assert incremental == full
            assert incremental_derived == full_derived
            assert full == expected
            raise _Rollback
    except _Rollback:
        pass
