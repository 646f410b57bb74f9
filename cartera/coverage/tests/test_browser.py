"""A sales manager at work on coverage, in a real headless Chromium: hands a portfolio to another
executive and finds the move in its history; opens a territory and sees its regions drawn on the map,
and an executive sees only their own portfolios' charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.core.testing_browser import log_in
from cartera.coverage.models import Portfolio, Territory
from cartera.coverage.tests.factories import (
    AccountTeamMemberFactory,
    PortfolioFactory,
    TerritoryFactory,
    TerritoryRegionFactory,
)
from cartera.insights.models import AccountInsight
from cartera.users.models import Role, User
from cartera.users.tests.factories import UserFactory


@dataclass
class Coverage:
    manager: User
    executive: User
    successor: User
    portfolio: Portfolio
    territory: Territory


@pytest.fixture
def coverage(transactional_db) -> Coverage:
    # Made before Playwright starts (see cartera.core.testing_browser).
    manager = UserFactory(
        username="mgonzalez", first_name="Marcela", last_name="González", role=Role.SALES_MANAGER
    )
    executive = UserFactory(username="pmorales", first_name="Pablo", last_name="Morales")
    successor = UserFactory(username="crojas", first_name="Carla", last_name="Rojas")
    portfolio = PortfolioFactory(name="Grandes Cuentas", owner=executive)
    south = TerritoryFactory(name="Sur", responsible=successor)
    for code in ("CL-BI", "CL-AR", "CL-LL"):
        TerritoryRegionFactory(territory=south, region=code)
    tiers = ["loyal", "frequent", "frequent", "sporadic", "buyer"]
    for n, tier in enumerate(tiers):
        account = AccountFactory(
            legal_name=f"Forestal del Sur {n} SpA", region="CL-BI" if n % 2 else "CL-AR", portfolio=portfolio
        )
        AccountTeamMemberFactory(account=account, user=executive)
        AccountInsight.objects.create(
            account=account,
            as_of=dt.date(2026, 3, 31),
            tier=tier,
            profit_class="A",
            net_profit_12m_cents=1_000_00,
        )
    Account.objects.filter(region__in=["CL-BI", "CL-AR"]).update(territory=south)
    return Coverage(manager, executive, successor, portfolio, south)


@pytest.mark.browser
def test_a_manager_reassigns_a_portfolio_and_sees_it_in_the_history(coverage, live_server, browser_page):
    page: Page = browser_page
    log_in(page, live_server.url, coverage.manager.username)

    page.goto(f"{live_server.url}/portfolios/")
    page.get_by_role("link", name="Grandes Cuentas", exact=True).click()
    expect(page.get_by_test_id("portfolio-owner")).to_have_text("A cargo de Pablo Morales")
    # The tier chart is drawn: one bar per tier with accounts, as SVG paths.
    expect(page.get_by_test_id("tiers-chart").locator("svg")).to_be_visible()
    assert page.get_by_test_id("tiers-chart").locator("svg path").count() >= 4
    expect(page.get_by_test_id("history")).to_have_count(0)

    page.get_by_role("link", name="Reasignar a otro ejecutivo").click()
    page.get_by_label("Nuevo dueño").select_option(label="Carla Rojas (Ejecutivo de cuentas)")
    page.get_by_label("Motivo").fill("Licencia médica de Pablo")
    page.get_by_role("button", name="Reasignar cartera").click()

    expect(page).to_have_url(f"{live_server.url}/portfolios/{coverage.portfolio.pk}/")
    expect(page.get_by_role("status")).to_contain_text(
        "ahora está a cargo de Carla Rojas (antes: Pablo Morales)"
    )
    expect(page.get_by_test_id("portfolio-owner")).to_have_text("A cargo de Carla Rojas")
    entry = page.get_by_test_id("history-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Pablo Morales → Carla Rojas")
    expect(entry).to_contain_text("por Marcela González")
    expect(entry).to_contain_text("Licencia médica de Pablo")


@pytest.mark.browser
def test_a_territory_draws_its_regions_on_the_map_and_a_region_opens_its_accounts(
    coverage, live_server, browser_page
):
    page: Page = browser_page
    log_in(page, live_server.url, coverage.manager.username)

    page.goto(f"{live_server.url}/territories/{coverage.territory.pk}/")
    chart = page.get_by_test_id("region-map")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    # Sixteen regions, each at least one SVG path (islands add more).
    assert chart.locator("svg path").count() >= 16
    expect(page.get_by_test_id("region-row")).to_have_count(3)
    expect(page.get_by_test_id("region-row").filter(has_text="Biobío")).to_contain_text("2")

    # Clicking a region opens the accounts list filtered to it.
    chart.evaluate(
        """(element) => {
            const chart = echarts.getInstanceByDom(element);
            chart.dispatchAction({ type: "highlight", seriesIndex: 0, name: "CL-AR" });
            const item = chart.getOption().series[0].data.find((d) => d.name === "CL-AR");
            window.location.assign(item.url);
        }"""
    )
    expect(page).to_have_url(f"{live_server.url}/accounts/?region=CL-AR")
    expect(page.get_by_test_id("result-count")).to_have_text("3 cuentas")


@pytest.mark.browser
def test_an_executive_sees_their_portfolio_chart_but_not_the_territory_editor(
    coverage, live_server, browser_page
):
    page: Page = browser_page
    log_in(page, live_server.url, coverage.executive.username)

    page.goto(f"{live_server.url}/portfolios/")
    expect(page.get_by_test_id("portfolio-row")).to_have_count(1)
    expect(page.get_by_role("link", name="Nueva cartera")).to_have_count(0)
    page.get_by_role("link", name="Grandes Cuentas", exact=True).click()
    expect(page.get_by_test_id("segments-chart")).to_contain_text("Ninguna cuenta tiene segmento todavía.")
    expect(page.get_by_role("link", name="Reasignar a otro ejecutivo")).to_have_count(0)
