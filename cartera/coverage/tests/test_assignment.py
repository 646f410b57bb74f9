"""Accounts put in portfolios one by one and in bulk, portfolios and territories edited: all or nothing,
audited, version-checked, and the responsible salesperson follows the portfolio."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.accounts.models import Account
from cartera.accounts.services import account_update
from cartera.accounts.tests.factories import AccountFactory
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember, Portfolio
from cartera.coverage.services import (
    accounts_assign_portfolio,
    portfolio_reassign,
    portfolio_update,
    territory_update,
)
from cartera.coverage.tests.factories import PortfolioFactory, TerritoryFactory, TerritoryRegionFactory
from cartera.users.models import Role


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def team(account) -> set[tuple[str, str]]:
    return set(AccountTeamMember.objects.filter(account=account).values_list("user__username", "role"))


def portfolio_of(account) -> str | None:
    stored = Account.objects.select_related("portfolio").get(pk=account.pk)
    return stored.portfolio.name if stored.portfolio else None


# --- bulk and one-by-one assignment -------------------------------------------------------------


def test_a_manager_moves_accounts_into_a_portfolio_and_its_owner_becomes_responsible(world):
    target = world.in_portfolio.portfolio  # the executive's
    loose = AccountFactory(legal_name="Agrícola Suelta Ltda.")  # in no portfolio, nobody on its team

    moved = accounts_assign_portfolio(
        actor=world.manager,
        portfolio=target,
        account_ids=[world.elsewhere.pk, loose.pk, world.in_portfolio.pk],
    )

    # The account already there is not "moved".
    assert sorted(account.pk for account in moved) == sorted([world.elsewhere.pk, loose.pk])
    assert portfolio_of(world.elsewhere) == portfolio_of(loose) == "Cartera Ejecutiva"
    assert team(world.elsewhere) == {("ejecutiva", "responsible")}  # "otro" owned the portfolio it left
    assert team(loose) == {("ejecutiva", "responsible")}
    assert Account.objects.get(pk=world.elsewhere.pk).version == 2
    assert Account.objects.get(pk=world.in_portfolio.pk).version == 1
    records = AuditRecord.objects.filter(object_type="accounts.account").order_by("object_id")
    assert [(r.actor, r.action, r.object_id, r.changes) for r in records] == sorted(
        [
            (
                world.manager,
                "update",
                str(world.elsewhere.pk),
                {"portfolio_id": [world.elsewhere.portfolio_id, target.pk]},
            ),
            (world.manager, "update", str(loose.pk), {"portfolio_id": [None, target.pk]}),
        ],
        key=lambda row: row[2],
    )
    # The executive now sees what they were given.
    assert set(Account.objects.visible_to(world.executive)) >= {world.elsewhere, loose}


def test_a_bulk_assignment_with_an_unknown_account_moves_nothing(world):
    target = world.in_portfolio.portfolio
    missing = Account.objects.order_by("-pk").first().pk + 1000

    with pytest.raises(ValidationError) as refused:
        accounts_assign_portfolio(
            actor=world.manager, portfolio=target, account_ids=[world.elsewhere.pk, missing]
        )

    assert refused.value.code == "unknown_accounts"
    assert str(missing) in refused.value.messages[0]
    assert portfolio_of(world.elsewhere) == "Cartera Otro"
    assert team(world.elsewhere) == {("otro", "responsible")}
    assert AuditRecord.objects.count() == 0


def test_a_bulk_assignment_with_a_stale_account_moves_nothing(world):
    target = world.in_portfolio.portfolio
    Account.objects.filter(pk=world.on_team.pk).update(version=5)

    with pytest.raises(ConflictError):
        accounts_assign_portfolio(
            actor=world.manager,
            portfolio=target,
            account_ids=[world.elsewhere.pk, world.on_team.pk],
            expected_versions={world.elsewhere.pk: 1, world.on_team.pk: 4},
        )

    assert portfolio_of(world.elsewhere) == portfolio_of(world.on_team) == "Cartera Otro"
    assert AuditRecord.objects.count() == 0


def test_a_closed_portfolio_takes_no_accounts(world):
    closed = PortfolioFactory(name="Cerrada", owner=world.other_executive, is_active=False)

    with pytest.raises(ValidationError) as refused:
        accounts_assign_portfolio(actor=world.manager, portfolio=closed, account_ids=[world.in_portfolio.pk])

    assert refused.value.code == "inactive_portfolio"
    assert portfolio_of(world.in_portfolio) == "Cartera Ejecutiva"


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST, Role.MARKETING_ANALYST])
def test_only_managers_assign_accounts_to_portfolios(world, role):
    with pytest.raises(PermissionDeniedError):
        accounts_assign_portfolio(
            actor=world.user(role), portfolio=world.in_portfolio.portfolio, account_ids=[world.elsewhere.pk]
        )

    assert portfolio_of(world.elsewhere) == "Cartera Otro"
    assert AuditRecord.objects.count() == 0


def test_taking_an_account_out_of_its_portfolio_keeps_its_responsible_salesperson(world):
    accounts_assign_portfolio(actor=world.manager, portfolio=None, account_ids=[world.in_portfolio.pk])

    assert portfolio_of(world.in_portfolio) is None
    assert team(world.in_portfolio) == {("ejecutiva", "responsible")}


def test_moving_one_account_on_its_form_makes_the_new_owner_responsible(world):
    account = Account.objects.get(pk=world.elsewhere.pk)

    account_update(
        actor=world.manager, account=account, expected_version=1, portfolio=world.in_portfolio.portfolio
    )

    assert team(world.elsewhere) == {("ejecutiva", "responsible")}


def test_editing_an_account_without_moving_it_leaves_its_team_alone(world):
    account = Account.objects.get(pk=world.on_team.pk)

    account_update(actor=world.manager, account=account, expected_version=1, city="Temuco")

    assert team(world.on_team) == {
        ("otro", "responsible"),
        ("ejecutiva", "sponsor"),
        ("especialista", "specialist"),
    }


# --- portfolio and territory edits --------------------------------------------------------------


def test_a_manager_renames_and_closes_a_portfolio(world):
    portfolio = world.in_portfolio.portfolio

    portfolio_update(
        actor=world.manager, portfolio=portfolio, expected_version=1, name="Norte", is_active=False
    )

    stored = Portfolio.objects.get(pk=portfolio.pk)
    assert (stored.name, stored.is_active, stored.version, stored.owner) == (
        "Norte",
        False,
        2,
        world.executive,
    )
    assert AuditRecord.objects.get().changes == {
        "name": ["Cartera Ejecutiva", "Norte"],
        "is_active": [True, False],
    }


def test_an_executive_may_not_edit_even_their_own_portfolio(world):
    with pytest.raises(PermissionDeniedError):
        portfolio_update(
            actor=world.executive, portfolio=world.in_portfolio.portfolio, expected_version=1, name="Mía"
        )

    assert Portfolio.objects.get(pk=world.in_portfolio.portfolio_id).name == "Cartera Ejecutiva"


def test_a_portfolio_is_not_handed_to_a_read_only_user(world):
    with pytest.raises(ValidationError) as refused:
        portfolio_reassign(
            actor=world.manager,
            portfolio=world.in_portfolio.portfolio,
            new_owner=world.analyst,
            expected_version=1,
        )

    assert "owner" in refused.value.error_dict
    assert Portfolio.objects.get(pk=world.in_portfolio.portfolio_id).owner == world.executive


def test_a_territory_update_changes_fields_and_regions_in_one_write(world):
    territory = TerritoryFactory(name="Centro")
    TerritoryRegionFactory(territory=territory, region="CL-VS")
    parent = TerritoryFactory(name="Chile")

    territory_update(
        actor=world.manager,
        territory=territory,
        expected_version=1,
        name="Centro y Santiago",
        parent=parent,
        responsible=world.executive,
        regions=["CL-VS", "CL-RM"],
    )

    territory.refresh_from_db()
    assert (territory.name, territory.parent, territory.responsible, territory.version) == (
        "Centro y Santiago",
        parent,
        world.executive,
        2,
    )
    assert sorted(territory.regions.values_list("region", flat=True)) == ["CL-RM", "CL-VS"]
    assert Account.objects.filter(territory=territory).count() == 3  # the world's accounts are in CL-RM


def test_a_territory_update_with_a_bad_region_changes_nothing(world):
    territory = TerritoryFactory(name="Centro")

    with pytest.raises(ValidationError):
        territory_update(
            actor=world.manager, territory=territory, expected_version=1, name="Otro", regions=["CL-XX"]
        )

    territory.refresh_from_db()
    assert (territory.name, territory.version) == ("Centro", 1)
    assert AuditRecord.objects.count() == 0
