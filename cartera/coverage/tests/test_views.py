"""The portfolio and territory pages: who sees what (404) and who may change it (403), the answers of the
forms, the chart data, and query budgets that do not grow with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember, Portfolio, PortfolioReassignment, Territory
from cartera.coverage.tests.factories import PortfolioFactory, TerritoryFactory, TerritoryRegionFactory
from cartera.insights.models import AccountInsight, Segment, ServiceModel
from cartera.users.models import Role

TODAY = dt.date(2026, 3, 31)


def insight(account, *, tier="frequent", net_profit_cents=0, disconnected=False, segment=None, **fields):
    return AccountInsight.objects.create(
        account=account,
        as_of=TODAY,
        tier=tier,
        profit_class="A" if net_profit_cents > 0 else "L",
        net_profit_12m_cents=net_profit_cents,
        revenue_12m_cents=max(net_profit_cents, 0) * 3,
        is_disconnected=disconnected,
        days_without_contact=120 if disconnected else 10,
        days_overdue=30 if disconnected else 0,
        segment=segment,
        **fields,
    )


@pytest.fixture
def figures(world):
    """Insights for the world's accounts: the executive's portfolio holds one frequent account with an
    alert; the other executive's holds a loyal one and a loss-making prospect-tier one."""
    model = ServiceModel.objects.create(
        name="Dedicado",
        coverage="dedicated",
        max_days_without_contact=30,
        first_response_hours=4,
        resolution_hours=48,
        review_cadence_days=90,
    )
    strategic = Segment.objects.create(name="Estratégicos", priority=1, service_model=model)
    insight(world.in_portfolio, net_profit_cents=1_500_000_00, disconnected=True, segment=strategic)
    insight(world.on_team, tier="loyal", net_profit_cents=900_000_00, segment=strategic)
    insight(world.elsewhere, tier="prospect", net_profit_cents=-200_000_00)
    return strategic


def log_in(client, user):
    client.force_login(user)
    return client


def detail_url(portfolio):
    return reverse("coverage:portfolio_detail", args=[portfolio.pk])


# --- the portfolio list --------------------------------------------------------------------------


def test_a_manager_sees_every_portfolio_with_its_figures(client, world, figures):
    response = log_in(client, world.manager).get(reverse("coverage:portfolio_list"))

    assert response.status_code == 200
    rows = {
        p.name: (p.accounts_count, p.net_profit_12m_cents, p.alerts_count)
        for p in response.context["portfolios"]
    }
    assert rows == {
        "Cartera Ejecutiva": (1, 1_500_000_00, 1),
        "Cartera Otro": (2, 700_000_00, 0),
    }
    assert "$1.500.000" in response.content.decode()
    assert reverse("coverage:portfolio_new") in response.content.decode()


def test_an_executive_lists_only_their_own_portfolios_and_cannot_create(client, world, figures):
    response = log_in(client, world.executive).get(reverse("coverage:portfolio_list"))

    assert [p.name for p in response.context["portfolios"]] == ["Cartera Ejecutiva"]
    assert reverse("coverage:portfolio_new") not in response.content.decode()
    assert log_in(client, world.executive).get(reverse("coverage:portfolio_new")).status_code == 403


def test_the_portfolio_list_has_a_query_budget(client, world, figures, django_assert_num_queries):
    for n in range(15):
        PortfolioFactory(name=f"Cartera Extra {n:02}", owner=world.other_executive)
    log_in(client, world.manager)

    with django_assert_num_queries(3):  # session, user, portfolios with their figures
        response = client.get(reverse("coverage:portfolio_list"))

    assert len(response.context["portfolios"]) == 17


# --- a portfolio's page ---------------------------------------------------------------------------


