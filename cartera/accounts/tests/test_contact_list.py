"""The contacts list brought to the lists' standard: sorting, the account it is narrowed to, export link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.users.models import Role


@pytest.fixture
def people(world):
    return [
        ContactFactory(account=world.in_portfolio, first_name="Beatriz", last_name="Zúñiga", job_title="Gerente",
                       buying_role="purchaser", email="bz@ferreteria.cl"),
        ContactFactory(account=world.on_team, first_name="Andrés", last_name="Araya", job_title="Analista",
                       buying_role="user", email="aa@alamos.cl"),
    ]  # fmt: skip


def names(response):
    return [contact.last_name for contact in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Araya", "Contacto de Constructora", "Contacto de Ferretería", "Zúñiga"]),
        ("-name", ["Zúñiga", "Contacto de Ferretería", "Contacto de Constructora", "Araya"]),
        ("account", ["Araya", "Contacto de Constructora", "Contacto de Ferretería", "Zúñiga"]),
        ("email", ["Araya", "Zúñiga", "Contacto de Ferretería", "Contacto de Constructora"]),
        ("account__tax_id", ["Araya", "Contacto de Constructora", "Contacto de Ferretería", "Zúñiga"]),
    ],
)
def test_contacts_sort_by_a_whitelisted_column_and_ignore_the_rest(client, world, people, sort, expected):
    client.force_login(world.executive)

    response = client.get(reverse("accounts:contact_list"), {"sort": sort} if sort else {})

    assert names(response) == expected


def test_contacts_list_headers_are_sort_links_and_the_export_keeps_the_sort(client, world, people):
    client.force_login(world.executive)

    response = client.get(reverse("accounts:contact_list"), {"buying_role": "user", "sort": "-name"})

    html = response.content.decode()
    assert names(response) == ["Araya"]
    assert '<th scope="col" aria-sort="descending">' in html
    assert 'href="?buying_role=user&amp;sort=name"' in html
    assert "/data/export/contacts/?buying_role=user&amp;sort=-name&amp;format=csv" in html


def test_contacts_list_narrowed_to_an_account_names_it(client, world, people):
    client.force_login(world.executive)

    response = client.get(reverse("accounts:contact_list"), {"account": world.on_team.pk})

    html = response.content.decode()
    assert names(response) == ["Araya", "Contacto de Constructora"]
    assert 'data-testid="account-chip"' in html
    assert world.on_team.legal_name in html
    # No select listing every account: the list is narrowed by a link, and widened by the chip's ✕.
    assert f'name="account" value="{world.on_team.pk}"' in html
    assert '<select name="account"' not in html


def test_contacts_list_query_budget_is_the_same_sorted_by_account(
    client, db, make_user, django_assert_max_num_queries
):
    manager = make_user(Role.SALES_MANAGER)
    for n in range(60):
        ContactFactory(account=AccountFactory(), last_name=f"Rojas {n}")
    client.force_login(manager)

    # session, user, count, the page's ids, its contacts with their accounts
    with django_assert_max_num_queries(5):
        response = client.get(reverse("accounts:contact_list"), {"sort": "-account"})

    assert len(response.context["page"].object_list) == 50
