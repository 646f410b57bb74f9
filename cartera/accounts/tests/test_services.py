"""Writes to accounts and contacts: validated, audited in the same transaction, refused when stale or
not allowed, and leaving nothing behind when refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import (
    DuplicateAccountError,
    account_create,
    account_update,
    contact_create,
    contact_update,
    find_duplicate_accounts,
)
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember
from cartera.coverage.tests.factories import TerritoryFactory, TerritoryRegionFactory
from cartera.users.models import Role


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def stored(account: Account) -> dict:
    """The fields of the stored row that a refused write must leave alone."""
    return Account.objects.filter(pk=account.pk).values().get()


# --- account_create ------------------------------------------------------------------------------


def test_create_stores_the_canonical_tax_id_and_audits_a_snapshot(world):
    territory = TerritoryFactory(name="Centro")
    TerritoryRegionFactory(territory=territory, region="CL-RM")

    account = account_create(
        actor=world.manager,
        legal_name="Ferretería Muñoz Ltda.",
        trade_name="Ferretería Muñoz",
        tax_id=" 76.086.428-5 ",
        region="cl-rm",
        city="Santiago",
        strategic_fit=4,
    )

    account.refresh_from_db()
    assert (account.country, account.tax_id, account.tax_id_display) == ("CL", "760864285", "76.086.428-5")
    assert (account.region, account.territory, account.version) == ("CL-RM", territory, 1)
    assert account.search_key == "ferreteria munoz ltda. | ferreteria munoz | 760864285"
    assert account.name_key == "ferreteria munoz"
    assert account.created_by == world.manager
    record = AuditRecord.objects.get(object_type="accounts.account")
    assert (record.actor, record.action, record.object_id, record.object_repr) == (
        world.manager,
        "create",
        str(account.pk),
        "Ferretería Muñoz",
    )
    assert record.changes == {
        "id": account.pk,
        "legal_name": "Ferretería Muñoz Ltda.",
        "trade_name": "Ferretería Muñoz",
        "country": "CL",
        "tax_id": "760864285",
        "region": "CL-RM",
        "city": "Santiago",
        "industry": "other",
        "size_band": "",
        "language": "es",
        "currency": "CLP",
        "parent_id": None,
        "status": "prospect",
        "strategic_fit": 4,
        "strategic_fit_note": "",
        "portfolio_id": None,
        "territory_id": territory.pk,
        "created_by_id": world.manager.pk,
    }


def test_create_in_a_portfolio_puts_its_owner_on_the_team_as_responsible_and_audits_it(world):
    portfolio = world.in_portfolio.portfolio

    account = account_create(
        actor=world.executive, legal_name="Comercial Norte SpA", tax_id="76086428-5", portfolio=portfolio
    )

    member = AccountTeamMember.objects.get(account=account)
    assert (member.user, member.role) == (world.executive, "responsible")
    record = AuditRecord.objects.get(object_type="coverage.accountteammember")
    assert (record.actor, record.action, record.object_id) == (world.executive, "create", str(member.pk))


def test_create_with_an_explicit_responsible_puts_that_user_on_the_team(world):
    account = account_create(
        actor=world.manager,
        legal_name="Comercial Norte SpA",
        tax_id="76086428-5",
        responsible=world.executive,
    )

    assert list(account.team_members.values_list("user__username", "role")) == [("ejecutiva", "responsible")]
    assert Account.objects.visible_to(world.executive).filter(pk=account.pk).exists()


def test_create_refuses_a_tax_id_already_held_in_the_country_and_names_the_holder(world):
    holder = AccountFactory(legal_name="Minera Uno SpA", tax_id="760864285")
    before = (Account.objects.count(), AuditRecord.objects.count())

    with pytest.raises(DuplicateAccountError) as caught:
        account_create(actor=world.manager, legal_name="Minera Dos SpA", tax_id="76.086.428-5")

    assert caught.value.existing == holder
    assert caught.value.code == "duplicate_tax_id"
    assert caught.value.messages == ["An account with RUT 76.086.428-5 already exists: Minera Uno SpA."]
    assert (Account.objects.count(), AuditRecord.objects.count()) == before


def test_the_same_tax_id_in_another_country_is_another_company(world):
    # 76086433-1 is a valid Chilean RUT and, as 760864331, a valid Colombian NIT.
    chilean = account_create(actor=world.manager, legal_name="Andes Chile SpA", tax_id="76086433-1")

    colombian = account_create(
        actor=world.manager, legal_name="Andes Colombia S.A.S.", tax_id="760.864.33-1", country="CO"
    )

    assert (chilean.tax_id, colombian.tax_id) == ("760864331", "760864331")
    assert (chilean.country, colombian.country) == ("CL", "CO")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"tax_id": "76.086.428-4"}, "tax_id", "tax_id_check_digit"),
        ({"tax_id": "12"}, "tax_id", "tax_id_length"),
        ({"tax_id": "20267565393", "country": "AR", "region": "CL-RM"}, "region", "invalid_region"),
        ({"region": "AR-B"}, "region", "invalid_region"),
        ({"region": "CL-XX"}, "region", "invalid_region"),
        ({"country": "ZZ"}, "country", "invalid_country"),
        ({"strategic_fit": 6}, "strategic_fit", "max_value"),
        ({"strategic_fit": 0}, "strategic_fit", "min_value"),
        ({"industry": "piracy"}, "industry", "invalid_choice"),
        ({"legal_name": ""}, "legal_name", "blank"),
    ],
)
def test_create_refuses_invalid_input_and_writes_nothing(world, fields, field, code):
    data = {"legal_name": "Comercial Norte SpA", "tax_id": "76086428-5", **fields}
    before = (Account.objects.count(), AccountTeamMember.objects.count(), AuditRecord.objects.count())

    with pytest.raises(ValidationError) as caught:
        account_create(actor=world.manager, responsible=world.executive, **data)

    assert [error.code for error in caught.value.error_dict[field]] == [code]
    assert (Account.objects.count(), AccountTeamMember.objects.count(), AuditRecord.objects.count()) == before


def test_a_region_of_another_country_is_refused_with_a_message_naming_both(world):
    with pytest.raises(ValidationError) as caught:
        account_create(
            actor=world.manager, legal_name="Comercial Norte SpA", tax_id="76086428-5", region="AR-B"
        )

    assert caught.value.message_dict == {"region": ["AR-B is not a region of CL."]}


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING_ANALYST])
def test_read_only_roles_cannot_create_accounts(world, role):
    before = (Account.objects.count(), AuditRecord.objects.count())

    with pytest.raises(PermissionDeniedError):
        account_create(actor=world.user(role), legal_name="Comercial Norte SpA", tax_id="76086428-5")

    assert (Account.objects.count(), AuditRecord.objects.count()) == before


def test_create_refuses_fields_it_does_not_know(world):
    with pytest.raises(ValueError, match="search_key"):
        account_create(actor=world.manager, legal_name="X", tax_id="76086428-5", search_key="x")

    assert Account.objects.filter(tax_id="760864285").count() == 0


# --- account_update ------------------------------------------------------------------------------


def test_update_audits_only_the_changed_fields_as_old_and_new(world):
    account = world.in_portfolio

    account_update(
        actor=world.executive,
        account=account,
        expected_version=1,
        legal_name="Ferretería Muñoz y Cía. Ltda.",
        city="Santiago",  # unchanged
        strategic_fit=5,
    )

    account.refresh_from_db()
    assert account.version == 2
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_id) == (world.executive, "update", str(account.pk))
    assert record.changes == {
        "legal_name": ["Ferretería Muñoz Limitada", "Ferretería Muñoz y Cía. Ltda."],
        "strategic_fit": [None, 5],
    }


def test_update_keeps_the_search_keys_and_territory_in_step(world):
    territory = TerritoryFactory(name="Norte")
    TerritoryRegionFactory(territory=territory, region="CL-AN")
    account = world.in_portfolio

    account_update(
        actor=world.manager,
        account=account,
        expected_version=1,
        legal_name="Áridos Ñuble SpA",
        region="CL-AN",
    )

    account.refresh_from_db()
    assert (account.name_key, account.territory) == ("aridos nuble", territory)
    assert list(Account.objects.search("nuble")) == [account]
    assert AuditRecord.objects.get().changes["territory_id"] == [None, territory.pk]


def test_each_successful_update_increments_the_version_by_exactly_one(world):
    account = world.in_portfolio

    for expected, city in [(1, "Talca"), (2, "Curicó"), (3, "Linares")]:
        account_update(actor=world.manager, account=account, expected_version=expected, city=city)

    account.refresh_from_db()
    assert (account.city, account.version) == ("Linares", 4)
    assert AuditRecord.objects.count() == 3


def test_the_second_of_two_editors_is_refused_and_the_first_editors_values_stay(world):
    first = Account.objects.get(pk=world.in_portfolio.pk)
    second = Account.objects.get(pk=world.in_portfolio.pk)
    assert (first.version, second.version) == (1, 1)
    account_update(actor=world.executive, account=first, expected_version=1, city="Valparaíso")

    with pytest.raises(ConflictError) as caught:
        account_update(actor=world.manager, account=second, expected_version=1, city="Concepción")

    assert caught.value.current_version == 2
    row = stored(world.in_portfolio)
    assert (row["city"], row["version"]) == ("Valparaíso", 2)
    assert list(AuditRecord.objects.values_list("actor__username", "changes")) == [
        ("ejecutiva", {"city": ["Santiago", "Valparaíso"]})
    ]


def test_update_refuses_a_tax_id_held_by_another_account_and_changes_nothing(world):
    before = stored(world.in_portfolio)

    with pytest.raises(DuplicateAccountError) as caught:
        account_update(
            actor=world.manager,
            account=world.in_portfolio,
            expected_version=1,
            tax_id=world.elsewhere.tax_id_display,
        )

    assert caught.value.existing == world.elsewhere
    assert stored(world.in_portfolio) == before
    assert AuditRecord.objects.count() == 0


def test_update_may_keep_its_own_tax_id_written_another_way(world):
    account = world.in_portfolio

    account_update(actor=world.manager, account=account, expected_version=1, tax_id=account.tax_id_display)

    account.refresh_from_db()
    assert account.version == 2
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"strategic_fit": 6}, "strategic_fit", "max_value"),
        ({"strategic_fit": 0}, "strategic_fit", "min_value"),
        ({"region": "PE-LIM"}, "region", "invalid_region"),
        ({"tax_id": "76.086.428-4"}, "tax_id", "tax_id_check_digit"),
        ({"country": "AR"}, "tax_id", "tax_id_length"),  # a Chilean RUT is not a CUIT
    ],
)
def test_update_refuses_invalid_input_and_changes_nothing(world, changes, field, code):
    account = world.in_portfolio
    before = stored(account)

    with pytest.raises(ValidationError) as caught:
        account_update(actor=world.manager, account=account, expected_version=1, **changes)

    assert [error.code for error in caught.value.error_dict[field]] == [code]
    assert stored(account) == before
    assert AuditRecord.objects.count() == 0


def test_an_account_cannot_be_its_own_parent(world):
    account = world.in_portfolio
    before = stored(account)

    with pytest.raises(ValidationError) as caught:
        account_update(actor=world.manager, account=account, expected_version=1, parent=account)

    assert [error.code for error in caught.value.error_dict["parent"]] == ["parent_cycle"]
    assert stored(account) == before
    assert AuditRecord.objects.count() == 0


def test_an_account_cannot_be_its_own_parent_given_by_id_either(world):
    account = world.in_portfolio
    before = stored(account)

    with pytest.raises(ValidationError) as caught:
        account_update(actor=world.manager, account=account, expected_version=1, parent_id=account.pk)

    assert [error.code for error in caught.value.error_dict["parent"]] == ["parent_cycle"]
    assert stored(account) == before


def test_an_account_cannot_join_a_group_below_it(world):
    holding, subsidiary, branch = world.in_portfolio, world.on_team, world.elsewhere
    account_update(actor=world.manager, account=subsidiary, expected_version=1, parent=holding)
    account_update(actor=world.manager, account=branch, expected_version=1, parent=subsidiary)
    before = stored(holding)

    with pytest.raises(ValidationError) as caught:
        account_update(actor=world.manager, account=holding, expected_version=1, parent_id=branch.pk)

    assert [error.code for error in caught.value.error_dict["parent"]] == ["parent_cycle"]
    assert stored(holding) == before
    assert list(Account.objects.filter(parent=subsidiary)) == [branch]


@pytest.mark.parametrize("account_name", ["elsewhere", "in_portfolio", "on_team"])
def test_a_support_agent_may_update_no_account(world, account_name):
    account = getattr(world, account_name)
    before = stored(account)

    with pytest.raises(PermissionDeniedError):
        account_update(actor=world.support, account=account, expected_version=1, city="Arica")

    assert stored(account) == before
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "account_name"),
    [
        (Role.ACCOUNT_EXECUTIVE, "elsewhere"),
        (Role.SPECIALIST, "elsewhere"),
        (Role.SPECIALIST, "in_portfolio"),
        (Role.MARKETING_ANALYST, "in_portfolio"),
    ],
)
def test_a_user_may_not_update_an_account_they_cannot_edit(world, role, account_name):
    account = getattr(world, account_name)
    before = stored(account)

    with pytest.raises(PermissionDeniedError):
        account_update(actor=world.user(role), account=account, expected_version=1, city="Arica")

    assert stored(account) == before
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "account_name"),
    [
        (Role.ACCOUNT_EXECUTIVE, "in_portfolio"),
        (Role.ACCOUNT_EXECUTIVE, "on_team"),
        (Role.SPECIALIST, "on_team"),
        (Role.SALES_MANAGER, "elsewhere"),
        (Role.ADMINISTRATOR, "elsewhere"),
    ],
)
def test_a_user_may_update_an_account_they_can_edit(world, role, account_name):
    account = getattr(world, account_name)

    account_update(actor=world.user(role), account=account, expected_version=1, city="Arica")

    assert stored(account)["city"] == "Arica"


def test_update_refuses_fields_it_does_not_know(world):
    with pytest.raises(ValueError, match="version"):
        account_update(actor=world.manager, account=world.in_portfolio, expected_version=1, version=9)

    assert stored(world.in_portfolio)["version"] == 1


# --- find_duplicate_accounts ---------------------------------------------------------------------


def test_duplicates_are_found_by_normalized_name_whatever_the_legal_form(world):
    same_name = AccountFactory(legal_name="FERRETERIA MUNOZ S.A.")
    AccountFactory(legal_name="Ferretería Muñoz", country="AR", tax_id="20267565393")  # another country

    found = find_duplicate_accounts(legal_name="Ferretería Muñoz Ltda.", country="cl")

    assert set(found) == {world.in_portfolio, same_name}


def test_duplicates_are_found_by_tax_id_however_it_is_written(world):
    found = find_duplicate_accounts(
        legal_name="Otra Razón Social", country="CL", tax_id=world.on_team.tax_id_display
    )

    assert found == [world.on_team]


def test_the_account_being_edited_is_not_its_own_duplicate(world):
    found = find_duplicate_accounts(
        legal_name=world.in_portfolio.legal_name,
        country="CL",
        tax_id=world.in_portfolio.tax_id,
        exclude_pk=world.in_portfolio.pk,
    )

    assert found == []


def test_an_invalid_tax_id_only_searches_by_name(world):
    assert find_duplicate_accounts(legal_name="Nadie Parecido", country="CL", tax_id="76.086.428-4") == []


# --- contacts ------------------------------------------------------------------------------------


def test_contact_create_stores_e164_phone_and_lower_case_email_and_audits(world):
    contact = contact_create(
        actor=world.executive,
        account=world.in_portfolio,
        first_name=" José ",
        last_name="Muñoz",
        phone="9 6123 4567",
        email=" Jose.Munoz@Ferreteria.CL ",
        buying_role="purchaser",
    )

    contact.refresh_from_db()
    assert (contact.first_name, contact.phone, contact.email) == (
        "José",
        "+56961234567",
        "jose.munoz@ferreteria.cl",
    )
    assert contact.search_key == "jose munoz | jose.munoz@ferreteria.cl"
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.executive,
        "create",
        "accounts.contact",
        str(contact.pk),
    )
    assert record.changes["phone"] == "+56961234567"
    assert record.changes["account_id"] == world.in_portfolio.pk


def test_contact_create_reads_a_local_phone_as_the_accounts_country(world):
    account = AccountFactory(country="PE", tax_id="20512333797", region="PE-LIM")

    contact = contact_create(
        actor=None, account=account, first_name="Ana", last_name="Quispe", phone="912 345 678"
    )

    assert contact.phone == "+51912345678"


def test_contact_create_refuses_an_invalid_phone_with_its_message_and_writes_nothing(world):
    before = (Contact.objects.count(), AuditRecord.objects.count())

    with pytest.raises(ValidationError) as caught:
        contact_create(
            actor=world.executive, account=world.in_portfolio, first_name="Ana", last_name="Soto", phone="12"
        )

    assert caught.value.message_dict == {"phone": ["12 is not a valid phone number for CL."]}
    assert (Contact.objects.count(), AuditRecord.objects.count()) == before


def test_contact_create_on_an_account_the_actor_cannot_edit_is_refused(world):
    before = (Contact.objects.count(), AuditRecord.objects.count())

    with pytest.raises(PermissionDeniedError):
        contact_create(actor=world.executive, account=world.elsewhere, first_name="Ana", last_name="Soto")

    assert (Contact.objects.count(), AuditRecord.objects.count()) == before


def test_contact_update_audits_only_what_changed(world):
    contact = ContactFactory(account=world.in_portfolio, first_name="Ana", last_name="Soto", phone="")

    contact_update(
        actor=world.executive, contact=contact, expected_version=1, phone="+56 2 2123 4567", first_name="Ana"
    )

    contact.refresh_from_db()
    assert (contact.phone, contact.version) == ("+56221234567", 2)
    assert AuditRecord.objects.get().changes == {"phone": ["", "+56221234567"]}


def test_contact_update_refuses_an_invalid_phone_and_changes_nothing(world):
    contact = ContactFactory(account=world.in_portfolio, phone="+56221234567")

    with pytest.raises(ValidationError) as caught:
        contact_update(actor=world.executive, contact=contact, expected_version=1, phone="abc")

    assert caught.value.message_dict == {"phone": ["abc is not a phone number."]}
    contact.refresh_from_db()
    assert (contact.phone, contact.version) == ("+56221234567", 1)
    assert AuditRecord.objects.count() == 0


def test_the_second_of_two_contact_editors_is_refused(world):
    contact = ContactFactory(account=world.in_portfolio, job_title="Jefa de compras")
    first, second = Contact.objects.get(pk=contact.pk), Contact.objects.get(pk=contact.pk)
    contact_update(actor=world.executive, contact=first, expected_version=1, job_title="Gerenta de compras")

    with pytest.raises(ConflictError):
        contact_update(actor=world.manager, contact=second, expected_version=1, job_title="Compradora")

    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Gerenta de compras", 2)
    assert AuditRecord.objects.count() == 1


def test_a_support_agent_may_not_update_a_contact(world):
    contact = ContactFactory(account=world.in_portfolio, job_title="Jefa de compras")

    with pytest.raises(PermissionDeniedError):
        contact_update(actor=world.support, contact=contact, expected_version=1, job_title="Otra")

    contact.refresh_from_db()
    assert (contact.job_title, contact.version) == ("Jefa de compras", 1)
    assert AuditRecord.objects.count() == 0
