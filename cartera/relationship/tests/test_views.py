"""The interactions and commitments lists: visibility, filters, search, sorting, overdue, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory
from cartera.users.models import Role
from cartera.users.tests.factories import UserFactory

VISIBLE = {
    Role.SALES_MANAGER: {"in_portfolio", "on_team", "elsewhere"},
    Role.SUPPORT_AGENT: {"in_portfolio", "on_team", "elsewhere"},
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team"},
    Role.SPECIALIST: {"on_team"},
}


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def rows(response):
    return list(response.context["page"].object_list)


def summaries(response):
    return [interaction.summary for interaction in rows(response)]


def descriptions(response):
    return [commitment.description for commitment in rows(response)]


# Interactions


@pytest.fixture
def interactions(world):
    seller = UserFactory(username="vendedora", first_name="Ana", last_name="Zapata")
    contact = ContactFactory(account=world.in_portfolio, first_name="Óscar", last_name="Peña")
    visit = InteractionFactory(
        account=world.in_portfolio,
        kind="visit",
        user=seller,
        occurred_at=at(dt.date(2026, 5, 4)),
        summary="Visita a bodega",
    )
    visit.contacts.add(contact)
    return {
        "visit": visit,
        "call": InteractionFactory(
            account=world.on_team, kind="call", user=world.executive, occurred_at=at(dt.date(2026, 6, 1)),
            summary="Llamada por cotización",
        ),
        "email": InteractionFactory(
            account=world.in_portfolio, kind="email", user=None, occurred_at=at(dt.date(2026, 4, 2)),
            summary="Correo de reunión",
        ),
        "hidden": InteractionFactory(
            account=world.elsewhere, kind="meeting", occurred_at=at(dt.date(2026, 6, 2)), summary="Oculta"
        ),
        "seller": seller,
    }  # fmt: skip


@pytest.mark.parametrize("role", list(VISIBLE))
def test_interactions_list_shows_only_visible_accounts(client, world, interactions, role):
    client.force_login(world.user(role))

    response = client.get(reverse("relationship:interaction_list"))

    shown = {interaction.account_id for interaction in rows(response)}
    assert shown == {getattr(world, name).pk for name in VISIBLE[role]}


def test_interactions_newest_first_with_who_and_the_contacts(client, world, interactions):
    client.force_login(world.executive)

    response = client.get(reverse("relationship:interaction_list"))

    assert summaries(response) == ["Llamada por cotización", "Visita a bodega", "Correo de reunión"]
    html = response.content.decode()
    assert "Óscar Peña" in html
    assert "Ana Zapata" in html
    assert "04/05/2026" in html


def test_interactions_filters_and_accent_insensitive_search(client, world, interactions):
    client.force_login(world.executive)
    url = reverse("relationship:interaction_list")

    assert summaries(client.get(url, {"kind": "visit"})) == ["Visita a bodega"]
    assert summaries(client.get(url, {"user": interactions["seller"].pk})) == ["Visita a bodega"]
    assert summaries(client.get(url, {"date_from": "2026-04-01", "date_to": "2026-04-30"})) == [
        "Correo de reunión"
    ]
    assert summaries(client.get(url, {"account": world.on_team.pk})) == ["Llamada por cotización"]
    # An account's name, a contact's name, without accents; or words of the summary.
    assert summaries(client.get(url, {"q": "alamos"})) == ["Llamada por cotización"]
    assert summaries(client.get(url, {"q": "pena"})) == ["Visita a bodega"]
    assert summaries(client.get(url, {"q": "cotización"})) == ["Llamada por cotización"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["Correo de reunión", "Visita a bodega", "Llamada por cotización"]),
        ("kind", ["Llamada por cotización", "Correo de reunión", "Visita a bodega"]),  # call, email, visit
        ("account", ["Llamada por cotización", "Visita a bodega", "Correo de reunión"]),
        ("-account", ["Correo de reunión", "Visita a bodega", "Llamada por cotización"]),
        ("drop table", ["Llamada por cotización", "Visita a bodega", "Correo de reunión"]),
    ],
)
def test_interactions_sorting(client, world, interactions, sort, expected):
    client.force_login(world.executive)

    response = client.get(reverse("relationship:interaction_list"), {"sort": sort})

    assert summaries(response) == expected


def test_interactions_list_query_budget_with_a_full_page(
    client, db, make_user, django_assert_max_num_queries
):
    manager = make_user(Role.SALES_MANAGER)
    users = [UserFactory() for _ in range(3)]
    for n in range(60):
        account = AccountFactory()
        interaction = InteractionFactory(account=account, user=users[n % 3])
        interaction.contacts.add(ContactFactory(account=account), ContactFactory(account=account))
    client.force_login(manager)

    for sort in ("", "account", "-user"):
        # session, user, count, the page's ids, its rows with accounts and users, their contacts, the
        # "By" choices
        with django_assert_max_num_queries(7):
            response = client.get(reverse("relationship:interaction_list"), {"sort": sort} if sort else {})
        assert len(rows(response)) == 50


def test_interactions_empty_state(client, world):
    client.force_login(world.executive)

    response = client.get(reverse("relationship:interaction_list"))

    assert 'data-testid="empty-state"' in response.content.decode()
    assert "Todavía no se ha registrado ninguna interacción" in response.content.decode()


# Commitments


@pytest.fixture
def commitments(world):
    today = timezone.localdate()
    return {
        "late": CommitmentFactory(
            account=world.in_portfolio, promised_by=world.executive, description="Enviar muestras",
            due_date=today - dt.timedelta(days=3),
        ),
        "soon": CommitmentFactory(
            account=world.on_team, promised_by=world.other_executive, description="Visita técnica",
            due_date=today + dt.timedelta(days=5),
        ),
        "kept": CommitmentFactory(
            account=world.in_portfolio, promised_by=world.executive, description="Cotización anual",
            due_date=today - dt.timedelta(days=30), status="kept", resolved_on=today - dt.timedelta(days=31),
        ),
        "hidden": CommitmentFactory(
            account=world.elsewhere, description="Oculto", due_date=today - dt.timedelta(days=1)
        ),
    }  # fmt: skip


def test_commitments_open_by_default_oldest_due_first_overdue_highlighted(client, world, commitments):
    client.force_login(world.executive)

    response = client.get(reverse("relationship:commitment_list"))

    assert descriptions(response) == ["Enviar muestras", "Visita técnica"]
    assert [commitment.is_overdue for commitment in rows(response)] == [True, False]
    html = response.content.decode()
    assert html.count('data-testid="overdue-row"') == 1
    assert '<tr class="overdue" data-testid="overdue-row">' in html
    assert "Vencido" in html  # said in words, not only by colour
    # The export of what is shown carries the default filter.
    assert "/data/export/commitments/?status=open&amp;sort=due&amp;format=csv" in html


@pytest.mark.parametrize("role", list(VISIBLE))
def test_commitments_list_shows_only_visible_accounts(client, world, commitments, role):
    client.force_login(world.user(role))

    response = client.get(reverse("relationship:commitment_list"), {"status": ""})

    assert {commitment.account_id for commitment in rows(response)} == {
        getattr(world, name).pk for name in VISIBLE[role]
    }


def test_commitments_filters_by_status_overdue_owner_and_text(client, world, commitments):
    client.force_login(world.manager)
    url = reverse("relationship:commitment_list")

    assert descriptions(client.get(url, {"status": "kept"})) == ["Cotización anual"]
    assert descriptions(client.get(url, {"status": "", "overdue": "true"})) == ["Enviar muestras", "Oculto"]
    assert descriptions(client.get(url, {"status": "", "overdue": "false"})) == [
        "Cotización anual",
        "Visita técnica",
    ]
    assert descriptions(client.get(url, {"status": "", "owner": world.executive.pk})) == [
        "Cotización anual",
        "Enviar muestras",
    ]
    assert descriptions(client.get(url, {"status": "", "q": "munoz"})) == [
        "Cotización anual",
        "Enviar muestras",
    ]
    assert descriptions(client.get(url, {"status": "", "q": "técnica"})) == ["Visita técnica"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-due", ["Visita técnica", "Enviar muestras", "Cotización anual"]),
        ("status", ["Cotización anual", "Enviar muestras", "Visita técnica"]),  # kept before open
        ("description", ["Cotización anual", "Enviar muestras", "Visita técnica"]),
        ("account", ["Visita técnica", "Enviar muestras", "Cotización anual"]),
        ("-promised_by", ["Visita técnica", "Cotización anual", "Enviar muestras"]),
        ("due; DROP", ["Cotización anual", "Enviar muestras", "Visita técnica"]),
    ],
)
def test_commitments_sorting(client, world, commitments, sort, expected):
    world.executive.first_name, world.other_executive.first_name = "Ana", "Bruno"
    world.executive.save()
    world.other_executive.save()
    client.force_login(world.executive)

    response = client.get(reverse("relationship:commitment_list"), {"status": "", "sort": sort})

    assert descriptions(response) == expected


def test_commitments_list_query_budget_with_a_full_page(client, db, make_user, django_assert_max_num_queries):
    manager = make_user(Role.SALES_MANAGER)
    for _ in range(60):
        account = AccountFactory()
        CommitmentFactory(account=account, promised_by=manager, promised_to=ContactFactory(account=account))
    client.force_login(manager)

    for sort in ("", "account", "-promised_to"):
        # session, user, count, the page's ids, its rows with accounts, who promised and to whom, the
        # "Promised by" choices
        with django_assert_max_num_queries(6):
            response = client.get(reverse("relationship:commitment_list"), {"sort": sort} if sort else {})
        assert len(rows(response)) == 50


def test_commitments_empty_state(client, world):
    client.force_login(world.executive)

    response = client.get(reverse("relationship:commitment_list"))

    assert "No hay compromisos abiertos" in response.content.decode()