def test_a_portfolio_page_shows_its_health_alerts_accounts_and_history(client, world, figures):
    portfolio = world.elsewhere.portfolio
    PortfolioReassignment.objects.create(
        portfolio=portfolio, from_owner=world.executive, to_owner=world.other_executive, reason="Licencia"
    )

    response = log_in(client, world.manager).get(detail_url(portfolio))

    health = response.context["health"]
    assert (health.accounts, health.net_profit_12m, health.alerts, health.loss_making) == (2, 700_000, 0, 1)
    assert {item.key: item.count for item in health.tiers} == {
        "prospect": 1,
        "buyer": 0,
        "sporadic": 0,
        "frequent": 0,
        "loyal": 1,
    }
    assert [account.pk for account in response.context["page"]] == [world.on_team.pk, world.elsewhere.pk]
    page = response.content.decode()
    assert "Licencia" in page
    assert reverse("coverage:portfolio_reassign", args=[portfolio.pk]) in page


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST])
def test_someone_elses_portfolio_is_not_found(client, world, figures, role):
    theirs = world.elsewhere.portfolio
    log_in(client, world.user(role))

    for name in [
        "portfolio_detail",
        "portfolio_tiers_data",
        "portfolio_segments_data",
        "portfolio_edit",
        "portfolio_reassign",
    ]:
        assert client.get(reverse(f"coverage:{name}", args=[theirs.pk])).status_code == 404, name


def test_an_executive_reads_their_portfolio_but_may_not_change_it(client, world, figures):
    mine = world.in_portfolio.portfolio
    log_in(client, world.executive)

    response = client.get(detail_url(mine))
    assert response.status_code == 200
    assert reverse("coverage:portfolio_reassign", args=[mine.pk]) not in response.content.decode()
    assert client.get(reverse("coverage:portfolio_edit", args=[mine.pk])).status_code == 403
    response = client.post(reverse("coverage:portfolio_edit", args=[mine.pk]), {"name": "Mía", "version": 1})
    assert response.status_code == 403
    response = client.post(
        reverse("coverage:portfolio_reassign", args=[mine.pk]),
        {"new_owner": world.other_executive.pk, "reason": "Me voy", "version": 1},
    )
    assert response.status_code == 403
    assert Portfolio.objects.get(pk=mine.pk).name == "Cartera Ejecutiva"
    assert PortfolioReassignment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING_ANALYST])
def test_read_only_roles_see_portfolios_but_may_not_change_them(client, world, figures, role):
    portfolio = world.elsewhere.portfolio
    log_in(client, world.user(role))

    assert client.get(detail_url(portfolio)).status_code == 200
    assert client.get(reverse("coverage:portfolio_edit", args=[portfolio.pk])).status_code == 403
    assert client.get(reverse("coverage:assign")).status_code == 403


def test_tier_and_segment_data_count_the_portfolios_accounts_and_link_to_them(client, world, figures):
    portfolio = world.elsewhere.portfolio
    log_in(client, world.manager)

    tiers = client.get(reverse("coverage:portfolio_tiers_data", args=[portfolio.pk])).json()
    segments = client.get(reverse("coverage:portfolio_segments_data", args=[portfolio.pk])).json()

    assert tiers["empty"] is False
    assert [(item["key"], item["value"]) for item in tiers["items"]] == [
        ("prospect", 1),
        ("buyer", 0),
        ("sporadic", 0),
        ("frequent", 0),
        ("loyal", 1),
    ]
    assert tiers["items"][4]["url"] == f"/accounts/?portfolio={portfolio.pk}&tier=loyal"
    assert [(item["name"], item["value"]) for item in segments["items"]] == [
        ("Estratégicos", 1),
        ("Sin segmento", 1),
    ]
    assert segments["items"][0]["url"] == f"/accounts/?portfolio={portfolio.pk}&segment={figures.pk}"
    assert "url" not in segments["items"][1]


def test_chart_data_of_a_portfolio_without_insights_is_empty(client, world):
    log_in(client, world.manager)
    portfolio = world.in_portfolio.portfolio

    assert client.get(reverse("coverage:portfolio_tiers_data", args=[portfolio.pk])).json()["empty"] is True
    assert client.get(reverse("coverage:portfolio_segments_data", args=[portfolio.pk])).json() == {
        "empty": True,
        "items": [],
    }


