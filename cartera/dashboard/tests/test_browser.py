"""The dashboard in a real headless Chromium: charts drawn as SVG marks, a drill-down from a tier bar to
the accounts list, and an executive who sees only their accounts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cartera.core.testing_browser import log_in
from cartera.dashboard.tests.builders import build_dashboard_world

CHARTS = ["chart-tiers", "chart-curve", "chart-moves", "chart-segments", "chart-territories"]


@pytest.fixture
def company(transactional_db, world):
    # Built before Playwright starts (see cartera.core.testing_browser).
    return build_dashboard_world(world)


def drawn_marks(page: Page, testid: str) -> int:
    chart = page.get_by_test_id(testid)
    expect(chart).to_have_attribute("data-chart-ready", "true")
    return chart.locator("svg path").count()


def click_bar(page: Page, testid: str, index: int) -> None:
    """Click the middle of a bar of a category chart, where ECharts drew it."""
    page.get_by_test_id(testid).scroll_into_view_if_needed()
    x, y = page.get_by_test_id(testid).evaluate(
        """(element, index) => {
            const chart = echarts.getInstanceByDom(element);
            const value = chart.getOption().series[0].data[index].value;
            const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [index, value / 2]);
            const box = element.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }""",
        index,
    )
    page.mouse.click(x, y)


@pytest.mark.browser
def test_manager_sees_the_charts_drawn_and_drills_from_a_tier_to_its_accounts(
    company, live_server, browser_page
):
    page: Page = browser_page
    world = company.world

    log_in(page, live_server.url, world.manager.username)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Inicio", exact=True)).to_be_visible()
    expect(page.get_by_test_id("kpi-net-profit-value")).to_have_text("$1.940")
    expect(page.get_by_test_id("kpi-net-profit-change")).to_contain_text("+94,0 %")
    for testid in CHARTS:
        assert drawn_marks(page, testid) > 0, testid
    # five tier bars, and the table alternative from the same data
    page.get_by_test_id("chart-tiers").locator("xpath=..").get_by_text("Ver como tabla").click()
    expect(
        page.get_by_role("table", name="Cuentas por nivel de fidelidad").locator("tbody tr")
    ).to_have_count(5)
    expect(page.get_by_test_id("alert")).to_have_count(2)
    expect(page.get_by_test_id("churn-rise").first).to_contain_text("Minera Tamarugal")

    # Esporádico is the third bar: two accounts
    click_bar(page, "chart-tiers", 2)

    expect(page).to_have_url(re.compile(r"/accounts/\?tier=sporadic$"))
    expect(page.get_by_test_id("result-count")).to_contain_text("2 cuentas")
    expect(page.locator("select[name=tier]")).to_have_value("sporadic")


@pytest.mark.browser
def test_manager_switches_the_scope_to_a_territory(company, live_server, browser_page):
    page: Page = browser_page

    log_in(page, live_server.url, company.world.manager.username)
    page.get_by_label("Ver").select_option(label="Sur")

    expect(page).to_have_url(re.compile(rf"\?scope=territory-{company.south.pk}$"))
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Sur")
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("1 cuenta")
    assert drawn_marks(page, "chart-territories") > 0
    expect(page.get_by_test_id("chart-moves")).to_contain_text(
        "Ninguna cuenta cambió de nivel desde esa fecha."
    )


@pytest.mark.browser
def test_executive_sees_only_their_accounts(company, live_server, browser_page):
    page: Page = browser_page
    world = company.world

    log_in(page, live_server.url, world.executive.username)

    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("2 cuentas")
    expect(page.get_by_test_id("kpi-revenue-value")).to_have_text("$2.100")
    for testid in CHARTS:
        assert drawn_marks(page, testid) > 0, testid
    expect(page.get_by_test_id("alert")).to_have_count(1)
    expect(page.get_by_test_id("alerts")).to_contain_text("Ferretería Muñoz")
    expect(page.locator("main")).not_to_contain_text("Minera Tamarugal")
    page.get_by_test_id("chart-territories").locator("xpath=..").get_by_text("Ver como tabla").click()
    expect(page.get_by_role("table", name="Utilidad neta por territorio").locator("tbody tr")).to_have_count(
        2
    )

    # Frecuente is empty for the executive: clicking the tier bars they have leads to their accounts only
    click_bar(page, "chart-tiers", 2)
    expect(page.get_by_test_id("result-count")).to_contain_text("2 cuentas")
    expect(page.locator("main")).not_to_contain_text("Minera Tamarugal")
