"""The metric definitions of DESIGN.md, boundary by boundary, through the full and incremental paths."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cartera.accounts.tests.factories import AccountFactory
from cartera.costs.tests.factories import MarketingSpendFactory, ServiceCostFactory
from cartera.insights.models import AccountInsight
from cartera.insights.services import insights_recompute_all, insights_refresh_accounts
from cartera.insights.tests.builders import D, buy, days_before
from cartera.relationship.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def snapshot(account) -> AccountInsight:
    insights_recompute_all(as_of=D, full=True)
    return AccountInsight.objects.get(account=account)


def test_line_revenue_applies_discount_and_cost_uses_the_line_cost_else_the_product_cost():
    account = AccountFactory()
    buy(account, days_before(10), quantity="3", price="1000.00", discount="12.5")  # product cost 600
    buy(account, days_before(20), quantity="2", price="500.00", cost="100.00")

    insight = snapshot(account)

    assert insight.revenue_12m == Decimal("3625.00")  # 3 × 1000 × 0.875 + 2 × 500
    assert insight.cogs_12m == Decimal("2000.00")  # 3 × 600 + 2 × 100
    assert insight.gross_margin_12m == Decimal("1625.00")
    assert insight.avg_discount_pct == Decimal("9.38")  # 375 discounted of 4000 gross


def test_cost_to_serve_and_marketing_count_only_inside_the_window():
    account = AccountFactory()
    buy(account, days_before(1), price="10000.00")
    ServiceCostFactory(account=account, date=days_before(364), amount=Decimal("700.00"))
    ServiceCostFactory(account=account, date=days_before(365), amount=Decimal("999.00"))
    MarketingSpendFactory(account=account, date=D, amount=Decimal("300.00"))
    MarketingSpendFactory(account=account, date=days_before(-1), amount=Decimal("888.00"))

    insight = snapshot(account)

    assert insight.cost_to_serve_12m == Decimal("700.00")
    assert insight.marketing_spend_12m == Decimal("300.00")
    assert insight.net_profit_12m == Decimal("10000.00") - Decimal("600.00") - Decimal("700.00") - Decimal(
        "300.00"
    )


def test_an_order_exactly_365_days_before_is_outside_the_window_and_364_inside():
    account = AccountFactory()
    buy(account, days_before(365), price="1.00")
    buy(account, days_before(364), price="2.00")

    insight = snapshot(account)

    assert insight.orders_12m == 1
    assert insight.orders_total == 2
    assert insight.revenue_12m == Decimal("2.00")


def test_orders_after_the_reference_date_are_ignored():
    account = AccountFactory()
    buy(account, days_before(30))
    buy(account, days_before(-1))

    insight = snapshot(account)

    assert insight.orders_total == 1
    assert insight.tier == "buyer"
    assert insight.recency_days == 30
    assert insight.tenure_days == 30


@pytest.mark.parametrize(
    ("order_days", "referral_days", "expected"),
    [
        ([], [], "prospect"),
        ([400], [], "buyer"),
        ([10], [], "buyer"),
        ([400, 10], [], "sporadic"),
        ([1, 2, 3], [], "sporadic"),  # 3 orders in the window
        ([1, 2, 3, 4], [], "frequent"),  # 4 orders in the window
        ([1, 2, 3, 365], [], "sporadic"),  # the fourth is exactly 365 days back: outside
        ([1, 2, 3, 4, 729], [100], "frequent"),  # tenure 729 days: not yet loyal
        ([1, 2, 3, 4, 730], [100], "loyal"),  # tenure 730 days
        ([1, 2, 3, 4, 730], [], "frequent"),  # no referral
        ([1, 2, 3, 4, 730], [729], "loyal"),  # referral 729 days old counts
        ([1, 2, 3, 4, 730], [730], "frequent"),  # exactly 730 days old: outside
        ([1, 2, 3, 4, 730], [731], "frequent"),
        ([1, 2, 3, 4, 730], [-1], "frequent"),  # a referral after D does not count
    ],
)
def test_loyalty_tier_boundaries(order_days, referral_days, expected):
    account = AccountFactory()
    for days in order_days:
        buy(account, days_before(days))
    for days in referral_days:
        ReferralFactory(account=account, date=days_before(days))

    assert snapshot(account).tier == expected


def test_profit_classes_rank_by_cumulative_share_and_flag_losses():
    # Net profits 700, 150, 100, 50 (total 1000) and one loss-making account.
    accounts = [AccountFactory() for _ in range(5)]
    for account, margin in zip(accounts[:4], ["700.00", "150.00", "100.00", "50.00"], strict=True):
        buy(account, days_before(5), price=margin, cost="0")
    buy(accounts[4], days_before(5), price="100.00", cost="0")
    ServiceCostFactory(account=accounts[4], date=days_before(5), amount=Decimal("250.00"))

    insights_recompute_all(as_of=D, full=True)
    classes = [AccountInsight.objects.get(account=a).profit_class for a in accounts]

    # before-shares: 0 % (A), 70 % (A), 85 % (B), 95 % (C); the loss is L
    assert classes == ["A", "A", "B", "C", "L"]


def test_incremental_refresh_gives_the_same_snapshot_as_a_full_recomputation():
    first, second = AccountFactory(), AccountFactory()
    buy(first, days_before(3), price="900.00")
    insights_recompute_all(as_of=D, full=True)
    buy(second, days_before(2), price="400.00")
    buy(first, days_before(1), price="100.00")

    insights_refresh_accounts(account_ids=[first.pk, second.pk], as_of=D)
    incremental = list(AccountInsight.objects.order_by("pk").values())
    insights_recompute_all(as_of=D, full=True)
    full = list(AccountInsight.objects.order_by("pk").values())

    strip = ["updated_at"]
    assert [{k: v for k, v in row.items() if k not in strip} for row in incremental] == [
        {k: v for k, v in row.items() if k not in strip} for row in full
    ]


def test_an_account_whose_class_moves_because_of_another_is_re_segmented_by_an_incremental_refresh():
    from cartera.insights.defaults import create_default_segments
    from cartera.insights.segment_services import segment_create, service_model_create

    model = service_model_create(
        actor=None,
        name="Dedicado",
        coverage="dedicated",
        max_days_without_contact=30,
        first_response_hours=4,
        resolution_hours=24,
        review_cadence_days=90,
    )
    create_default_segments(actor=None)
    top = segment_create(
        actor=None,
        name="Solo A",
        priority=1,
        service_model=model,
        rule={"all": [{"field": "profit_class", "op": "=", "value": "A"}]},
    )
    leader, challenger = AccountFactory(), AccountFactory()
    buy(leader, days_before(5), price="1000.00", cost="0")
    buy(challenger, days_before(5), price="10.00", cost="0")
    insights_recompute_all(as_of=D, full=True)
    assert AccountInsight.objects.get(account=leader).segment == top

    # Only the challenger is refreshed, but its new profit pushes the leader out of class A.
    buy(challenger, days_before(4), price="100000.00", cost="0")
    insights_refresh_accounts(account_ids=[challenger.pk], as_of=D)
    incremental = AccountInsight.objects.get(account=leader)
    insights_recompute_all(as_of=D, full=True)
    full = AccountInsight.objects.get(account=leader)

    assert (incremental.profit_class, incremental.segment_id) == (full.profit_class, full.segment_id)
    assert incremental.segment != top


@pytest.mark.parametrize(
    ("changed", "price", "moved"),
    [
        # A new whale: the boundaries climb over unchanged rows, which fall from A to B and from B to C.
        (0, "5000.00", {"A": "B", "B": "C"}),
        # The top account turns to a loss: the C boundary sinks below an unchanged row, now B.
        (19, "-1.00", {"C": "B"}),
    ],
)
def test_a_refresh_of_some_accounts_reclassifies_the_unchanged_rows_the_boundaries_moved_over(
    changed, price, moved
):
    # Twenty accounts with net profits 10, 20, ... 200: A, B and C each span several of them.
    accounts = [AccountFactory() for _ in range(20)]
    for rank, account in enumerate(accounts, start=1):
        buy(account, days_before(5), price=f"{rank * 10}.00", cost="0")
    insights_recompute_all(as_of=D, full=True)
    before = dict(AccountInsight.objects.values_list("account_id", "profit_class"))

    target = accounts[changed]
    if price.startswith("-"):
        ServiceCostFactory(account=target, date=days_before(4), amount=Decimal("1000.00"))
    else:
        buy(target, days_before(4), price=price, cost="0")
    insights_refresh_accounts(days=[(target.pk, days_before(4))], as_of=D)
    incremental = dict(AccountInsight.objects.values_list("account_id", "profit_class"))
    insights_recompute_all(as_of=D, full=True)
    full = dict(AccountInsight.objects.values_list("account_id", "profit_class"))

    assert incremental == full
    shifts = {(before[pk], full[pk]) for pk in full if pk != target.pk and before[pk] != full[pk]}
    assert shifts == set(moved.items())


def statements(captured: CaptureQueriesContext, pattern: str) -> list[str]:
    """The captured statements that begin with `pattern` (a regular expression, case ignored)."""
    return [
        query["sql"] for query in captured.captured_queries if re.match(rf"\s*{pattern}", query["sql"], re.I)
    ]


def test_a_full_recomputation_on_the_same_date_writes_no_row_and_one_on_a_new_date_writes_whole_rows():
    from cartera.insights.defaults import create_default_segments

    create_default_segments(actor=None)
    accounts = [AccountFactory() for _ in range(4)]
    for rank, account in enumerate(accounts, start=1):
        for days in range(rank):
            buy(account, days_before(40 * days + 3), price=f"{rank * 100}.00", cost="0")
    assert insights_recompute_all(as_of=D, full=True).rows_written == 4
    stamps = dict(AccountInsight.objects.values_list("account_id", "updated_at"))

    with CaptureQueriesContext(connection) as unchanged:
        assert insights_recompute_all(as_of=D).rows_written == 0
    assert dict(AccountInsight.objects.values_list("account_id", "updated_at")) == stamps
    table = re.escape(AccountInsight._meta.db_table)
    assert not statements(unchanged, rf"ANALYZE\s+\"?{table}\"?"), "no statistics to refresh: no row written"
    said = {}
    for language in ("es", "en"):
        out = StringIO()
        with translation.override(language):
            call_command("insights", "recompute", "--as-of", D.isoformat(), stdout=out, stderr=StringIO())
        said[language] = out.getvalue()
    assert f"Recalculado al {D}. Cuentas: 4; filas de la foto que cambiaron: 0;" in said["es"]
    assert f"Recomputed as of {D}. Accounts: 4; snapshot rows changed: 0;" in said["en"]

    later = D + dt.timedelta(days=30)
    with CaptureQueriesContext(connection) as captured:
        assert insights_recompute_all(as_of=later).rows_written == 4
    writes = statements(captured, rf"(INSERT INTO|UPDATE)\s+\"?{table}\"?\s")
    assert len(writes) == 1, writes  # the whole rows, written once
    assert statements(captured, rf"ANALYZE\s+\"?{table}\"?")
    rows = {row.account_id: row for row in AccountInsight.objects.all()}
    assert all(rows[pk].updated_at > stamps[pk] for pk in stamps)
    # Every column moved with the date in the same write: recency, the alert and churn that follow it.
    assert {row.as_of for row in rows.values()} == {later}
    assert all(row.churn_factors for row in rows.values())
    assert all(row.segment_id is not None for row in rows.values())


def test_a_full_recomputation_inserts_the_accounts_new_to_the_snapshot_and_rewrites_only_those_that_change():
    from cartera.insights.defaults import create_default_segments
    from cartera.insights.services import facts_rebuild

    create_default_segments(actor=None)
    kept, changed = AccountFactory(), AccountFactory()
    buy(kept, days_before(30), price="10000.00", cost="100.00")  # the top of the ranking, then and after
    buy(changed, days_before(30), price="500.00", cost="100.00")
    insights_recompute_all(as_of=D, full=True)
    stamps = dict(AccountInsight.objects.values_list("account_id", "updated_at"))
    newcomer = AccountFactory()
    buy(newcomer, days_before(5), price="800.00", cost="200.00")
    buy(changed, days_before(2), price="900.00", cost="100.00")
    facts_rebuild()  # the facts take the new orders in; the snapshot does not yet

    table = re.escape(AccountInsight._meta.db_table)
    with CaptureQueriesContext(connection) as captured:
        result = insights_recompute_all(as_of=D)

    assert result.rows_written == 2  # the newcomer's row inserted, the changed account's rewritten
    assert len(statements(captured, rf"(INSERT INTO|UPDATE)\s+\"?{table}\"?\s")) == 1
    if connection.vendor == "postgresql":
        # The only writer while it runs: a refresh waits for it rather than being overwritten by it.
        assert statements(captured, rf"LOCK TABLE\s+{table}\s+IN SHARE ROW EXCLUSIVE MODE")
    rows = {row.account_id: row for row in AccountInsight.objects.all()}
    assert rows[newcomer.pk].revenue_12m == Decimal("800.00")
    assert rows[newcomer.pk].segment_id is not None
    assert rows[newcomer.pk].churn_factors
    assert rows[changed.pk].revenue_12m == Decimal("1400.00")
    assert rows[changed.pk].updated_at > stamps[changed.pk]
    assert rows[kept.pk].updated_at == stamps[kept.pk]
