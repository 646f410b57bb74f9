"""The dashboard page and its chart endpoints: scope switching, what an executive sees, refused scopes,
empty states and query budgets."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from cartera.users.models import Role

pytestmark = pytest.mark.django_db

ENDPOINTS = ["tiers_data", "moves_data", "curve_data", "segments_data", "territories_data"]


def get_json(client, name, **params):
    response = client.get(reverse(f"dashboard:{name}"), params)
    assert response.status_code == 200, response.content
    return response.json()


def linked_filters(url):
    assert url.startswith("/accounts/?")
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def accounts_behind(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {account.pk for account in response.context["page"].object_list}


def test_the_landing_page_is_the_dashboard(client, company):
    client.force_login(company.world.manager)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "dashboard/home.html"
    assert response.context["section"] == "dashboard"
    assert reverse("dashboard:home") == reverse("home") == "/"


def test_login_leads_to_the_dashboard(client, company):
    response = client.post(reverse("login"), {"username": "gerente", "password": "cartera-test"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_visitors_are_sent_to_log_in(client, company):
    for url in ["/", *(reverse(f"dashboard:{name}") for name in ENDPOINTS)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_page_shows_the_figures_and_lists_of_the_whole_company(client, company):
    world = company.world
    client.force_login(world.manager)

    response = client.get("/")

    figures = response.context["figures"]
    assert (figures.accounts, str(figures.net_profit.current)) == (3, "1940.00")
    assert [alert.account_id for alert in response.context["alerts"]] == [
        world.elsewhere.pk,
        world.in_portfolio.pk,
    ]
    assert response.context["commitments"] == [company.overdue_elsewhere, company.overdue_mine]
    assert [row.account_id for row in response.context["rises"]] == [
        world.elsewhere.pk,
        world.in_portfolio.pk,
    ]
    page = response.content.decode()
    assert "$1.940" in page and "+94,0\N{NO-BREAK SPACE}%" in page  # Spanish money and percentages
    assert 'data-chart-url="/dashboard/tiers/?scope=company"' in page


def test_scope_switches_what_the_page_and_every_endpoint_show(client, company):
    world = company.world
    client.force_login(world.manager)
    scope = f"territory-{company.south.pk}"

    response = client.get("/", {"scope": scope})

    assert response.context["figures"].accounts == 1
    assert response.context["alerts"] == []
    assert f'data-chart-url="/dashboard/tiers/?scope={scope}"' in response.content.decode()
    tiers = get_json(client, "tiers_data", scope=scope)
    assert {bar["key"]: bar["value"] for bar in tiers["bars"]}["sporadic"] == 1
    assert linked_filters(tiers["bars"][2]["url"]) == {"territory": str(company.south.pk), "tier": "sporadic"}
    territories = get_json(client, "territories_data", scope=scope)
    assert [bar["name"] for bar in territories["bars"]] == ["Sur"]


def test_every_chart_links_to_the_accounts_behind_its_marks(client, company):
    world = company.world
    client.force_login(world.manager)
    since = (company.today - dt.timedelta(days=90)).isoformat()

    tiers = get_json(client, "tiers_data")
    moves = get_json(client, "moves_data", since=since)
    curve = get_json(client, "curve_data")
    segments = get_json(client, "segments_data")

    sporadic = next(bar for bar in tiers["bars"] if bar["key"] == "sporadic")
    assert accounts_behind(client, sporadic["url"]) == {world.in_portfolio.pk, world.on_team.pk}
    [down] = [link for link in moves["links"] if not link["up"]]
    assert linked_filters(down["url"]) == {
        "moved_since": since,
        "moved_from": "frequent",
        "moved_to": "sporadic",
    }
    assert accounts_behind(client, down["url"]) == {world.in_portfolio.pk}
    class_b = next(point for point in curve["points"] if point["profit_class"] == "B")
    assert accounts_behind(client, class_b["url"]) == {world.on_team.pk}
    strategic = segments["bars"][0]
    assert accounts_behind(client, strategic["url"]) == {world.in_portfolio.pk, world.elsewhere.pk}
    assert segments["bars"][1]["url"] is None  # the accounts in no segment


def test_the_sankey_has_distinct_before_and_after_nodes(client, company):
    client.force_login(company.world.manager)

    moves = get_json(client, "moves_data", since=(company.today - dt.timedelta(days=250)).isoformat())

    names = [node["name"] for node in moves["nodes"]]
    # elsewhere: no tier -> buyer -> frequent; in_portfolio: frequent -> sporadic
    assert names == [
        "Sin nivel (nueva) (antes)",
        "Frecuente (antes)",
        "Esporádico (ahora)",
        "Frecuente (ahora)",
    ]
    sources = {link["source"] for link in moves["links"]}
    targets = {link["target"] for link in moves["links"]}
    assert not sources & targets
    assert sum(link["value"] for link in moves["links"]) == 2


def test_an_executive_sees_only_their_accounts_in_every_endpoint(client, company):
    world = company.world
    client.force_login(world.executive)
    mine = {world.in_portfolio.pk, world.on_team.pk}

    tiers = get_json(client, "tiers_data")
    moves = get_json(client, "moves_data")
    curve = get_json(client, "curve_data")
    segments = get_json(client, "segments_data")
    territories = get_json(client, "territories_data")

    assert sum(bar["value"] for bar in tiers["bars"]) == 2
    assert [(link["source"], link["value"]) for link in moves["links"]] == [("Frecuente (antes)", 1)]
    assert curve["points"][-1]["accounts"] == 2
    assert [(bar["name"], bar["accounts"]) for bar in segments["bars"]] == [
        ("Estratégicos", 1),
        ("Sin segmento", 1),
    ]
    assert sorted((bar["name"], bar["text"]) for bar in territories["bars"]) == [
        ("Norte", "$620"),
        ("Sur", "$120"),
    ]
    for url in [bar["url"] for bar in tiers["bars"]] + [territories["bars"][0]["url"]]:
        assert accounts_behind(client, url) <= mine
    page = client.get("/")
    assert page.context["figures"].accounts == 2
    assert [alert.account_id for alert in page.context["alerts"]] == [world.in_portfolio.pk]
    assert page.context["commitments"] == [company.overdue_mine]
    assert [row.account_id for row in page.context["rises"]] == [world.in_portfolio.pk]
    assert "Minera Tamarugal" not in page.content.decode()


def test_an_executive_cannot_widen_the_scope(client, company):
    world = company.world
    client.force_login(world.executive)
    theirs = f"portfolio-{world.elsewhere.portfolio.pk}"

    assert client.get("/", {"scope": theirs}).status_code == 404
    for name in ENDPOINTS:
        assert client.get(reverse(f"dashboard:{name}"), {"scope": theirs}).status_code == 404
    # A territory is the company's map: it narrows to the executive's accounts in it.
    north = get_json(client, "tiers_data", scope=f"territory-{company.north.pk}")
    assert sum(bar["value"] for bar in north["bars"]) == 1
    options = client.get("/").context["scope_form"].fields["scope"].choices
    assert [label for label, _options in options] == ["", "Territorios", "Carteras", "Segmentos"]
    assert options[0] == ("", [("company", "Todas sus cuentas")])
    assert dict(options)["Carteras"] == [
        (f"portfolio-{world.in_portfolio.portfolio.pk}", "Cartera Ejecutiva")
    ]


def test_unknown_scopes_and_bad_dates_are_refused(client, company):
    client.force_login(company.world.manager)

    assert client.get("/", {"scope": "galaxy-1"}).status_code == 404
    assert client.get(reverse("dashboard:tiers_data"), {"scope": "territory-999999"}).status_code == 404
    future = (company.today + dt.timedelta(days=1)).isoformat()
    assert client.get(reverse("dashboard:moves_data"), {"since": future}).status_code == 400
    assert client.get(reverse("dashboard:moves_data"), {"since": "ayer"}).status_code == 400
    page = client.get("/", {"since": future})
    assert page.status_code == 200
    assert page.context["since"] == company.today - dt.timedelta(days=90)


def test_empty_states(client, company, make_user):
    newcomer = make_user(Role.ACCOUNT_EXECUTIVE)
    client.force_login(newcomer)

    for name in ENDPOINTS:
        assert get_json(client, name)["empty"] is True
    page = client.get("/")
    content = page.content.decode()
    assert page.context["figures"].accounts == 0
    assert page.context["alerts"] == [] and page.context["commitments"] == [] and page.context["rises"] == []
    assert "Ninguna cuenta ha superado su límite sin contacto. Bien hecho." in content
    assert "Ningún compromiso abierto está vencido." in content
    assert 'data-empty-text="Todavía no hay cuentas que mostrar aquí."' in content
    assert "Sin datos para comparar en los 12 meses anteriores" in content


def test_english_labels_and_money(client, company):
    client.force_login(company.world.manager)
    client.cookies["django_language"] = "en"

    tiers = get_json(client, "tiers_data")
    segments = get_json(client, "segments_data")

    assert [bar["name"] for bar in tiers["bars"]] == ["Prospect", "Buyer", "Sporadic", "Frequent", "Loyal"]
    assert segments["bars"][0]["text"] == "CLP\N{NO-BREAK SPACE}1,820"


@pytest.mark.parametrize(
    ("name", "budget"),
    [("tiers_data", 3), ("moves_data", 3), ("curve_data", 3), ("segments_data", 3), ("territories_data", 3)],
)
def test_endpoint_query_budgets(client, company, django_assert_max_num_queries, name, budget):
    client.force_login(company.world.executive)
    client.get("/")  # warm the session

    # session and user, then one query for the chart (two for a scoped one: the scope's target)
    with django_assert_max_num_queries(budget):
        client.get(reverse(f"dashboard:{name}"))
    with django_assert_max_num_queries(budget + 1):
        client.get(reverse(f"dashboard:{name}"), {"scope": f"territory-{company.north.pk}"})


def test_page_query_budget(client, company, django_assert_max_num_queries):
    client.force_login(company.world.manager)
    client.get("/")

    # session, user, three for the scope choices, the scope, the window, the sums, the count, three lists
    with django_assert_max_num_queries(12):
        response = client.get("/", {"scope": f"segment-{company.strategic.pk}"})
    assert response.status_code == 200


def test_counts_in_the_table_alternative_are_grouped_for_the_language(client, company, monkeypatch):
    from cartera.dashboard import selectors

    monkeypatch.setattr(
        selectors, "accounts_per_tier", lambda **kwargs: {"prospect": 0, "frequent": 12345, "loyal": 1}
    )
    client.force_login(company.world.manager)

    counts = [row[1]["text"] for row in get_json(client, "tiers_data")["table"]["rows"]]
    assert counts == ["0", "12.345", "1"]

    client.cookies["django_language"] = "en"
    counts = [row[1]["text"] for row in get_json(client, "tiers_data")["table"]["rows"]]
    assert counts == ["0", "12,345", "1"]
