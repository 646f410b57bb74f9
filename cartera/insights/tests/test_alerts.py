"""Disconnection alerts: an account gone longer without contact than its segment allows is flagged with
the days overdue, and each user's list holds exactly the accounts they may see (or own)."""

from __future__ import annotations

import datetime as dt

import pytest

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.coverage.tests.factories import AccountTeamMemberFactory
from cartera.insights.models import AccountInsight, Segment, ServiceModel
from cartera.insights.segment_services import (
    segment_create,
    segment_delete,
    service_model_create,
    service_model_update,
)
from cartera.insights.selectors import disconnection_alerts
from cartera.insights.services import insights_recompute_all
from cartera.insights.tests.builders import D, days_before
from cartera.relationship.tests.factories import InteractionFactory
from cartera.users.models import Role

pytestmark = pytest.mark.django_db


def service_model(name: str, max_days: int) -> ServiceModel:
    return service_model_create(
        actor=None,
        name=name,
        coverage="shared",
        max_days_without_contact=max_days,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )


def default_segment(max_days: int = 30) -> Segment:
    return segment_create(
        actor=None,
        name="Todos",
        priority=100,
        service_model=service_model("Equipo", max_days),
        is_default=True,
    )


def created_on(account: Account, day: dt.date) -> Account:
    """Backdate the account's creation (the start of its contact clock when it was never contacted)."""
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    Account.objects.filter(pk=account.pk).update(created_at=moment)
    return account


def contacted(account: Account, day: dt.date) -> None:
    InteractionFactory(
        account=account, occurred_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC), occurred_on=day
    )


def alert_state(account: Account) -> tuple[int | None, bool, int]:
    row = AccountInsight.objects.get(account=account)
    return (row.days_without_contact, row.is_disconnected, row.days_overdue)


def test_an_account_is_flagged_only_once_its_last_contact_is_older_than_the_limit():
    default_segment(max_days=30)
    on_the_limit, one_over, long_ago = (created_on(AccountFactory(), dt.date(2025, 1, 1)) for _ in range(3))
    contacted(on_the_limit, days_before(30))
    contacted(one_over, days_before(31))
    contacted(long_ago, days_before(400))
    contacted(long_ago, days_before(100))

    insights_recompute_all(as_of=D, full=True)

    assert alert_state(on_the_limit) == (30, False, 0)
    assert alert_state(one_over) == (31, True, 1)
    assert alert_state(long_ago) == (100, True, 70)


def test_an_account_never_contacted_counts_from_its_creation_and_later_contacts_do_not_count():
    default_segment(max_days=30)
    old = created_on(AccountFactory(), days_before(45))
    exactly = created_on(AccountFactory(), days_before(30))
    contacted_after = created_on(AccountFactory(), days_before(45))
    contacted(contacted_after, days_before(-5))  # after the reference date
    recent = created_on(AccountFactory(), days_before(10))

    insights_recompute_all(as_of=D, full=True)

    assert alert_state(old) == (None, True, 15)
    assert alert_state(exactly) == (None, False, 0)
    assert alert_state(contacted_after) == (None, True, 15)
    assert alert_state(recent) == (None, False, 0)


def test_each_account_is_held_to_its_own_segments_limit():
    strict = service_model("Dedicado", 10)
    segment_create(
        actor=None,
        name="Santiago",
        priority=10,
        service_model=strict,
        rule={"all": [{"field": "region", "op": "=", "value": "CL-RM"}]},
    )
    default_segment(max_days=60)
    santiago = created_on(AccountFactory(region="CL-RM"), dt.date(2025, 1, 1))
    valparaiso = created_on(AccountFactory(region="CL-VS"), dt.date(2025, 1, 1))
    contacted(santiago, days_before(20))
    contacted(valparaiso, days_before(20))

    insights_recompute_all(as_of=D, full=True)

    assert alert_state(santiago) == (20, True, 10)
    assert alert_state(valparaiso) == (20, False, 0)


def test_without_a_segment_no_account_is_flagged_and_an_old_flag_is_cleared(
    django_capture_on_commit_callbacks,
):
    segment = default_segment(max_days=30)
    account = created_on(AccountFactory(), dt.date(2025, 1, 1))
    contacted(account, days_before(90))
    insights_recompute_all(as_of=D, full=True)
    assert alert_state(account) == (90, True, 60)
    assert AccountInsight.objects.get(account=account).churn_factors["disconnected"] == 10

    with django_capture_on_commit_callbacks(execute=True):
        segment_delete(actor=None, segment=segment)

    assert alert_state(account) == (90, False, 0)
    assert AccountInsight.objects.get(account=account).churn_factors["disconnected"] == 0
    insights_recompute_all(as_of=D, full=True)
    assert alert_state(account) == (90, False, 0)