def test_the_portfolio_page_and_its_data_have_query_budgets(
    client, world, figures, django_assert_num_queries
):
    portfolio = world.elsewhere.portfolio
    for n in range(30):
        account = AccountFactory(legal_name=f"Cuenta {n:02}", portfolio=portfolio)
        insight(account, net_profit_cents=n * 100_00, disconnected=n % 3 == 0, segment=figures)
    PortfolioReassignment.objects.create(
        portfolio=portfolio, from_owner=world.executive, to_owner=world.other_executive
    )
    log_in(client, world.manager)

    # session, user, portfolio, alerts, health (count, totals, segments), history, accounts (count, page)
    with django_assert_num_queries(10):
        response = client.get(detail_url(portfolio))
    assert response.context["health"].accounts == 32
    assert len(response.context["alerts"]) == 10
    with django_assert_num_queries(6):
        client.get(reverse("coverage:portfolio_tiers_data", args=[portfolio.pk]))


# --- creating, editing, reassigning ---------------------------------------------------------------


def test_a_manager_creates_and_edits_a_portfolio(client, world):
    log_in(client, world.manager)

    response = client.post(
        reverse("coverage:portfolio_new"),
        {"name": "Cartera Sur", "owner": world.executive.pk, "description": "Sur"},
    )
    created = Portfolio.objects.get(name="Cartera Sur")
    assert response.status_code == 302
    assert response["Location"] == detail_url(created)
    assert created.owner == world.executive

    response = client.post(
        reverse("coverage:portfolio_edit", args=[created.pk]),
        {"name": "Cartera Austral", "description": "", "is_active": "", "version": 1},
    )
    created.refresh_from_db()
    assert (created.name, created.is_active, created.version) == ("Cartera Austral", False, 2)


def test_a_stale_portfolio_edit_is_refused_and_says_why(client, world):
    portfolio = world.in_portfolio.portfolio
    Portfolio.objects.filter(pk=portfolio.pk).update(version=3)

    response = log_in(client, world.manager).post(
        reverse("coverage:portfolio_edit", args=[portfolio.pk]),
        {"name": "Otro nombre", "description": "", "is_active": "on", "version": 2},
    )

    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert Portfolio.objects.get(pk=portfolio.pk).name == "Cartera Ejecutiva"


def test_reassigning_a_portfolio_keeps_it_in_the_history_shown_on_its_page(client, world):
    portfolio = world.in_portfolio.portfolio
    log_in(client, world.manager)

    response = client.post(
        reverse("coverage:portfolio_reassign", args=[portfolio.pk]),
        {"new_owner": world.other_executive.pk, "reason": "Reorganización del territorio", "version": 1},
    )

    assert response.status_code == 302
    portfolio.refresh_from_db()
    assert portfolio.owner == world.other_executive
    move = PortfolioReassignment.objects.get()
    assert (move.from_owner, move.to_owner, move.changed_by, move.reason) == (
        world.executive,
        world.other_executive,
        world.manager,
        "Reorganización del territorio",
    )
    assert set(
        AccountTeamMember.objects.filter(account=world.in_portfolio, role="responsible").values_list(
            "user", flat=True
        )
    ) == {world.other_executive.pk}
    page = client.get(detail_url(portfolio)).content.decode()
    assert "Reorganización del territorio" in page
    # The executive no longer sees it.
    assert log_in(client, world.executive).get(detail_url(portfolio)).status_code == 404


def test_a_reassignment_needs_a_reason(client, world):
    portfolio = world.in_portfolio.portfolio

    response = log_in(client, world.manager).post(
        reverse("coverage:portfolio_reassign", args=[portfolio.pk]),
        {"new_owner": world.other_executive.pk, "reason": "", "version": 1},
    )

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert PortfolioReassignment.objects.count() == 0


# --- assigning accounts ---------------------------------------------------------------------------


def assign(client, accounts, target, extra=()):
    values = [f"{account.pk}:{account.version}" for account in accounts] + list(extra)
    return client.post(reverse("coverage:assign"), {"accounts": values, "target": target.pk})


