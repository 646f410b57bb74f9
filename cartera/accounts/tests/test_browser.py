"""An account executive's first minute in cartera, in a real headless Chromium.

The account page's own browser tests, and its screenshot, are in test_browser_360.py. The
`browser_page` fixture comes from cartera.core.testing_browser (Debian's Chromium, launched directly).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cartera.accounts.tests.showcase import build_showcase
from cartera.core.testing_browser import TEST_PASSWORD


@pytest.fixture
def showcase(transactional_db):
    # Made before Playwright starts: ORM calls made while its event loop runs in this thread would
    # open a second database connection that outlives the test.
    return build_showcase()


@pytest.mark.browser
def test_executive_finds_an_account_reads_it_and_switches_to_english(showcase, live_server, browser_page):
    page: Page = browser_page

    # Logs in
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Usuario").fill(showcase.executive.username)
    page.get_by_label("Contraseña").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(f"{live_server.url}/")  # the dashboard
    expect(page.get_by_test_id("current-user")).to_contain_text("Valentina Soto")
    expect(page.get_by_test_id("current-user")).to_contain_text("Ejecutivo de cuentas")

    # Searches without the accents and opens the account
    page.get_by_role("searchbox", name="Buscar cuentas y contactos").fill("NUNOA insumos")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=NUNOA\+insumos$"))
    page.get_by_test_id("account-results").get_by_role("link", name="Ñuñoa Insumos").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/{showcase.account.pk}/")

    # Reads what the account page shows
    expect(page.get_by_test_id("account-name")).to_contain_text("Ñuñoa Insumos")
    expect(page.get_by_test_id("tax-id")).to_have_text("RUT 76.086.428-5")
    expect(page.get_by_test_id("contact")).to_have_count(5)
    expect(page.get_by_test_id("contact").filter(has_text="Tomás Herrera")).to_contain_text(
        "Evaluador técnico"
    )
    expect(page.get_by_test_id("order")).to_have_count(6)
    expect(page.get_by_test_id("order-total").first).to_have_text("$563.170")
    expect(page.get_by_test_id("interaction")).to_have_count(5)
    expect(page.get_by_test_id("commitment")).to_have_count(3)
    expect(page.locator(".commitment.overdue")).to_have_count(1)
    expect(page.locator(".commitment.overdue")).to_contain_text("Vencido")
    expect(page.get_by_role("link", name="Editar cuenta")).to_be_visible()

    # Switches the language
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/accounts/{showcase.account.pk}/")
    expect(page.get_by_role("heading", name="Latest orders")).to_be_visible()
    expect(page.get_by_test_id("contact").filter(has_text="Tomás Herrera")).to_contain_text(
        "Technical evaluator"
    )
    expect(page.get_by_role("link", name="Edit account")).to_be_visible()