def test_a_new_contact_limit_applies_after_commit(django_capture_on_commit_callbacks):
    segment = default_segment(max_days=30)
    account = created_on(AccountFactory(), dt.date(2025, 1, 1))
    contacted(account, days_before(40))
    insights_recompute_all(as_of=D, full=True)
    assert alert_state(account) == (40, True, 10)

    with django_capture_on_commit_callbacks(execute=True):
        service_model_update(
            actor=None, service_model=segment.service_model, expected_version=1, max_days_without_contact=60
        )

    assert alert_state(account) == (40, False, 0)


@pytest.fixture
def disconnected_world(world):
    """The shared world, every account created long ago and last contacted 100, 50 and 200 days ago."""
    default_segment(max_days=30)
    for account, days in ((world.in_portfolio, 100), (world.on_team, 50), (world.elsewhere, 200)):
        created_on(account, dt.date(2025, 1, 1))
        contacted(account, days_before(days))
    insights_recompute_all(as_of=D, full=True)
    return world


def names(alerts) -> list[str]:
    return [row.account.legal_name for row in alerts]


IN_PORTFOLIO, ON_TEAM, ELSEWHERE = (
    "Ferretería Muñoz Limitada",
    "Constructora Los Álamos S.A.",
    "Minera Tamarugal SpA",
)
EVERYONE = [ELSEWHERE, IN_PORTFOLIO, ON_TEAM]  # most overdue first: 170, 70, 20 days


@pytest.mark.parametrize(
    ("role", "visible", "mine"),
    [
        (Role.ADMINISTRATOR, EVERYONE, []),
        (Role.SALES_MANAGER, EVERYONE, []),
        (Role.MARKETING_ANALYST, EVERYONE, []),
        (Role.SUPPORT_AGENT, EVERYONE, []),
        (
            Role.ACCOUNT_EXECUTIVE,
            [IN_PORTFOLIO, ON_TEAM],
            [IN_PORTFOLIO],
        ),  # a sponsor on ON_TEAM, not its owner
        (Role.SPECIALIST, [ON_TEAM], []),
    ],
)
def test_each_user_sees_the_alerts_of_the_accounts_they_may_see_and_only_mine_keeps_their_own(
    disconnected_world, role, visible, mine
):
    user = disconnected_world.user(role)

    assert names(disconnection_alerts(user=user)) == visible
    assert names(disconnection_alerts(user=user, only_mine=True)) == mine


def test_the_owner_of_a_portfolio_owns_its_alerts_and_each_alert_names_its_owner(
    disconnected_world, django_assert_num_queries
):
    world = disconnected_world

    with django_assert_num_queries(1):
        rows = [
            (
                row.account.legal_name,
                row.days_overdue,
                row.owner_id,
                row.segment.service_model.max_days_without_contact,
            )
            for row in disconnection_alerts(user=world.other_executive, only_mine=True)
        ]

    assert rows == [
        (ELSEWHERE, 170, world.other_executive.pk, 30),
        (ON_TEAM, 20, world.other_executive.pk, 30),
    ]
    assert [row.owner_id for row in disconnection_alerts(user=world.manager)] == [
        world.other_executive.pk,
        world.executive.pk,
        world.other_executive.pk,
    ]


def test_an_account_outside_any_portfolio_is_owned_by_its_responsible_salesperson(world):
    default_segment(max_days=30)
    loose = created_on(AccountFactory(legal_name="Sin Cartera Ltda.", portfolio=None), dt.date(2025, 1, 1))
    AccountTeamMemberFactory(account=loose, user=world.executive, role="responsible")
    AccountTeamMemberFactory(account=loose, user=world.specialist, role="specialist")
    insights_recompute_all(as_of=D, full=True)

    [alert] = [
        row for row in disconnection_alerts(user=world.executive, only_mine=True) if row.account == loose
    ]

    assert (alert.owner_id, alert.days_overdue) == (world.executive.pk, (D - dt.date(2025, 1, 1)).days - 30)
    assert names(disconnection_alerts(user=world.specialist, only_mine=True)) == []