def test_a_manager_moves_ticked_accounts_to_a_portfolio(client, world):
    target = world.in_portfolio.portfolio
    log_in(client, world.manager)

    response = assign(client, [world.on_team, world.elsewhere], target)

    assert response.status_code == 302
    assert set(Account.objects.filter(portfolio=target)) == {
        world.in_portfolio,
        world.on_team,
        world.elsewhere,
    }
    assert AuditRecord.objects.filter(object_type="accounts.account", actor=world.manager).count() == 2
    follow = client.get(response["Location"])
    assert "2 cuentas movidas a Cartera Ejecutiva." in follow.content.decode()


def test_a_bulk_assignment_with_a_bad_account_id_moves_nothing_and_says_so(client, world):
    target = world.in_portfolio.portfolio
    missing = Account.objects.order_by("-pk").first().pk + 100
    log_in(client, world.manager)

    response = assign(client, [world.on_team, world.elsewhere], target, extra=[f"{missing}:1"])

    assert response.status_code == 200
    assert f"No existen estas cuentas: {missing}. No se movió ninguna cuenta." in response.content.decode()
    assert set(Account.objects.filter(portfolio=target)) == {world.in_portfolio}
    assert AuditRecord.objects.count() == 0


def test_a_bulk_assignment_of_accounts_changed_meanwhile_moves_nothing(client, world):
    target = world.in_portfolio.portfolio
    stale = [f"{world.on_team.pk}:1", f"{world.elsewhere.pk}:1"]
    Account.objects.filter(pk=world.elsewhere.pk).update(version=2)

    response = log_in(client, world.manager).post(
        reverse("coverage:assign"), {"accounts": stale, "target": target.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert set(Account.objects.filter(portfolio=target)) == {world.in_portfolio}


def test_an_executive_may_not_assign_accounts(client, world):
    log_in(client, world.executive)

    assert client.get(reverse("coverage:assign")).status_code == 403
    assert assign(client, [world.on_team], world.in_portfolio.portfolio).status_code == 403
    assert Account.objects.get(pk=world.on_team.pk).portfolio == world.on_team.portfolio


def test_the_assignment_list_has_a_query_budget(client, world, django_assert_num_queries):
    for n in range(40):
        AccountFactory(legal_name=f"Cuenta {n:02}")
    log_in(client, world.manager)

    # session, user, region choices, territories, portfolios (filter), count, page, target portfolios
    with django_assert_num_queries(8):
        response = client.get(reverse("coverage:assign"))

    assert len(response.context["page"].object_list) == 43


def test_a_refused_filter_on_the_assignment_list_lists_no_account(client, world):
    # A link to a portfolio that is gone must not offer every account to tick.
    log_in(client, world.manager)

    response = client.get(reverse("coverage:assign"), {"portfolio": 999_999})

    assert list(response.context["page"].object_list) == []
    assert 'id="id_portfolio-errors"' in response.content.decode()


def test_one_account_is_moved_on_its_own_and_back_to_the_page_it_came_from(client, world):
    target = world.in_portfolio.portfolio
    back = detail_url(world.elsewhere.portfolio)
    log_in(client, world.manager)

    response = client.post(
        reverse("coverage:account_portfolio", args=[world.elsewhere.pk]),
        {"portfolio": target.pk, "version": 1, "next": back},
    )

    assert response.status_code == 302
    assert response["Location"] == back
    assert Account.objects.get(pk=world.elsewhere.pk).portfolio == target
    response = client.post(
        reverse("coverage:account_portfolio", args=[world.elsewhere.pk]),
        {"portfolio": "", "version": 2, "next": "https://example.com/"},
    )
    assert response["Location"] == world.elsewhere.get_absolute_url()
    assert Account.objects.get(pk=world.elsewhere.pk).portfolio is None


def test_moving_an_account_the_executive_cannot_see_is_not_found(client, world):
    response = log_in(client, world.executive).get(
        reverse("coverage:account_portfolio", args=[world.elsewhere.pk])
    )

    assert response.status_code == 404


# --- territories ----------------------------------------------------------------------------------


@pytest.fixture
def map_world(world):
    """Chile > Centro (CL-RM, CL-VS) and Sur (CL-BI); the world's accounts are all in CL-RM."""
    chile = TerritoryFactory(name="Chile", responsible=world.manager)
    centro = TerritoryFactory(name="Centro", parent=chile, responsible=world.executive)
    sur = TerritoryFactory(name="Sur", parent=chile)
    TerritoryRegionFactory(territory=centro, region="CL-RM")
    TerritoryRegionFactory(territory=centro, region="CL-VS")
    TerritoryRegionFactory(territory=sur, region="CL-BI")
    Account.objects.filter(region="CL-RM").update(territory=centro)
    AccountFactory(legal_name="Forestal Biobío SpA", region="CL-BI", territory=sur, status="prospect")
    Account.objects.filter(pk=world.elsewhere.pk).update(status="prospect")
    return chile, centro, sur


def test_the_territory_list_is_a_tree_with_counts(client, world, map_world, django_assert_num_queries):
    log_in(client, world.manager)

    with django_assert_num_queries(5):  # session, user, territories, regions, counts
        response = client.get(reverse("coverage:territory_list"))

    rows = [
        (t.name, t.depth, t.region_codes, t.accounts_count, t.prospects_count)
        for t in response.context["territories"]
    ]
    assert rows == [
        ("Chile", 0, [], 4, 2),
        ("Centro", 1, ["CL-RM", "CL-VS"], 3, 1),
        ("Sur", 1, ["CL-BI"], 1, 1),
    ]


def test_an_executive_counts_only_the_accounts_they_see(client, world, map_world):
    response = log_in(client, world.executive).get(reverse("coverage:territory_list"))

    rows = [(t.name, t.accounts_count, t.prospects_count) for t in response.context["territories"]]
    assert rows == [("Chile", 2, 0), ("Centro", 2, 0), ("Sur", 0, 0)]
    assert reverse("coverage:territory_new") not in response.content.decode()


def test_a_territory_page_lists_its_regions_and_accounts_below_it(client, world, map_world):
    chile, _centro, _sur = map_world
    log_in(client, world.manager)

    response = client.get(reverse("coverage:territory_detail", args=[chile.pk]))

    assert [(r.code, r.territory_name, r.accounts, r.prospects) for r in response.context["regions"]] == [
        ("CL-BI", "Sur", 1, 1),
        ("CL-RM", "Centro", 3, 1),
        ("CL-VS", "Centro", 0, 0),
    ]
    assert response.context["page"].paginator.count == 4
    prospects = client.get(reverse("coverage:territory_detail", args=[chile.pk]), {"status": "prospect"})
    assert {a.legal_name for a in prospects.context["page"]} == {
        "Forestal Biobío SpA",
        "Minera Tamarugal SpA",
    }


def test_a_territory_page_shows_an_executive_only_their_accounts(client, world, map_world):
    _chile, centro, _sur = map_world

    response = log_in(client, world.executive).get(reverse("coverage:territory_detail", args=[centro.pk]))

    assert {a.pk for a in response.context["page"]} == {world.in_portfolio.pk, world.on_team.pk}


def test_the_map_data_colours_the_territorys_regions_and_counts_visible_accounts(client, world, map_world):
    _chile, centro, _sur = map_world

    data = (
        log_in(client, world.executive).get(reverse("coverage:territory_map_data", args=[centro.pk])).json()
    )

    assert data["empty"] is False
    assert data["country"] == "CL"
    regions = {item["name"]: item for item in data["items"]}
    assert len(regions) == 16
    assert {code for code, item in regions.items() if item["in_focus"]} == {"CL-RM", "CL-VS"}
    assert (regions["CL-RM"]["accounts"], regions["CL-RM"]["prospects"]) == (2, 0)  # not "elsewhere"
    assert regions["CL-BI"]["accounts"] == 0  # the prospect there is not the executive's
    assert regions["CL-BI"]["territory"] == "Sur"
    assert regions["CL-RM"]["url"] == "/accounts/?region=CL-RM"
    assert regions["CL-RM"]["label"] == "Región Metropolitana de Santiago"


def test_the_overview_map_puts_every_assigned_region_in_focus(
    client, world, map_world, django_assert_num_queries
):
    log_in(client, world.manager)

    with django_assert_num_queries(4):  # session, user, region owners, counts
        data = client.get(reverse("coverage:region_map_data")).json()

    assert {item["name"] for item in data["items"] if item["in_focus"]} == {"CL-RM", "CL-VS", "CL-BI"}


def test_a_territory_without_chilean_regions_has_an_empty_map(client, world):
    lone = TerritoryFactory(name="Mendoza")
    TerritoryRegionFactory(territory=lone, region="AR-M")

    data = log_in(client, world.manager).get(reverse("coverage:territory_map_data", args=[lone.pk])).json()

    assert data["empty"] is True


def test_a_manager_edits_a_territorys_regions_and_the_accounts_follow(client, world, map_world):
    _chile, _centro, sur = map_world
    temuco = AccountFactory(legal_name="Maderas Temuco SpA", region="CL-AR")
    log_in(client, world.manager)

    response = client.post(
        reverse("coverage:territory_edit", args=[sur.pk]),
        {
            "name": "Sur",
            "parent": sur.parent_id,
            "responsible": world.executive.pk,
            "regions": ["CL-BI", "CL-AR"],
            "version": 1,
        },
    )

    assert response.status_code == 302
    sur.refresh_from_db()
    assert sur.responsible == world.executive
    assert sorted(sur.regions.values_list("region", flat=True)) == ["CL-AR", "CL-BI"]
    assert Account.objects.get(pk=temuco.pk).territory == sur


def test_a_region_taken_by_another_territory_is_shown_on_the_regions_field(client, world, map_world):
    _chile, _centro, sur = map_world

    response = log_in(client, world.manager).post(
        reverse("coverage:territory_edit", args=[sur.pk]),
        {
            "name": "Sur",
            "parent": sur.parent_id,
            "responsible": "",
            "regions": ["CL-BI", "CL-RM"],
            "version": 1,
        },
    )

    assert response.status_code == 200
    assert "regions" in response.context["form"].errors
    assert sorted(sur.regions.values_list("region", flat=True)) == ["CL-BI"]


def test_a_territory_cannot_be_nested_below_itself_in_the_form(client, world, map_world):
    chile, centro, _sur = map_world

    response = log_in(client, world.manager).get(reverse("coverage:territory_edit", args=[chile.pk]))

    assert list(response.context["form"].fields["parent"].queryset) == []
    response = client.get(reverse("coverage:territory_edit", args=[centro.pk]))
    assert [t.name for t in response.context["form"].fields["parent"].queryset] == ["Chile", "Sur"]


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SUPPORT_AGENT, Role.SPECIALIST])
def test_only_managers_change_territories(client, world, map_world, role):
    _chile, centro, _sur = map_world
    log_in(client, world.user(role))

    assert client.get(reverse("coverage:territory_detail", args=[centro.pk])).status_code == 200
    assert client.get(reverse("coverage:territory_new")).status_code == 403
    response = client.post(
        reverse("coverage:territory_edit", args=[centro.pk]), {"name": "Mío", "regions": [], "version": 1}
    )
    assert response.status_code == 403
    assert Territory.objects.get(pk=centro.pk).name == "Centro"


def test_a_manager_creates_a_territory(client, world):
    AccountFactory(legal_name="Pesquera Austral SpA", region="CL-MA")

    response = log_in(client, world.manager).post(
        reverse("coverage:territory_new"),
        {"name": "Austral", "parent": "", "responsible": world.executive.pk, "regions": ["CL-MA", "CL-AI"]},
    )

    territory = Territory.objects.get(name="Austral")
    assert response["Location"] == reverse("coverage:territory_detail", args=[territory.pk])
    assert Account.objects.get(legal_name="Pesquera Austral SpA").territory == territory
