"""Churn risk, factor by factor, with the points worked out by hand from the rules in churn.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.insights.churn import FACTORS
from cartera.insights.models import AccountInsight
from cartera.insights.segment_services import segment_create, service_model_create
from cartera.insights.services import insights_recompute_all, insights_refresh_accounts
from cartera.insights.tests.builders import D, buy, days_before
from cartera.relationship.tests.factories import CommitmentFactory, FeedbackFactory, InteractionFactory

pytestmark = pytest.mark.django_db

NO_FACTORS = dict.fromkeys(FACTORS, 0)


def churn(account: Account) -> tuple[int, dict[str, int]]:
    insights_recompute_all(as_of=D, full=True)
    row = AccountInsight.objects.get(account=account)
    return row.churn_risk, row.churn_factors


def orders_on(account: Account, *days: int) -> None:
    for days_ago in days:
        buy(account, days_before(days_ago))


@pytest.mark.parametrize(
    ("days", "points"),
    [
        ((90, 60, 30), 0),  # every 30 days, last 30 days ago: ratio 1
        ((105, 75, 45), 9),  # ratio 1.5: (1.5 - 1) × 17.5 = 8.75
        ((120, 90, 60), 18),  # ratio 2: 17.5, rounded half up
        ((150, 120, 90), 35),  # ratio 3
        ((260, 230, 200), 35),  # ratio 6.7: capped at 35
        ((70, 65, 60), 35),  # usual gap 5 days, 60 since the last
        ((61, 61, 60), 35),  # usual gap 0.5 day counts as 1 day: ratio 60
    ],
)
def test_recency_is_measured_against_the_accounts_own_usual_gap_between_orders(days, points):
    account = AccountFactory()
    orders_on(account, *days)

    assert churn(account) == (points, {**NO_FACTORS, "recency": points})


@pytest.mark.parametrize(
    ("days_ago", "points"),
    [
        (100, 0),
        (182, 0),  # up to half a window: nothing
        (364, 17),  # (364 - 182) × 35 / 365 = 17.45
    ],
)
def test_a_one_order_account_scores_recency_by_the_age_of_its_order(days_ago, points):
    account = AccountFactory()
    orders_on(account, days_ago)

    assert churn(account) == (points, {**NO_FACTORS, "recency": points})


def test_a_one_order_account_scores_full_recency_at_three_half_windows_with_the_fall_to_zero_orders():
    account = AccountFactory()
    orders_on(account, 546)  # in the window before: 1 order then, 0 now

    assert churn(account) == (60, {**NO_FACTORS, "recency": 35, "orders_falling": 25})


# Eight orders in the window before (every 40 days from 700 to 420 days ago).
PREVIOUS_YEAR = (700, 660, 620, 580, 540, 500, 460, 420)


@pytest.mark.parametrize(
    ("this_year", "points"),
    [
        ((200, 10), 19),  # 8 -> 2: 25 × 6 / 8 = 18.75
        ((300, 200, 100, 10), 13),  # 8 -> 4: 12.5, rounded half up
        ((350, 300, 250, 200, 150, 100, 50, 10), 0),  # 8 -> 8: no fall
        ((330, 290, 250, 210, 170, 130, 90, 50, 30, 10), 0),  # 8 -> 10: a rise
    ],
)
def test_orders_falling_compares_the_window_with_the_window_before(this_year, points):
    account = AccountFactory()
    orders_on(account, *PREVIOUS_YEAR, *this_year)

    risk, factors = churn(account)

    assert factors["recency"] == 0  # the last order is recent for every case
    assert (risk, factors) == (points, {**NO_FACTORS, "orders_falling": points})


def test_orders_falling_ignores_orders_more_than_two_windows_back_and_after_the_reference_date():
    account = AccountFactory()
    # 730 days back is just outside the window before, 365 days back just inside it; -3 is after D.
    orders_on(account, 800, 730, 365, 10, -3)

    # window before: 1 order (365 days ago); this window: 1 (10 days ago): no fall. Counting the order
    # 730 days back would make it 2 -> 1 (13 points).
    assert churn(account) == (0, NO_FACTORS)


@pytest.mark.parametrize(("broken", "points"), [(1, 5), (2, 10), (3, 15), (4, 15)])
def test_broken_commitments_count_five_points_each_up_to_fifteen(broken, points):
    account = AccountFactory()
    for number in range(broken):
        CommitmentFactory(
            account=account,
            status="broken",
            due_date=days_before(30 + number),
            resolved_on=days_before(20 + number),
        )
    CommitmentFactory(account=account, status="kept", due_date=days_before(10), resolved_on=days_before(10))
    CommitmentFactory(
        account=account, status="broken", due_date=days_before(400), resolved_on=days_before(390)
    )

    assert churn(account) == (points, {**NO_FACTORS, "broken_commitments": points})


def test_an_overdue_open_commitment_counts_as_broken():
    account = AccountFactory()
    CommitmentFactory(account=account, status="open", due_date=days_before(3))
    CommitmentFactory(account=account, status="open", due_date=days_before(-3))  # not yet due

    assert churn(account) == (5, {**NO_FACTORS, "broken_commitments": 5})


@pytest.mark.parametrize(("open_complaints", "points"), [(1, 8), (2, 15), (3, 15)])
def test_open_complaints_count_eight_points_each_up_to_fifteen(open_complaints, points):
    account = AccountFactory()
    statuses = ["open", "in_progress", "open"]
    for number in range(open_complaints):
        FeedbackFactory(
            account=account, kind="complaint", status=statuses[number], date=days_before(5 + number)
        )
    FeedbackFactory(account=account, kind="complaint", status="closed", date=days_before(5))
    FeedbackFactory(account=account, kind="suggestion", status="open", date=days_before(5))
    FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(-1))  # after D

    assert churn(account) == (points, {**NO_FACTORS, "open_complaints": points})


def test_a_disconnected_account_scores_ten_points():
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=30,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    segment_create(actor=None, name="Todos", priority=100, service_model=team, is_default=True)
    gone, near = AccountFactory(), AccountFactory()
    for account, days in ((gone, 31), (near, 30)):
        InteractionFactory(
            account=account,
            occurred_at=dt.datetime.combine(days_before(days), dt.time(12), tzinfo=dt.UTC),
            occurred_on=days_before(days),
        )

    assert churn(gone) == (10, {**NO_FACTORS, "disconnected": 10})
    assert churn(near) == (0, NO_FACTORS)


def test_every_factor_at_its_maximum_adds_up_to_one_hundred_and_each_is_stored_by_name():
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=30,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    segment_create(actor=None, name="Todos", priority=100, service_model=team, is_default=True)
    account = AccountFactory()
    Account.objects.filter(pk=account.pk).update(created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    orders_on(account, *PREVIOUS_YEAR)  # usual gap 40 days, last 420 days ago; none this window
    for number in range(3):
        CommitmentFactory(
            account=account, status="broken", due_date=days_before(30 + number), resolved_on=days_before(20)
        )
    FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(5))
    FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(6))

    risk, factors = churn(account)

    assert factors == {
        "recency": 35,
        "orders_falling": 25,
        "broken_commitments": 15,
        "open_complaints": 15,
        "disconnected": 10,
    }
    assert risk == sum(factors.values()) == 100


def test_the_stored_factors_name_every_factor_and_add_up_to_the_score():
    account = AccountFactory()
    orders_on(account, 120, 90, 60)  # recency 18
    CommitmentFactory(account=account, status="broken", due_date=days_before(30), resolved_on=days_before(20))
    FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(5))
    quiet = AccountFactory()

    risk, factors = churn(account)

    assert set(factors) == set(FACTORS)
    assert all(type(points) is int for points in factors.values())
    assert (risk, factors) == (
        31,
        {**NO_FACTORS, "recency": 18, "broken_commitments": 5, "open_complaints": 8},
    )
    assert churn(quiet) == (0, NO_FACTORS)


def test_an_incremental_refresh_scores_churn_as_a_full_recomputation_does():
    steady, fading = AccountFactory(), AccountFactory()
    orders_on(steady, 90, 60, 30)
    orders_on(fading, *PREVIOUS_YEAR, 200, 10)
    insights_recompute_all(as_of=D, full=True)
    full = dict(AccountInsight.objects.values_list("account_id", "churn_factors"))
    AccountInsight.objects.update(churn_risk=0, churn_factors={})

    insights_refresh_accounts(account_ids=[steady.pk, fading.pk], as_of=D)

    assert dict(AccountInsight.objects.values_list("account_id", "churn_factors")) == full
    assert full[fading.pk]["orders_falling"] == 19


class _Rollback(Exception):
    pass


def _previous_risk_after(path) -> dict[int, tuple[int, int | None, dt.date | None]]:
    """Run one recomputation path and read churn risk with its previous value and change date, then
    undo it, so another path can start from the same state."""
    rows: dict[int, tuple[int, int | None, dt.date | None]] = {}
    try:
        with transaction.atomic():
            path()
            rows = {
                pk: (risk, previous, changed_on)
                for pk, risk, previous, changed_on in AccountInsight.objects.values_list(
                    "account_id", "churn_risk", "churn_risk_previous", "churn_risk_changed_on"
                )
            }
            raise _Rollback
    except _Rollback:
        pass
    return rows


def test_a_first_score_has_no_previous_risk():
    account = AccountFactory()
    orders_on(account, 260, 230, 200)

    insights_recompute_all(as_of=D, full=True)

    row = AccountInsight.objects.get(account=account)
    assert (row.churn_risk, row.churn_risk_previous, row.churn_risk_changed_on) == (35, None, None)


def test_a_changed_risk_keeps_the_value_before_and_the_date_on_both_paths():
    steady, untouched = AccountFactory(), AccountFactory()
    orders_on(steady, 90, 60, 30)
    orders_on(untouched, 260, 230, 200)
    insights_recompute_all(as_of=D, full=True)
    FeedbackFactory(account=steady, kind="complaint", status="open", date=days_before(2))
    later = D + dt.timedelta(days=1)

    incremental = _previous_risk_after(
        lambda: insights_refresh_accounts(account_ids=[steady.pk], as_of=later)
    )
    full = _previous_risk_after(lambda: insights_recompute_all(as_of=later, full=True))

    # 8 for the complaint, 1 for recency: 31 days since the last order against a usual gap of 30.
    assert incremental[steady.pk] == full[steady.pk] == (9, 0, later)
    assert incremental[untouched.pk] == full[untouched.pk] == (35, None, None)


def test_an_unchanged_risk_keeps_the_last_change():
    account = AccountFactory()
    orders_on(account, 90, 60, 30)
    insights_recompute_all(as_of=D, full=True)
    FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(2))
    insights_refresh_accounts(account_ids=[account.pk], as_of=D)

    insights_recompute_all(as_of=D, full=True)
    insights_refresh_accounts(account_ids=[account.pk], as_of=D)

    row = AccountInsight.objects.get(account=account)
    assert (row.churn_risk, row.churn_risk_previous, row.churn_risk_changed_on) == (8, 0, D)


def test_a_risk_that_falls_back_keeps_the_higher_value_as_previous():
    account = AccountFactory()
    orders_on(account, 90, 60, 30)
    complaint = FeedbackFactory(account=account, kind="complaint", status="open", date=days_before(2))
    insights_recompute_all(as_of=D, full=True)
    complaint.status = "closed"
    complaint.save()
    later = D + dt.timedelta(days=3)

    insights_refresh_accounts(account_ids=[account.pk], as_of=later)

    row = AccountInsight.objects.get(account=account)
    # 33 days since the last order, usual gap 30: (1.1 - 1) × 17.5 = 1.75, so 2.
    assert (row.churn_risk, row.churn_risk_previous, row.churn_risk_changed_on) == (2, 8, later)
