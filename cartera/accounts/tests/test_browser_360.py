"""The account page (360°) in a real headless Chromium: what an executive and a manager see, the charts
actually drawn, and the quick actions refreshing the page in place (no reload)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cartera.accounts.tests.showcase import build_account_360
from cartera.core.testing_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def s360(transactional_db):
    # Made before Playwright starts (see cartera.core.testing_browser).
    return build_account_360()


def open_account(page: Page, live_server, account) -> None:
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    # A marker that a reload would wipe: the quick actions must keep the same document.
    page.evaluate("window.sameDocument = true")


def still_the_same_document(page: Page) -> bool:
    return page.evaluate("window.sameDocument === true")


def test_executive_reads_the_360_page_with_its_charts_drawn(s360, live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url, s360.executive.username)

    open_account(page, live_server, s360.account)

    header = page.get_by_test_id("account-header")
    expect(page.get_by_test_id("account-name")).to_contain_text("Ñuñoa Insumos")
    expect(page.get_by_test_id("tax-id")).to_have_text("RUT 76.086.428-5")
    expect(header.get_by_test_id("tier-badge")).to_be_visible()
    expect(header.get_by_test_id("segment")).to_contain_text("Distribuidores clave")
    expect(header.get_by_test_id("segment")).to_contain_text("Ejecutivo dedicado")
    expect(header.get_by_test_id("trust-score")).to_have_text("50 %")
    expect(header.get_by_test_id("contact-days")).to_contain_text("de 30 permitidos")
    expect(header.get_by_test_id("disconnection-alert")).to_have_count(0)
    # The waterfall draws five bars (SVG paths) with their labels, the trend its bars and lines.
    waterfall = page.get_by_test_id("profit-chart")
    expect(waterfall).to_have_attribute("data-chart-ready", "true")
    assert waterfall.locator("svg path").count() >= 5
    expect(waterfall.locator("svg text", has_text="Marketing")).to_have_count(1)
    # Bar labels in the locale's compact notation, decimals kept ("3,3 M" rather than "3 M").
    labels = waterfall.locator("svg text").all_text_contents()
    assert any(re.fullmatch(r"-?\d+,\d\u00a0[kM]", text) for text in labels), labels
    trend = page.get_by_test_id("trend-chart")
    expect(trend).to_have_attribute("data-chart-ready", "true")
    assert trend.locator("svg path").count() >= 24
    # The table alternatives hold the same figures.
    page.get_by_text("Ver como tabla").first.click()
    expect(page.get_by_test_id("profit-table")).to_contain_text("-$250.000")
    page.get_by_text("Ver como tabla").nth(1).click()
    expect(page.get_by_test_id("trend-table").locator("tbody tr")).to_have_count(24)
    expect(page.get_by_test_id("trend-table")).to_contain_text("$250.000")
    # Buying center, coverage grid with its gap, commitments
    expect(page.get_by_test_id("buying-role-group")).to_have_count(5)
    expect(page.get_by_test_id("buying-center-gap")).to_have_count(0)
    expect(page.locator("[data-testid=coverage-row][data-gap=true]")).to_contain_text("Seguridad laboral")
    expect(page.get_by_test_id("commitment")).to_have_count(3)
    expect(page.locator(".commitment.overdue")).to_contain_text("Vencido")


def test_executive_sees_the_buying_center_gaps_and_logging_an_interaction_clears_the_alert(
    s360, live_server, browser_page
):
    page = browser_page
    log_in(page, live_server.url, s360.executive.username)
    open_account(page, live_server, s360.quiet)
    header = page.get_by_test_id("account-header")
    expect(page.get_by_test_id("buying-center-gap")).to_have_text(
        ["No se conoce a quien decide", "No se conoce al comprador económico"]
    )
    expect(header.get_by_test_id("disconnection-alert")).to_contain_text("50 días sin contacto")
    expect(header.get_by_test_id("days-without-contact")).to_have_text("50")

    page.get_by_role("button", name="Registrar interacción").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Registrar una interacción")).to_be_visible()
    dialog.get_by_label("Tipo").select_option("visit")
    dialog.get_by_label("Resumen").fill("Visita para retomar la relación.")
    dialog.get_by_label("Marcela Tapia").check()
    dialog.get_by_role("button", name="Registrar interacción").click()

    expect(page.get_by_test_id("quick-action-toast")).to_contain_text("Se registró la interacción.")
    expect(dialog).to_be_hidden()
    expect(header.get_by_test_id("disconnection-alert")).to_have_count(0)
    expect(header.get_by_test_id("days-without-contact")).to_have_text("0")
    expect(page.get_by_test_id("interaction").first).to_contain_text("Visita para retomar la relación.")
    expect(page.get_by_test_id("interaction").first).to_contain_text("Con Marcela Tapia")
    assert still_the_same_document(page)


def test_an_invalid_interaction_shows_its_errors_in_the_modal(s360, live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url, s360.executive.username)
    open_account(page, live_server, s360.quiet)

    page.get_by_role("button", name="Registrar interacción").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Cuándo").fill("2099-01-01T10:00")
    dialog.get_by_role("button", name="Registrar interacción").click()

    expect(dialog.get_by_text("Una interacción se registra una vez ocurrida.")).to_be_visible()
    expect(dialog.get_by_label("Cuándo")).to_have_class(re.compile(r"is-invalid"))
    expect(page.get_by_test_id("account-header").get_by_test_id("disconnection-alert")).to_be_visible()
    assert still_the_same_document(page)


def test_recording_a_commitment_and_closing_it_changes_the_trust_score(s360, live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url, s360.executive.username)
    open_account(page, live_server, s360.account)
    trust = page.get_by_test_id("account-header").get_by_test_id("trust-score")
    expect(trust).to_have_text("50 %")

    # Records a commitment: still open, so the score does not move
    page.get_by_role("button", name="Registrar compromiso").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Qué se prometió").fill("Enviar el catálogo 2027 impreso")
    dialog.get_by_label("Vence").fill("2099-03-15")
    dialog.get_by_label("Prometido a").select_option(label="Javiera Contreras")
    dialog.get_by_role("button", name="Registrar compromiso").click()
    new_row = page.get_by_test_id("commitment").filter(has_text="Enviar el catálogo 2027 impreso")
    expect(new_row).to_be_visible()
    expect(page.get_by_test_id("commitments-open-count")).to_have_text("4 abiertos")
    expect(trust).to_have_text("50 %")

    # Closes it as broken: 1 kept of 3
    new_row.get_by_test_id("close-commitment").click()
    new_row.get_by_role("button", name="Incumplido").click()
    expect(
        page.get_by_test_id("resolved-commitment").filter(has_text="Enviar el catálogo 2027")
    ).to_have_attribute("data-status", "broken")
    expect(trust).to_have_text("33 %")

    # Closes another as kept: 2 kept of 4
    row = page.get_by_test_id("commitment").filter(has_text="Cotizar guantes anticorte")
    row.get_by_test_id("close-commitment").click()
    row.get_by_role("button", name="Cumplido", exact=True).click()
    expect(page.get_by_test_id("commitments-open-count")).to_have_text("2 abiertos")
    expect(trust).to_have_text("50 %")
    assert still_the_same_document(page)


def test_a_manager_opens_an_account_of_another_executive(s360, live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url, s360.manager.username)

    open_account(page, live_server, s360.elsewhere)

    expect(page.get_by_test_id("account-name")).to_contain_text("Minera Tamarugal")
    expect(page.get_by_test_id("account-header")).to_be_visible()
    expect(page.get_by_role("button", name="Registrar interacción")).to_be_visible()
    expect(page.get_by_test_id("profit-chart")).to_contain_text("Aún no hay ventas ni costos")
    expect(page.get_by_test_id("buying-center-gap")).to_have_count(2)
