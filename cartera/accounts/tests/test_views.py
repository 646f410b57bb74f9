"""The staff UI for accounts and contacts: who sees what, the forms' answers, and query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import account_update
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.accounts.tests.showcase import ACCOUNT_PAGE_QUERIES, build_showcase
from cartera.coverage.tests.factories import PortfolioFactory, TerritoryFactory
from cartera.users.models import Role

ALL = {"in_portfolio", "on_team", "elsewhere"}
VISIBLE = {
    Role.ADMINISTRATOR: ALL,
    Role.SALES_MANAGER: ALL,
    Role.MARKETING_ANALYST: ALL,
    Role.SUPPORT_AGENT: ALL,
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team"},
    Role.SPECIALIST: {"on_team"},
}
# A word of each world account's name, written without accents or capitals.
SEARCH_WORD = {"in_portfolio": "munoz", "on_team": "alamos", "elsewhere": "tamarugal"}
CASES = [(role, name) for role in VISIBLE for name in sorted(ALL)]


def pks(world, names):
    return {getattr(world, name).pk for name in names}


def form_data(**overrides):
    data = {
        "legal_name": "Servicios Integrales Pehuén SpA",
        "trade_name": "",
        "country": "CL",
        "tax_id": "96.790.240-3",
        "region": "CL-VS",
        "city": "Valparaíso",
        "industry": "services",
        "size_band": "small",
        "status": "prospect",
        "portfolio": "",
        "strategic_fit": "3",
        "strategic_fit_note": "",
        "language": "es",
        "currency": "CLP",
    }
    data.update(overrides)
    return data


def account_form_data(account, **overrides):
    data = form_data(
        legal_name=account.legal_name,
        trade_name=account.trade_name,
        country=account.country,
        tax_id=account.tax_id_display,
        region=account.region,
        city=account.city,
        industry=account.industry,
        size_band=account.size_band,
        status=account.status,
        portfolio=account.portfolio_id or "",
        strategic_fit=account.strategic_fit or "",
        version=account.version,
    )
    data.update(overrides)
    return data


# Visibility: every role, every page, an account it may see and one it may not


@pytest.mark.parametrize("role", list(VISIBLE))
def test_accounts_list_shows_exactly_the_accounts_the_role_may_see(client, world, role):
    client.force_login(world.user(role))

    response = client.get(reverse("accounts:list"))

    assert response.status_code == 200
    assert {account.pk for account in response.context["page"].object_list} == pks(world, VISIBLE[role])
    for name in ALL:
        shown = getattr(world, name).legal_name in response.content.decode()
        assert shown == (name in VISIBLE[role])


@pytest.mark.parametrize(("role", "name"), CASES)
def test_account_page_is_found_only_when_the_role_may_see_the_account(client, world, role, name):
    account = getattr(world, name)
    client.force_login(world.user(role))

    response = client.get(reverse("accounts:detail", args=[account.pk]))

    if name in VISIBLE[role]:
        assert response.status_code == 200
        assert response.context["account"] == account
    else:
        assert response.status_code == 404
        assert account.legal_name not in response.content.decode()


@pytest.mark.parametrize("role", list(VISIBLE))
def test_contacts_list_shows_exactly_the_contacts_of_visible_accounts(client, world, role):
    client.force_login(world.user(role))

    response = client.get(reverse("accounts:contact_list"))

    assert response.status_code == 200
    shown = {contact.account_id for contact in response.context["page"].object_list}
    assert shown == pks(world, VISIBLE[role])


@pytest.mark.parametrize(("role", "name"), CASES)
def test_search_finds_an_account_and_its_contacts_only_when_the_role_may_see_it(client, world, role, name):
    client.force_login(world.user(role))

    accounts = client.get(reverse("accounts:search"), {"q": SEARCH_WORD[name]}).context["accounts"]
    contacts = client.get(reverse("accounts:search"), {"q": "contacto"}).context["contacts"]

    expected = {getattr(world, name).pk} if name in VISIBLE[role] else set()
    assert {account.pk for account in accounts} == expected
    assert {contact.account_id for contact in contacts} == pks(world, VISIBLE[role])


def test_pages_ask_anonymous_visitors_to_log_in(client, world):
    response = client.get(reverse("accounts:detail", args=[world.in_portfolio.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/accounts/{world.in_portfolio.pk}/"


def test_home_page_is_the_dashboard_with_a_link_to_the_accounts_list(client, world):
    client.force_login(world.executive)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "dashboard/home.html"
    assert 'href="/accounts/"' in response.content.decode()


# Lists: filters, HTMX partials, empty state


def test_accounts_list_filters_with_accent_insensitive_search(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("accounts:list"), {"q": "FERRETERIA munoz"})

    assert [account.pk for account in response.context["page"].object_list] == [world.in_portfolio.pk]


def test_accounts_list_filters_by_portfolio_and_status(client, world):
    client.force_login(world.manager)
    portfolio = world.on_team.portfolio
    Account.objects.filter(pk=world.elsewhere.pk).update(status="prospect")

    response = client.get(reverse("accounts:list"), {"portfolio": portfolio.pk, "status": "client"})

    assert [account.pk for account in response.context["page"].object_list] == [world.on_team.pk]


def test_accounts_list_answers_htmx_with_the_table_alone(client, world):
    client.force_login(world.manager)

    response = client.get(
        reverse("accounts:list"), {"q": "alamos"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="account-results"
    )

    body = response.content.decode()
    assert response.templates[0].name == "accounts/partials/account_table.html"
    assert "<html" not in body
    assert "Constructora Los Álamos S.A." in body
    assert "1 cuenta" in body


def test_accounts_list_says_so_when_nothing_matches(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("accounts:list"), {"q": "zzz"})

    assert "Ninguna cuenta coincide con estos filtros." in response.content.decode()


def test_accounts_list_shows_tax_ids_the_chilean_way(client, world):
    client.force_login(world.manager)
    Account.objects.filter(pk=world.in_portfolio.pk).update(tax_id="760864285")

    response = client.get(reverse("accounts:list"))

    assert "76.086.428-5" in response.content.decode()


def test_contacts_list_filters_by_buying_role(client, world):
    client.force_login(world.manager)
    purchaser = ContactFactory.create(account=world.on_team, buying_role="purchaser", last_name="Compras")

    response = client.get(reverse("accounts:contact_list"), {"buying_role": "purchaser"})

    assert [contact.pk for contact in response.context["page"].object_list] == [purchaser.pk]


def test_contacts_list_filter_offers_only_visible_accounts(client, world):
    client.force_login(world.specialist)

    response = client.get(reverse("accounts:contact_list"), {"account": world.elsewhere.pk})

    assert response.context["filter"].errors["account"] == [
        "Escoja una opción válida. Esa opción no está entre las disponibles."
    ]


# The account page


def test_account_page_shows_the_account_its_people_orders_and_promises(client, db):
    today = dt.date(2026, 11, 23)
    showcase = build_showcase(today=today)
    client.force_login(showcase.executive)

    response = client.get(reverse("accounts:detail", args=[showcase.account.pk]))

    body = response.content.decode()
    overview = response.context["overview"]
    assert "RUT 76.086.428-5" in body
    assert "Comercializadora Ñuñoa Limitada" in body
    assert [
        (group.role, [c.last_name for c in group.contacts]) for group in overview.buying_center.groups
    ] == [
        ("decision_maker", ["Muñoz Ibáñez"]),
        ("economic_buyer", ["Álvarez"]),
        ("technical_evaluator", ["Herrera"]),
        ("purchaser", ["Contreras"]),
        ("gatekeeper", ["Vidal"]),
    ]
    assert overview.buying_center.gaps == []
    assert "Evaluador técnico" in body
    assert [o.number for o in overview.orders][:2] == ["OC-2026-1199", "OC-2026-1198"]
    # 40 × 8.900 × 0,95 + 3 × 74.990 = 563.170
    assert overview.orders[0].total_cents == 56_317_000
    assert "$563.170" in body
    assert len(overview.interactions) == 5
    assert [c.description for c in overview.commitments.open] == [
        "Enviar nota de crédito por los taladros defectuosos",
        "Cotizar guantes anticorte para la planta de Quilicura",
        "Agendar capacitación en uso seguro de herramientas",
    ]
    assert (overview.commitments.open_count, overview.commitments.overdue_count) == (3, 1)
    assert [c.description for c in overview.commitments.resolved] == ["Despachar muestras de guantes"]
    assert body.count("commitment overdue") == 1
    assert overview.may_edit is True
    assert reverse("accounts:edit", args=[showcase.account.pk]) in body


def test_account_page_hides_edit_buttons_from_read_only_roles(client, world):
    client.force_login(world.support)

    response = client.get(reverse("accounts:detail", args=[world.in_portfolio.pk]))

    assert response.context["overview"].may_edit is False
    assert reverse("accounts:edit", args=[world.in_portfolio.pk]) not in response.content.decode()


# Forms


def test_account_form_refuses_a_wrong_rut_check_digit_and_creates_nothing(client, world):
    client.force_login(world.executive)
    before = Account.objects.count()

    response = client.post(reverse("accounts:new"), form_data(tax_id="96.790.240-4"))

    assert response.status_code == 200
    assert response.context["form"].errors["tax_id"] == [
        "96.790.240-4 no es un RUT válido (CL): el dígito verificador no es correcto."
    ]
    assert "el dígito verificador no es correcto" in response.content.decode()
    assert Account.objects.count() == before


def test_account_form_links_to_the_account_that_already_has_the_tax_id(client, world):
    client.force_login(world.executive)
    before = Account.objects.count()

    response = client.post(reverse("accounts:new"), form_data(tax_id=world.in_portfolio.tax_id_display))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/accounts/{world.in_portfolio.pk}/"' in body
    assert response.context["duplicate"] == world.in_portfolio
    assert f"Ya existe una cuenta con RUT {world.in_portfolio.tax_id_display}" in body
    assert Account.objects.count() == before


def test_account_form_creates_the_account_and_opens_its_page(client, world):
    client.force_login(world.executive)

    response = client.post(reverse("accounts:new"), form_data())

    account = Account.objects.get(tax_id="967902403")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.pk}/"
    assert account.legal_name == "Servicios Integrales Pehuén SpA"
    assert account.region == "CL-VS"
    assert account.strategic_fit == 3
    assert list(account.team_members.values_list("user_id", "role")) == [(world.executive.pk, "responsible")]


def test_account_form_refuses_a_stale_version_and_keeps_the_other_save(client, world):
    account = world.in_portfolio
    account_update(actor=world.manager, account=account, expected_version=1, city="Valparaíso")
    client.force_login(world.executive)

    response = client.post(
        reverse("accounts:edit", args=[account.pk]),
        account_form_data(account, legal_name="Nombre Pisado", city="Talca", version=1),
    )

    stored = Account.objects.get(pk=account.pk)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Alguien más guardó este registro mientras usted lo editaba. Recargue la página para ver sus "
        "cambios; los suyos no se guardaron."
    ]
    assert f'href="/accounts/{account.pk}/edit/"' in response.content.decode()
    assert (stored.legal_name, stored.city, stored.version) == ("Ferretería Muñoz Limitada", "Valparaíso", 2)


def test_account_form_saves_changes_with_the_current_version(client, world):
    account = world.in_portfolio
    client.force_login(world.executive)

    response = client.post(
        reverse("accounts:edit", args=[account.pk]),
        account_form_data(account, city="Rancagua", region="CL-LI"),
    )

    stored = Account.objects.get(pk=account.pk)
    assert response.status_code == 302
    assert (stored.city, stored.region, stored.version) == ("Rancagua", "CL-LI", 2)


def test_support_agent_may_not_post_an_edit_and_nothing_changes(client, world):
    account = world.in_portfolio
    client.force_login(world.support)

    response = client.post(
        reverse("accounts:edit", args=[account.pk]), account_form_data(account, city="Arica")
    )

    stored = Account.objects.get(pk=account.pk)
    assert response.status_code == 403
    assert (stored.city, stored.version) == ("Santiago", 1)


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        (Role.SUPPORT_AGENT, "in_portfolio", 403),
        (Role.MARKETING_ANALYST, "elsewhere", 403),
        (Role.SPECIALIST, "on_team", 200),
        (Role.SPECIALIST, "elsewhere", 404),
        (Role.ACCOUNT_EXECUTIVE, "elsewhere", 404),
        (Role.ACCOUNT_EXECUTIVE, "on_team", 200),
    ],
)
def test_edit_pages_answer_403_to_readers_and_404_to_those_who_may_not_see(client, world, role, name, status):
    account = getattr(world, name)
    contact = account.contacts.get()
    client.force_login(world.user(role))

    statuses = [
        client.get(reverse("accounts:edit", args=[account.pk])).status_code,
        client.get(reverse("accounts:contact_new", args=[account.pk])).status_code,
        client.get(reverse("accounts:contact_edit", args=[contact.pk])).status_code,
    ]

    assert statuses == [status, status, status]


def test_read_only_roles_may_not_open_the_new_account_form(client, world):
    client.force_login(world.analyst)

    assert client.get(reverse("accounts:new")).status_code == 403


def test_region_select_follows_the_country(client, world):
    client.force_login(world.executive)

    response = client.get(reverse("accounts:region_options"), {"country": "AR"})

    body = response.content.decode()
    assert '<option value="AR-C">Ciudad Autónoma de Buenos Aires</option>' in body
    assert "CL-RM" not in body
    assert '<span id="tax-id-label" hx-swap-oob="true">CUIT</span>' in body


def test_contact_form_adds_a_person_with_a_buying_role(client, world):
    client.force_login(world.executive)
    data = {
        "first_name": "Josefa",
        "last_name": "Núñez",
        "job_title": "Jefa de compras",
        "buying_role": "purchaser",
        "email": "Josefa.Nunez@Cliente.cl",
        "phone": "9 6123 4567",
        "language": "es",
        "consents_to_email": "on",
    }

    response = client.post(reverse("accounts:contact_new", args=[world.in_portfolio.pk]), data)

    contact = Contact.objects.get(last_name="Núñez")
    assert response.status_code == 302
    assert (contact.account, contact.buying_role, contact.email, contact.phone) == (
        world.in_portfolio,
        "purchaser",
        "josefa.nunez@cliente.cl",
        "+56961234567",
    )
    assert (contact.consents_to_email, contact.consents_to_calls) == (True, False)


def test_contact_form_shows_the_phone_error_and_creates_nothing(client, world):
    client.force_login(world.executive)
    before = Contact.objects.count()

    response = client.post(
        reverse("accounts:contact_new", args=[world.in_portfolio.pk]),
        {"first_name": "Josefa", "last_name": "Núñez", "phone": "12", "language": "es"},
    )

    assert response.context["form"].errors["phone"] == ["12 no es un número de teléfono válido para CL."]
    assert Contact.objects.count() == before


def test_contact_form_refuses_a_stale_version(client, world):
    contact = world.in_portfolio.contacts.get()
    Contact.objects.filter(pk=contact.pk).update(job_title="Gerente", version=2)
    client.force_login(world.executive)

    response = client.post(
        reverse("accounts:contact_edit", args=[contact.pk]),
        {
            "first_name": "Otro",
            "last_name": contact.last_name,
            "language": "es",
            "is_active": "on",
            "version": 1,
        },
    )

    stored = Contact.objects.get(pk=contact.pk)
    assert response.status_code == 200
    assert "Alguien más guardó este registro" in response.content.decode()
    assert (stored.first_name, stored.job_title, stored.version) == (contact.first_name, "Gerente", 2)


# Query budgets: the number of queries does not grow with the rows shown


def test_accounts_list_query_budget_with_a_full_page(client, db, make_user, django_assert_max_num_queries):
    manager = make_user(Role.SALES_MANAGER)
    portfolios = [PortfolioFactory() for _ in range(3)]
    territories = [TerritoryFactory() for _ in range(3)]
    for n in range(60):
        AccountFactory(
            portfolio=portfolios[n % 3], territory=territories[n % 3], region=["CL-RM", "CL-VS"][n % 2]
        )
    client.force_login(manager)

    # the filter form's territories, portfolios and segments are one query each
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:list"))

    assert len(response.context["page"].object_list) == 50


def test_account_page_query_budget(client, db, django_assert_max_num_queries):
    # The 360° page reads about twenty queries, however many orders, contacts or interactions the account
    # has (cartera/accounts/tests/test_account_360.py checks that it stays so as they grow).
    showcase = build_showcase()
    client.force_login(showcase.executive)

    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES):
        response = client.get(reverse("accounts:detail", args=[showcase.account.pk]))

    assert response.context["overview"].buying_center.total == 5


def test_contacts_list_and_search_query_budgets(client, db, make_user, django_assert_max_num_queries):
    manager = make_user(Role.SALES_MANAGER)
    for n in range(60):
        ContactFactory.create(last_name=f"Rojas {n}")
    client.force_login(manager)

    with django_assert_max_num_queries(5):
        contacts = client.get(reverse("accounts:contact_list"))
    with django_assert_max_num_queries(4):
        search = client.get(reverse("accounts:search"), {"q": "rojas"})

    assert len(contacts.context["page"].object_list) == 50
    assert len(search.context["contacts"]) == 20


# Language


def test_pages_are_in_spanish_by_default_and_the_switch_changes_the_language(client, world):
    client.force_login(world.executive)
    spanish = client.get(reverse("accounts:list")).content.decode()

    switch = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/"})
    english = client.get(reverse("accounts:list")).content.decode()

    assert '<html lang="es">' in spanish
    assert "<h1>Cuentas</h1>" in spanish
    assert switch.status_code == 302
    assert switch["Location"] == "/accounts/"
    assert '<html lang="en">' in english
    assert "<h1>Accounts</h1>" in english


def test_an_english_browser_still_gets_spanish_until_the_person_switches(client, world):
    client.force_login(world.executive)

    body = client.get(reverse("accounts:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="es">' in body


def test_a_user_whose_language_is_english_gets_english(client, world):
    world.executive.language = "en"
    world.executive.save(update_fields=["language"])
    client.force_login(world.executive)

    body = client.get(reverse("accounts:list")).content.decode()

    assert '<html lang="en">' in body


def test_list_export_buttons_carry_the_lists_filters_and_export_only_what_it_shows(client, world):
    client.force_login(world.executive)

    page = client.get("/accounts/", {"q": "munoz"})
    content = page.content.decode()
    response = client.get("/data/export/accounts/", {"q": "munoz", "format": "csv"})

    assert 'href="/data/export/accounts/?q=munoz&amp;format=csv"' in content
    assert response.status_code == 200
    exported = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    assert [line.split(",")[0] for line in exported.strip().splitlines()[1:]] == [
        world.in_portfolio.tax_id_display
    ]


@pytest.mark.parametrize(
    ("role", "sees_import", "sees_webhooks"),
    [
        ("administrator", True, True),
        ("sales_manager", True, True),
        ("account_executive", True, False),
        ("specialist", True, False),
        ("support_agent", False, False),
        ("marketing_analyst", False, False),
    ],
)
def test_navigation_offers_import_and_integrations_by_role(client, world, role, sees_import, sees_webhooks):
    client.force_login(world.user(role))

    content = client.get("/accounts/").content.decode()

    assert ('href="/data/import/"' in content) is sees_import
    assert ('href="/api/webhooks/"' in content) is sees_webhooks
    assert 'href="/api/tokens/"' in content
