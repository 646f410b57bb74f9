"""History back-fill, migration matrix, as-of reads, the profitability curve, trust and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from cartera.accounts.tests.factories import AccountFactory
from cartera.costs.tests.factories import ServiceCostFactory
from cartera.insights.models import AccountInsight, TierChange
from cartera.insights.selectors import insights_as_of, tier_migration_matrix, whale_curve
from cartera.insights.services import insights_recompute_all, month_ends, tier_history_backfill
from cartera.insights.tests.builders import D, buy, days_before
from cartera.relationship.tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def test_month_ends_cover_every_month_between_two_dates():
    assert month_ends(dt.date(2026, 1, 15), dt.date(2026, 4, 29)) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]


def test_history_backfill_records_moves_up_and_down_the_ladder():
    rising, fading = AccountFactory(), AccountFactory()
    # rising: one order in January, then three more in March: buyer -> sporadic -> frequent
    buy(rising, dt.date(2026, 1, 10))
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)):
        buy(rising, day)
    # fading: frequent in spring 2025, nothing since, so it falls back to sporadic a year later
    for day in (dt.date(2025, 3, 1), dt.date(2025, 3, 10), dt.date(2025, 3, 20), dt.date(2025, 4, 1)):
        buy(fading, day)
    insights_recompute_all(as_of=D, full=True)

    moves = tier_history_backfill(start=dt.date(2025, 12, 1), end=D)

    recorded = list(
        TierChange.objects.order_by("account_id", "date").values_list(
            "account_id", "date", "from_tier", "to_tier"
        )
    )
    assert recorded == [
        (rising.pk, dt.date(2026, 1, 31), "prospect", "buyer"),
        (rising.pk, dt.date(2026, 3, 31), "buyer", "frequent"),
        (fading.pk, dt.date(2026, 3, 31), "frequent", "sporadic"),
    ]
    assert moves == 3
    assert AccountInsight.objects.get(account=rising).tier_since == dt.date(2026, 3, 31)


def test_migration_matrix_counts_accounts_from_each_tier_to_each_tier():
    rising, steady = AccountFactory(), AccountFactory()
    buy(rising, dt.date(2026, 1, 10))
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)):
        buy(rising, day)
    buy(steady, dt.date(2025, 1, 10))
    insights_recompute_all(as_of=D, full=True)

    matrix = tier_migration_matrix(dt.date(2026, 2, 1), D)

    assert matrix["buyer"]["frequent"] == 1
    assert matrix["buyer"]["buyer"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 2


def test_a_past_date_reads_the_answer_of_that_day_and_changes_nothing_stored():
    account = AccountFactory()
    buy(account, dt.date(2026, 1, 10), price="500.00")
    buy(account, dt.date(2026, 5, 10), price="700.00")
    insights_recompute_all(as_of=D, full=True)

    past = insights_as_of(dt.date(2026, 2, 1), account_ids=[account.pk])

    assert (past[0]["orders_total"], past[0]["revenue_12m_cents"], past[0]["tier"]) == (1, 50000, "buyer")
    stored = AccountInsight.objects.get(account=account)
    assert (stored.orders_total, stored.as_of, stored.tier) == (2, D, "sporadic")


def test_whale_curve_rises_above_the_total_and_falls_back_with_losses():
    winners = [AccountFactory(), AccountFactory()]
    loser = AccountFactory()
    buy(winners[0], days_before(5), price="800.00", cost="0")
    buy(winners[1], days_before(5), price="400.00", cost="0")
    buy(loser, days_before(5), price="100.00", cost="0")
    ServiceCostFactory(account=loser, date=days_before(5), amount=Decimal("300.00"))
    insights_recompute_all(as_of=D, full=True)

    curve = whale_curve()

    # total net profit 800 + 400 - 200 = 1000
    assert [(p.accounts_share, p.profit_share) for p in curve] == [
        (Decimal("0"), Decimal("0")),
        (Decimal("0.3333"), Decimal("0.8000")),
        (Decimal("0.6667"), Decimal("1.2000")),
        (Decimal("1.0000"), Decimal("1.0000")),
    ]


def test_trust_score_counts_overdue_open_commitments_as_broken():
    account = AccountFactory()
    CommitmentFactory(account=account, status="kept", due_date=days_before(20), resolved_on=days_before(21))
    CommitmentFactory(account=account, status="kept", due_date=days_before(40), resolved_on=days_before(40))
    CommitmentFactory(account=account, status="broken", due_date=days_before(60), resolved_on=days_before(50))
    CommitmentFactory(account=account, status="open", due_date=days_before(1))  # overdue: broken
    CommitmentFactory(account=account, status="open", due_date=days_before(-5))  # not yet due
    CommitmentFactory(account=account, status="kept", due_date=days_before(400), resolved_on=days_before(400))
    CommitmentFactory(
        account=account, status="cancelled", due_date=days_before(10), resolved_on=days_before(9)
    )
    empty = AccountFactory()

    insights_recompute_all(as_of=D, full=True)

    insight = AccountInsight.objects.get(account=account)
    assert (insight.commitments_kept, insight.commitments_broken) == (2, 2)
    assert insight.trust_score == Decimal("0.5000")
    assert AccountInsight.objects.get(account=empty).trust_score is None


def test_export_writes_the_documented_columns_with_plain_decimals():
    account = AccountFactory(legal_name="Comercial Ñandú SpA", tax_id="760864285")
    buy(account, days_before(3), quantity="1000", price="1234.56", cost="1000.00")
    insights_recompute_all(as_of=D, full=True)
    out = io.StringIO()

    call_command("insights", "export", "--format", "csv", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "tax_id", "name", "tier", "orders_total", "orders_12m", "revenue_12m", "cogs_12m", "gross_margin_12m",
        "cost_to_serve_12m", "marketing_spend_12m", "net_profit_12m", "recency_days", "tenure_days",
        "profit_class", "segment", "churn_risk", "trust_score", "days_without_contact",
    ]  # fmt: skip
    row = rows[0]
    assert (row["tax_id"], row["name"], row["tier"]) == ("760864285", "Comercial Ñandú SpA", "buyer")
    assert (row["revenue_12m"], row["cogs_12m"], row["gross_margin_12m"]) == (
        "1234560.00",
        "1000000.00",
        "234560.00",
    )
    assert (row["net_profit_12m"], row["profit_class"], row["recency_days"]) == ("234560.00", "A", "3")
    assert row["trust_score"] == ""
