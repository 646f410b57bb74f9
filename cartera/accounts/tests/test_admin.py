"""The admin is a write interface too: its saves are validated, audited and refused when stale."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import account_update
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember
from cartera.users.models import Role

CONFLICT = (
    "Someone else saved this record while you were editing it. Reload the page to see their changes; "
    "yours were not saved."
)


@pytest.fixture
def root(make_user):
    # An English speaker, so that messages are compared in English whatever the default language.
    return make_user(
        role=Role.ADMINISTRATOR, username="raiz", is_superuser=True, is_staff=True, language="en"
    )


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    with translation.override("en"):
        yield client


def form_data(response) -> dict[str, Any]:
    """What the browser would post back, unchanged, from an admin add or change page."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def add_page(admin_client) -> dict[str, Any]:
    return form_data(admin_client.get(reverse("admin:accounts_account_add")))


def change_page(admin_client, account) -> dict[str, Any]:
    return form_data(admin_client.get(reverse("admin:accounts_account_change", args=[account.pk])))


def test_creating_an_account_in_the_admin_validates_and_audits_it(admin_client, root, world):
    data = add_page(admin_client)
    data.update(
        {
            "legal_name": "Ferretería Norte Ltda.",
            "country": "cl",
            "tax_id": "76.086.428-5",
            "region": "cl-an",
            "industry": "retail",
            "status": "prospect",
            "language": "es",
            "currency": "CLP",
            "portfolio": str(world.in_portfolio.portfolio.pk),
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-first_name": "Rosa",
            "contacts-0-last_name": "Muñoz",
            "contacts-0-phone": "9 6123 4567",
            "contacts-0-is_active": "on",
        }
    )

    response = admin_client.post(reverse("admin:accounts_account_add"), data)

    assert response.status_code == 302
    account = Account.objects.get(legal_name="Ferretería Norte Ltda.")
    assert (account.country, account.tax_id, account.region, account.name_key) == (
        "CL",
        "760864285",
        "CL-AN",
        "ferreteria norte",
    )
    assert account.created_by == root
    assert list(Account.objects.search("ferreteria norte")) == [account]
    contact = Contact.objects.get(account=account)
    assert contact.phone == "+56961234567"
    # The portfolio's owner became responsible, as account_create would have made them.
    assert list(account.team_members.values_list("user__username", "role")) == [("ejecutiva", "responsible")]
    records = list(
        AuditRecord.objects.order_by("id").values_list("actor", "action", "object_type", "object_id")
    )
    assert records == [
        (root.pk, "create", "accounts.account", str(account.pk)),
        (root.pk, "create", "accounts.contact", str(contact.pk)),
        (root.pk, "create", "coverage.accountteammember", str(account.team_members.get().pk)),
    ]
    assert AuditRecord.objects.filter(object_type="accounts.account").get().changes["tax_id"] == "760864285"


def test_an_invalid_tax_id_is_shown_on_the_admin_form_and_nothing_is_created(admin_client, world):
    data = add_page(admin_client)
    data.update(
        {
            "legal_name": "Otra SpA",
            "country": "CL",
            "tax_id": "76.086.428-4",
            "industry": "other",
            "currency": "CLP",
        }
    )
    data.update({"status": "prospect", "language": "es"})
    before = (Account.objects.count(), AuditRecord.objects.count())

    response = admin_client.post(reverse("admin:accounts_account_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tax_id"] == [
        "76.086.428-4 is not a valid RUT (CL): the check digit is wrong."
    ]
    assert (Account.objects.count(), AuditRecord.objects.count()) == before


def test_editing_an_account_in_the_admin_audits_only_what_changed(admin_client, root, world):
    account = world.in_portfolio
    data = change_page(admin_client, account)
    data.update({"city": "Valparaíso", "strategic_fit": "4"})

    response = admin_client.post(reverse("admin:accounts_account_change", args=[account.pk]), data)

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.city, account.strategic_fit, account.version) == ("Valparaíso", 4, 2)
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_id) == (root, "update", str(account.pk))
    assert record.changes == {"city": ["Santiago", "Valparaíso"], "strategic_fit": [None, 4]}


