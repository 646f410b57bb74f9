"""Writes to portfolios, territories and account teams: audited, kept as history, and refused when
not allowed, leaving nothing behind."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.tests.factories import ProductLineFactory
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.core.services import model_update
from cartera.coverage.models import AccountTeamMember, Portfolio, PortfolioReassignment, TerritoryRegion
from cartera.coverage.selectors import territory_descendant_ids
from cartera.coverage.services import (
    portfolio_create,
    portfolio_reassign,
    team_member_add,
    team_member_remove,
    territory_create,
    territory_set_regions,
)
from cartera.coverage.tests.factories import (
    AccountTeamMemberFactory,
    TerritoryFactory,
    TerritoryRegionFactory,
)
from cartera.users.models import Role


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def team(account) -> set[tuple[str, str]]:
    return set(AccountTeamMember.objects.filter(account=account).values_list("user__username", "role"))


# --- portfolios ----------------------------------------------------------------------------------


def test_a_manager_creates_a_portfolio_and_it_is_audited(world):
    portfolio = portfolio_create(actor=world.manager, name="Cartera Norte", owner=world.executive)

    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.manager,
        "create",
        "coverage.portfolio",
        str(portfolio.pk),
    )
    assert record.changes["owner_id"] == world.executive.pk


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST, Role.SUPPORT_AGENT])
def test_only_managers_create_portfolios(world, role):
    before = (Portfolio.objects.count(), AuditRecord.objects.count())

    with pytest.raises(PermissionDeniedError):
        portfolio_create(actor=world.user(role), name="Cartera Propia", owner=world.executive)

    assert (Portfolio.objects.count(), AuditRecord.objects.count()) == before


def test_reassigning_a_portfolio_keeps_history_and_swaps_the_responsible_salesperson(world):
    portfolio = world.in_portfolio.portfolio  # the executive's, with in_portfolio in it
    second = AccountFactory(legal_name="Comercial Segunda SpA", portfolio=portfolio)
    AccountTeamMemberFactory(account=second, user=world.executive)
    AccountTeamMemberFactory(account=second, user=world.other_executive)  # already responsible there
    AccountTeamMemberFactory(account=second, user=world.executive, role="sponsor")

    portfolio_reassign(
        actor=world.manager,
        portfolio=portfolio,
        new_owner=world.other_executive,
        expected_version=1,
        reason="Licencia",
    )

    portfolio.refresh_from_db()
    assert (portfolio.owner, portfolio.version) == (world.other_executive, 2)
    history = PortfolioReassignment.objects.get()
    assert (history.portfolio, history.from_owner, history.to_owner, history.changed_by, history.reason) == (
        portfolio,
        world.executive,
        world.other_executive,
        world.manager,
        "Licencia",
    )
    assert team(world.in_portfolio) == {("otro", "responsible")}
    assert team(second) == {("otro", "responsible"), ("ejecutiva", "sponsor")}
    # Teams of accounts outside the portfolio are left alone.
    assert team(world.on_team) == {
        ("otro", "responsible"),
        ("ejecutiva", "sponsor"),
        ("especialista", "specialist"),
    }
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type) == (
        world.manager,
        "update",
        "coverage.portfolio",
    )
    assert record.changes == {"owner_id": [world.executive.pk, world.other_executive.pk]}


def test_the_executive_loses_sight_of_a_reassigned_portfolios_accounts(world):
    portfolio_reassign(
        actor=world.manager,
        portfolio=world.in_portfolio.portfolio,
        new_owner=world.other_executive,
        expected_version=1,
    )

    assert set(Account.objects.visible_to(world.executive)) == {world.on_team}


def test_a_stale_reassignment_is_refused_and_changes_nothing(world):
    portfolio = world.in_portfolio.portfolio
    Portfolio.objects.filter(pk=portfolio.pk).update(version=2)

    with pytest.raises(ConflictError):
        portfolio_reassign(
            actor=world.manager, portfolio=portfolio, new_owner=world.other_executive, expected_version=1
        )

    assert Portfolio.objects.get(pk=portfolio.pk).owner == world.executive
    assert PortfolioReassignment.objects.count() == 0
    assert team(world.in_portfolio) == {("ejecutiva", "responsible")}
    assert AuditRecord.objects.count() == 0


def test_an_executive_may_not_reassign_a_portfolio(world):
    portfolio = world.in_portfolio.portfolio

    with pytest.raises(PermissionDeniedError):
        portfolio_reassign(
            actor=world.executive, portfolio=portfolio, new_owner=world.other_executive, expected_version=1
        )

    assert Portfolio.objects.get(pk=portfolio.pk).owner == world.executive
    assert PortfolioReassignment.objects.count() == 0
    assert team(world.in_portfolio) == {("ejecutiva", "responsible")}


def test_reassigning_a_portfolio_to_its_owner_changes_nothing(world):
    portfolio = world.in_portfolio.portfolio

    portfolio_reassign(
        actor=world.manager, portfolio=portfolio, new_owner=world.executive, expected_version=1
    )

    assert Portfolio.objects.get(pk=portfolio.pk).version == 1
    assert PortfolioReassignment.objects.count() == 0
    assert AuditRecord.objects.count() == 0


# --- territories ---------------------------------------------------------------------------------


def test_a_new_territory_takes_in_the_accounts_of_its_regions(world):
    north = AccountFactory(legal_name="Minera Norte SpA", region="CL-AN")
    south = AccountFactory(legal_name="Forestal Sur SpA", region="CL-BI")

    territory = territory_create(actor=world.manager, name="Zona Norte", regions=["cl-an", "CL-TA"])

    assert set(territory.regions.values_list("region", flat=True)) == {"CL-AN", "CL-TA"}
    assert set(Account.objects.filter(territory=territory)) == {north}
    assert Account.objects.get(pk=south.pk).territory is None
    records = list(AuditRecord.objects.order_by("id").values_list("action", "changes"))
    assert records[1] == ("update", {"regions": [[], ["CL-AN", "CL-TA"]]})
    assert records[0][0] == "create"


def test_setting_regions_moves_accounts_in_and_out(world):
    territory = TerritoryFactory(name="Centro")
    TerritoryRegionFactory(territory=territory, region="CL-VS")
    coast = AccountFactory(region="CL-VS", territory=territory)
    # The world's accounts are all in CL-RM.

    territory_set_regions(actor=world.manager, territory=territory, regions=["CL-RM"])

    assert list(territory.regions.values_list("region", flat=True)) == ["CL-RM"]
    assert Account.objects.get(pk=coast.pk).territory is None
    assert set(Account.objects.filter(territory=territory)) == {
        world.in_portfolio,
        world.on_team,
        world.elsewhere,
    }
    assert AuditRecord.objects.get().changes == {"regions": [["CL-VS"], ["CL-RM"]]}


def test_a_region_taken_by_another_territory_is_refused_and_nothing_moves(world):
    metropolitan = TerritoryFactory(name="Metropolitana")
    TerritoryRegionFactory(territory=metropolitan, region="CL-RM")
    Account.objects.update(territory=metropolitan)
    coast = TerritoryFactory(name="Costa")
    TerritoryRegionFactory(territory=coast, region="CL-VS")

    with pytest.raises(ValidationError) as caught:
        territory_set_regions(actor=world.manager, territory=coast, regions=["CL-VS", "CL-RM"])

    assert caught.value.code == "region_taken"
    assert caught.value.messages == ["Region CL-RM already belongs to territory Metropolitana."]
    assert sorted(TerritoryRegion.objects.values_list("territory__name", "region")) == [
        ("Costa", "CL-VS"),
        ("Metropolitana", "CL-RM"),
    ]
    assert set(Account.objects.values_list("territory", flat=True)) == {metropolitan.pk}
    assert AuditRecord.objects.count() == 0


def test_a_code_that_is_not_a_region_is_refused(world):
    territory = TerritoryFactory()

    with pytest.raises(ValidationError) as caught:
        territory_set_regions(
            actor=world.manager, territory=territory, regions=["CL-RM", "CL-XX", "Santiago"]
        )

    assert caught.value.code == "invalid_region"
    assert caught.value.messages == ["These are not ISO 3166-2 regions: CL-XX, SANTIAGO."]
    assert TerritoryRegion.objects.count() == 0


def test_an_executive_may_not_redraw_territories(world):
    territory = TerritoryFactory()

    with pytest.raises(PermissionDeniedError):
        territory_set_regions(actor=world.executive, territory=territory, regions=["CL-RM"])

    assert TerritoryRegion.objects.count() == 0
    assert set(Account.objects.values_list("territory", flat=True)) == {None}


# --- account teams -------------------------------------------------------------------------------


def test_adding_a_team_member_is_audited(world):
    line = ProductLineFactory(code="HER", name="Herramientas")

    member = team_member_add(
        actor=world.executive,
        account=world.in_portfolio,
        user=world.specialist,
        role="specialist",
        product_line=line,
    )

    assert (member.user, member.role, member.product_line) == (world.specialist, "specialist", line)
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.executive,
        "create",
        "coverage.accountteammember",
        str(member.pk),
    )
    assert record.changes["product_line_id"] == line.pk


def test_a_specialist_without_a_product_line_is_refused(world):
    before = (AccountTeamMember.objects.count(), AuditRecord.objects.count())

    with pytest.raises(ValidationError) as caught:
        team_member_add(
            actor=world.manager, account=world.in_portfolio, user=world.specialist, role="specialist"
        )

    assert caught.value.message_dict == {"product_line": ["A specialist covers a product line: choose one."]}
    assert (AccountTeamMember.objects.count(), AuditRecord.objects.count()) == before


def test_the_same_member_twice_in_the_same_role_is_refused(world):
    before = AccountTeamMember.objects.count()

    with pytest.raises(ValidationError):
        team_member_add(actor=world.manager, account=world.in_portfolio, user=world.executive)

    assert AccountTeamMember.objects.count() == before
    assert AuditRecord.objects.count() == 0


def test_an_executive_cannot_join_the_team_of_an_account_they_cannot_see(world):
    before = AccountTeamMember.objects.count()

    with pytest.raises(PermissionDeniedError):
        team_member_add(actor=world.executive, account=world.elsewhere, user=world.executive, role="sponsor")

    assert AccountTeamMember.objects.count() == before
    assert not Account.objects.visible_to(world.executive).filter(pk=world.elsewhere.pk).exists()


def test_the_last_responsible_salesperson_cannot_be_removed(world):
    member = AccountTeamMember.objects.get(account=world.in_portfolio, role="responsible")

    with pytest.raises(ValidationError) as caught:
        team_member_remove(actor=world.manager, member=member)

    assert caught.value.code == "last_responsible"
    assert AccountTeamMember.objects.filter(pk=member.pk).exists()
    assert AuditRecord.objects.count() == 0


def test_a_responsible_salesperson_can_be_removed_once_another_is_there(world):
    member = AccountTeamMember.objects.get(account=world.in_portfolio, role="responsible")
    member_pk = member.pk
    team_member_add(actor=world.manager, account=world.in_portfolio, user=world.other_executive)

    team_member_remove(actor=world.manager, member=member)

    assert team(world.in_portfolio) == {("otro", "responsible")}
    record = AuditRecord.objects.get(action="delete")
    assert (record.actor, record.object_id, record.changes["user_id"]) == (
        world.manager,
        str(member_pk),
        world.executive.pk,
    )


def test_a_member_in_another_role_can_always_be_removed(world):
    sponsor = AccountTeamMember.objects.get(account=world.on_team, role="sponsor")

    team_member_remove(actor=world.manager, member=sponsor)

    assert team(world.on_team) == {("otro", "responsible"), ("especialista", "specialist")}


def test_a_support_agent_cannot_remove_team_members(world):
    sponsor = AccountTeamMember.objects.get(account=world.on_team, role="sponsor")

    with pytest.raises(PermissionDeniedError):
        team_member_remove(actor=world.support, member=sponsor)

    assert AccountTeamMember.objects.filter(pk=sponsor.pk).exists()
    assert AuditRecord.objects.count() == 0


def test_a_territory_cannot_be_nested_below_itself(world):
    country = TerritoryFactory(name="Chile")
    north = TerritoryFactory(name="Norte", parent=country)
    far_north = TerritoryFactory(name="Norte Grande", parent=north)

    with pytest.raises(ValidationError) as caught:
        model_update(actor=world.manager, instance=country, data={"parent": far_north}, expected_version=1)

    assert [error.code for error in caught.value.error_dict["parent"]] == ["parent_cycle"]
    country.refresh_from_db()
    assert (country.parent, country.version) == (None, 1)
    assert territory_descendant_ids(country) == [country.pk, north.pk, far_north.pk]
