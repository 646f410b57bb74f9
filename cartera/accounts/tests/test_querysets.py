import pytest

from cartera.accounts.models import Account, Contact
from cartera.users.models import Role

ALL = {"in_portfolio", "on_team", "elsewhere"}
EXPECTED_VISIBLE = {
    Role.ADMINISTRATOR: ALL,
    Role.SALES_MANAGER: ALL,
    Role.MARKETING_ANALYST: ALL,
    Role.SUPPORT_AGENT: ALL,
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team"},
    Role.SPECIALIST: {"on_team"},
}


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_accounts_visible_to_each_role_are_exactly_its_share(world, role):
    user = world.user(role)

    visible = set(Account.objects.visible_to(user).values_list("pk", flat=True))

    assert visible == {getattr(world, name).pk for name in EXPECTED_VISIBLE[role]}


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_contacts_follow_the_visibility_of_their_account(world, role):
    user = world.user(role)

    accounts = set(Contact.objects.visible_to(user).values_list("account_id", flat=True))

    assert accounts == {getattr(world, name).pk for name in EXPECTED_VISIBLE[role]}


def test_support_agents_and_analysts_may_edit_nothing(world):
    assert Account.objects.editable_by(world.support).count() == 0
    assert Account.objects.editable_by(world.analyst).count() == 0
    assert Account.objects.editable_by(world.executive).count() == 2


def test_search_ignores_accents_and_case(world):
    assert list(Account.objects.search("munoz")) == [world.in_portfolio]
    assert list(Account.objects.search("ÁLAMOS")) == [world.on_team]
    assert list(Account.objects.search("alamos")) == [world.on_team]