def test_a_stale_admin_save_is_refused_with_the_conflict_message_and_changes_nothing(admin_client, world):
    account = world.in_portfolio
    data = change_page(admin_client, account)  # opened at version 1
    assert data["expected_version"] == "1"
    account_update(actor=world.executive, account=account, expected_version=1, city="Rancagua")
    data.update({"city": "Valparaíso"})

    response = admin_client.post(reverse("admin:accounts_account_change", args=[account.pk]), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [CONFLICT]
    account.refresh_from_db()
    assert (account.city, account.version) == ("Rancagua", 2)
    assert list(AuditRecord.objects.values_list("actor__username", flat=True)) == ["ejecutiva"]


def test_a_save_that_loses_the_race_after_the_form_check_is_refused_and_rolled_back(
    admin_client, world, monkeypatch
):
    account = world.in_portfolio
    data = change_page(admin_client, account)
    data.update({"city": "Valparaíso", "contacts-0-job_title": "Gerente"})

    def lose_the_race(**kwargs):
        raise ConflictError(current_version=2)

    monkeypatch.setattr("cartera.core.admin.model_update", lose_the_race)
    url = reverse("admin:accounts_account_change", args=[account.pk])

    response = admin_client.post(url, data)

    assert (response.status_code, response["Location"]) == (302, url)
    assert [str(message) for message in response.wsgi_request._messages] == [CONFLICT]
    account.refresh_from_db()
    assert (account.city, account.version) == ("Santiago", 1)
    assert Contact.objects.get(account=account).job_title == ""
    assert AuditRecord.objects.count() == 0


def test_a_stale_contact_row_is_refused_too(admin_client, world):
    account = world.in_portfolio
    contact = Contact.objects.get(account=account)
    data = change_page(admin_client, account)
    Contact.objects.filter(pk=contact.pk).update(version=2, job_title="Jefa de compras")
    data.update({"contacts-0-job_title": "Gerente"})

    response = admin_client.post(reverse("admin:accounts_account_change", args=[account.pk]), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[0].non_field_errors() == [CONFLICT]
    contact.refresh_from_db()
    assert contact.job_title == "Jefa de compras"
    assert AuditRecord.objects.count() == 0


def test_the_admin_will_not_remove_the_last_responsible_salesperson(admin_client, world):
    account = world.in_portfolio
    data = change_page(admin_client, account)
    data["team_members-0-DELETE"] = "on"

    response = admin_client.post(reverse("admin:accounts_account_change", args=[account.pk]), data)

    assert response.status_code == 200
    team = response.context["inline_admin_formsets"][1].formset
    assert team.non_form_errors() == [
        "Every account needs a responsible salesperson: add another before removing this one."
    ]
    assert AccountTeamMember.objects.filter(account=account, role="responsible").count() == 1
    assert AuditRecord.objects.count() == 0


def test_deleting_an_account_in_the_admin_is_audited(admin_client, root, world):
    account = world.elsewhere
    pk = account.pk

    response = admin_client.post(reverse("admin:accounts_account_delete", args=[pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Account.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        root,
        "delete",
        "accounts.account",
        str(pk),
    )
    assert record.changes["legal_name"] == "Minera Tamarugal SpA"


def test_the_admin_search_ignores_accents_and_tax_id_formatting(admin_client, world):
    url = reverse("admin:accounts_account_changelist")

    by_name = admin_client.get(url, {"q": "munoz"})
    by_tax_id = admin_client.get(url, {"q": world.on_team.tax_id_display})

    assert list(by_name.context["cl"].result_list) == [world.in_portfolio]
    assert list(by_tax_id.context["cl"].result_list) == [world.on_team]


def test_an_executive_using_the_admin_sees_only_their_accounts(client, world):
    world.executive.is_staff = True
    world.executive.save()
    world.executive.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_account", "change_account"])
    )
    client.force_login(world.executive)

    response = client.get(reverse("admin:accounts_account_changelist"))
    hidden = client.get(reverse("admin:accounts_account_change", args=[world.elsewhere.pk]))

    assert set(response.context["cl"].result_list) == {world.in_portfolio, world.on_team}
    assert hidden.status_code == 302  # "does not exist", back to the list
