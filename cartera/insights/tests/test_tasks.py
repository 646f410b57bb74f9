"""Writes by any service bring the account's insights up to date after commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory
from cartera.costs.services import service_cost_record
from cartera.insights.models import AccountInsight
from cartera.relationship.services import interaction_log, referral_create

pytestmark = pytest.mark.django_db


def test_an_order_placed_through_the_service_refreshes_the_account_after_commit(
    django_capture_on_commit_callbacks,
):
    account = AccountFactory()
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        order_create(
            actor=None,
            account=account,
            number="OC-1",
            date=today,
            lines=[LineInput(product=ProductFactory(), quantity=Decimal("2"), unit_price=Decimal("1500.00"))],
        )

    insight = AccountInsight.objects.get(account=account)
    assert (insight.tier, insight.orders_total, insight.revenue_12m) == ("buyer", 1, Decimal("3000.00"))


def test_costs_interactions_and_referrals_refresh_too(django_capture_on_commit_callbacks):
    account = AccountFactory()
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        service_cost_record(actor=None, account=account, date=today, kind="visits", amount=Decimal("80000"))
        interaction_log(actor=None, account=account, kind="call", summary="Seguimiento")
        referral_create(actor=None, account=account, date=today, kind="referral", referred_company="Otra SpA")

    insight = AccountInsight.objects.get(account=account)
    assert insight.cost_to_serve_12m == Decimal("80000.00")
    assert insight.net_profit_12m == Decimal("-80000.00")
    assert insight.last_interaction_date == today
    assert insight.days_without_contact == 0
    assert insight.referrals_recent == 1


def test_nothing_is_queued_when_the_write_fails(django_capture_on_commit_callbacks):
    account = AccountFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        service_cost_record(
            actor=None, account=account, date=timezone.localdate(), kind="no-such-kind", amount=Decimal("1")
        )

    assert callbacks == []
    assert not AccountInsight.objects.filter(account=account).exists()


def test_a_refresh_by_days_rebuilds_only_those_days_facts(django_capture_on_commit_callbacks):
    from cartera.commerce.models import Order, OrderLine
    from cartera.commerce.services import orders_bulk_create
    from cartera.insights.models import AccountDay
    from cartera.insights.tasks import queue_insights_refresh

    account = AccountFactory()
    product = ProductFactory()
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    orders = [Order(account=account, number=f"B-{n}", date=day) for n, day in enumerate((yesterday, today))]
    lines = [
        OrderLine(order=order, product=product, quantity=Decimal("1"), unit_price=Decimal("100.00"))
        for order in orders
    ]
    orders_bulk_create(actor=None, orders=orders, lines=lines, source="test", refresh_insights=False)

    with django_capture_on_commit_callbacks(execute=True):
        queue_insights_refresh([], days=[(account.pk, today)])

    assert list(AccountDay.objects.filter(account=account).values_list("date", "revenue_cents")) == [
        (today, 10000)
    ]
    insight = AccountInsight.objects.get(account=account)
    assert (insight.orders_total, insight.revenue_12m) == (1, Decimal("100.00"))


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_outside_a_transaction_cleans_up_after_itself():
    """At top level (the nightly command, the benchmark) a full recomputation also vacuums the facts and
    the snapshot on PostgreSQL; it must commit first and leave the figures as computed."""
    from cartera.commerce.models import Order, OrderLine
    from cartera.commerce.services import orders_bulk_create
    from cartera.insights.services import insights_recompute_all

    account = AccountFactory()
    order = Order(account=account, number="V-1", date=timezone.localdate())
    line = OrderLine(
        order=order, product=ProductFactory(), quantity=Decimal("2"), unit_price=Decimal("50.00")
    )
    orders_bulk_create(actor=None, orders=[order], lines=[line], source="test", refresh_insights=False)

    insights_recompute_all(full=True)

    insight = AccountInsight.objects.get(account=account)
    assert (insight.orders_total, insight.revenue_12m) == (1, Decimal("100.00"))


def test_each_write_rebuilds_only_the_daily_facts_it_touched(django_capture_on_commit_callbacks, monkeypatch):
    """An order or a cost rebuilds the facts of its own (account, day); an interaction rebuilds none,
    since interactions are not money facts. Whole-account rebuilds would read the account's history."""
    from cartera.insights import services

    rebuilt: list[dict] = []
    original = services.facts_rebuild

    def recording_facts_rebuild(**kwargs):
        rebuilt.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "facts_rebuild", recording_facts_rebuild)
    account = AccountFactory()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        order_create(
            actor=None,
            account=account,
            number="OC-2",
            date=today - dt.timedelta(days=3),
            lines=[LineInput(product=ProductFactory(), quantity=Decimal("1"), unit_price=Decimal("1000.00"))],
        )
    with django_capture_on_commit_callbacks(execute=True):
        service_cost_record(
            actor=None,
            account=account,
            date=today - dt.timedelta(days=1),
            kind="visits",
            amount=Decimal("10"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        interaction_log(
            actor=None, account=account, kind="call", occurred_at=timezone.now(), summary="Llamada"
        )

    assert rebuilt == [
        {"days": [(account.pk, today - dt.timedelta(days=3))]},
        {"days": [(account.pk, today - dt.timedelta(days=1))]},
        {"days": []},
    ]
    insight = AccountInsight.objects.get(account=account)
    assert insight.revenue_12m == Decimal("1000.00")
    assert insight.cost_to_serve_12m == Decimal("10.00")
    assert insight.last_interaction_date == today


def test_a_product_cost_change_rebuilds_only_the_days_of_lines_that_take_its_cost(
    django_capture_on_commit_callbacks, monkeypatch
):
    from cartera.commerce.services import product_update
    from cartera.insights import services
    from cartera.insights.models import AccountDay

    rebuilt: list[dict] = []
    original = services.facts_rebuild

    def recording_facts_rebuild(**kwargs):
        rebuilt.append(kwargs)
        return original(**kwargs)

    account = AccountFactory()
    today = timezone.localdate()
    product = ProductFactory(unit_cost=Decimal("600.00"))
    with django_capture_on_commit_callbacks(execute=True):
        for number, days_ago, cost in (("OC-1", 10, None), ("OC-2", 5, Decimal("500.00")), ("OC-3", 2, None)):
            order_create(
                actor=None,
                account=account,
                number=number,
                date=today - dt.timedelta(days=days_ago),
                lines=[
                    LineInput(
                        product=product, quantity=Decimal("1"), unit_price=Decimal("1000"), unit_cost=cost
                    )
                ],
            )
    monkeypatch.setattr(services, "facts_rebuild", recording_facts_rebuild)

    with django_capture_on_commit_callbacks(execute=True):
        product_update(
            actor=None, product=product, expected_version=product.version, unit_cost=Decimal("700.00")
        )

    # OC-2 carries a cost of its own: its day is left alone
    assert rebuilt == [
        {"days": [(account.pk, today - dt.timedelta(days=10)), (account.pk, today - dt.timedelta(days=2))]}
    ]
    assert list(AccountDay.objects.filter(account=account).order_by("date").values_list("cogs_cents")) == [
        (70000,),
        (50000,),
        (70000,),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refresh_waits_while_another_transaction_writes_the_snapshot():
    """Writers of the snapshot take turns (lock_snapshot): a refresh that finds a recomputation under way
    waits for it instead of writing rows the recomputation would then overwrite with older figures."""
    import threading

    from django.db import OperationalError, connection, connections, transaction

    from cartera.insights.services import insights_recompute_all, insights_refresh_accounts
    from cartera.insights.services_support import lock_snapshot

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in already")
    account = AccountFactory()
    insights_recompute_all()
    outcome: dict[str, object] = {}

    def refresh() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                insights_refresh_accounts(account_ids=[account.pk])
            outcome["refresh"] = "written"
        except OperationalError as error:
            outcome["refresh"] = f"waited: {error}"
        finally:
            connections.close_all()

    with transaction.atomic(), connection.cursor() as cursor:
        lock_snapshot(cursor)  # a writer holds the snapshot
        worker = threading.Thread(target=refresh)
        worker.start()
        worker.join(timeout=30)
    assert str(outcome["refresh"]).startswith("waited: canceling statement due to lock timeout")

    worker = threading.Thread(target=refresh)  # the lock released, the same refresh goes through
    worker.start()
    worker.join(timeout=30)
    assert outcome["refresh"] == "written"


def test_every_writer_of_the_snapshot_takes_its_lock_before_writing():
    """A refresh and a re-segmentation take the lock a recomputation takes (test_metrics checks that
    one), before their first write to the snapshot: two of them at once would otherwise rank the classes
    over each other's half-written rows, or deadlock updating the same rows in different orders."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cartera.insights.segment_services import segments_reassign
    from cartera.insights.services import insights_recompute_all, insights_refresh_accounts

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in already")
    account = AccountFactory()
    insights_recompute_all()
    table = AccountInsight._meta.db_table
    for write in (lambda: insights_refresh_accounts(account_ids=[account.pk]), segments_reassign):
        with CaptureQueriesContext(connection) as captured:
            write()
        statements = [query["sql"] for query in captured.captured_queries]
        locks = [n for n, sql in enumerate(statements) if sql.startswith(f"LOCK TABLE {table} IN SHARE ROW")]
        writes = [
            n for n, sql in enumerate(statements) if re.match(rf"\s*(INSERT INTO|UPDATE) {table}\b", sql)
        ]
        assert locks and writes and locks[0] < writes[0], statements
