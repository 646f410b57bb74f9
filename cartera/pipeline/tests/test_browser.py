"""An account executive moves deals across the pipeline board in a real headless Chromium: one by drag
and drop, one with the keyboard only; both moves are still there after a reload."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from cartera.accounts.tests.factories import ContactFactory
from cartera.commerce.tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductLineFactory,
)
from cartera.core.testing_browser import log_in
from cartera.pipeline.models import Opportunity, OpportunityContact, Stage
from cartera.pipeline.tests.factories import OpportunityFactory


@pytest.fixture
def deals(transactional_db, world):
    """Made before Playwright starts (ORM calls during its event loop would open a second connection)."""
    close = dt.date.today() + dt.timedelta(days=30)
    dragged = OpportunityFactory(account=world.in_portfolio, name="Reposición EPP", expected_close_date=close)
    keyed = OpportunityFactory(
        account=world.on_team,
        name="Contrato marco bodegas",
        stage=Stage.DISCOVERY,
        probability=25,
        expected_close_date=close,
    )
    decider = ContactFactory(account=world.on_team, first_name="Marta", last_name="Ibáñez")
    OpportunityContact.objects.create(opportunity=keyed, contact=decider, role="decision_maker")
    hidden = OpportunityFactory(account=world.elsewhere, name="Negocio ajeno")
    return {"dragged": dragged, "keyed": keyed, "hidden": hidden}


def card(page: Page, deal: Opportunity):
    return page.locator(f"#opportunity-{deal.pk}")


def column(page: Page, stage: str):
    return page.get_by_test_id(f"column-{stage}")


@pytest.mark.browser
def test_an_executive_drags_a_card_and_moves_another_with_the_keyboard(deals, live_server, browser_page):
    page: Page = browser_page
    log_in(page, live_server.url, "ejecutiva")
    page.goto(f"{live_server.url}/pipeline/")
    expect(page.get_by_test_id("opportunity-card")).to_have_count(2)  # not the other portfolio's deal
    expect(card(page, deals["dragged"])).to_contain_text("Ferretería Muñoz Limitada")
    expect(card(page, deals["dragged"]).get_by_test_id("no-decision-maker")).to_be_visible()
    expect(card(page, deals["keyed"])).to_contain_text("Marta Ibáñez")
    expect(card(page, deals["keyed"]).get_by_test_id("no-decision-maker")).to_have_count(0)

    # Drags the first deal from Qualification to Needs analysis
    card(page, deals["dragged"]).drag_to(column(page, "discovery").locator(".kanban-cards"))
    expect(page.get_by_test_id("pipeline-status")).to_have_text(
        "Reposición EPP pasó a Análisis de necesidades."
    )
    expect(column(page, "discovery").locator(f"#opportunity-{deals['dragged'].pk}")).to_be_visible()
    expect(column(page, "discovery").get_by_test_id("column-count")).to_have_text("2")

    # Moves the other one forward with the keyboard alone: Tab to its "forward" button, then Enter
    forward = card(page, deals["keyed"]).get_by_role(
        "button", name="Avanzar Contrato marco bodegas a Propuesta"
    )
    forward.focus()
    expect(forward).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("pipeline-status")).to_have_text("Contrato marco bodegas pasó a Propuesta.")
    expect(column(page, "proposal").locator(f"#opportunity-{deals['keyed'].pk}")).to_be_visible()
    # Focus stays on the moved card, so Enter again moves it one more stage
    moved_forward = card(page, deals["keyed"]).get_by_role(
        "button", name="Avanzar Contrato marco bodegas a Negociación"
    )
    expect(moved_forward).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(
        card(page, deals["keyed"]).get_by_role(
            "button", name="Devolver Contrato marco bodegas a Análisis de necesidades"
        )
    ).to_be_focused()

    # Both moves persist
    page.reload()
    expect(column(page, "discovery").locator(f"#opportunity-{deals['dragged'].pk}")).to_be_visible()
    expect(column(page, "proposal").locator(f"#opportunity-{deals['keyed'].pk}")).to_contain_text("50 %")


@pytest.mark.browser
def test_a_stale_drag_is_refused_and_the_card_shows_where_it_really_is(
    deals, live_server, browser_page, new_browser_page
):
    page: Page = browser_page
    log_in(page, live_server.url, "ejecutiva")
    page.goto(f"{live_server.url}/pipeline/")
    expect(card(page, deals["dragged"])).to_be_visible()
    # Meanwhile the manager moves the same deal forward on their own board.
    other: Page = new_browser_page()
    log_in(other, live_server.url, "gerente")
    other.goto(f"{live_server.url}/pipeline/")
    other.get_by_role("button", name="Avanzar Reposición EPP a Análisis de necesidades").click()
    expect(other.get_by_test_id("pipeline-status")).to_have_text(
        "Reposición EPP pasó a Análisis de necesidades."
    )

    card(page, deals["dragged"]).drag_to(column(page, "negotiation").locator(".kanban-cards"))
    expect(page.get_by_test_id("pipeline-status")).to_contain_text("Alguien más modificó Reposición EPP")
    expect(column(page, "discovery").locator(f"#opportunity-{deals['dragged'].pk}")).to_be_visible()
    expect(column(page, "negotiation").locator(f"#opportunity-{deals['dragged'].pk}")).to_have_count(0)


@pytest.fixture
def bought_line(transactional_db, world):
    line = ProductLineFactory(code="SEG", name="Seguridad industrial")
    order = OrderFactory(account=world.in_portfolio, date=dt.date.today() - dt.timedelta(days=40))
    OrderLineFactory(order=order, product=ProductFactory(product_line=line), discount_pct=Decimal("5"))
    return line


@pytest.mark.browser
def test_opening_a_deal_follows_the_suggested_purchase_type(bought_line, world, live_server, browser_page):
    page: Page = browser_page
    log_in(page, live_server.url, "ejecutiva")
    page.goto(f"{live_server.url}/pipeline/new/?account={world.in_portfolio.pk}")
    expect(page.get_by_label("Tipo de compra")).to_have_value("modified_rebuy")  # no line chosen yet
    page.get_by_label("Línea de producto").select_option(label="Seguridad industrial")
    expect(page.get_by_test_id("suggestion-reason")).to_contain_text("con 5 % de descuento")
    expect(page.get_by_label("Tipo de compra")).to_have_value("straight_rebuy")
    page.get_by_label("Nombre").fill("Reposición guantes")
    page.get_by_label("Monto").fill("2500000")
    page.get_by_label("Cierre esperado").fill((dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Abrir la oportunidad").click()
    new_card = page.get_by_test_id("column-qualification").get_by_test_id("opportunity-card")
    expect(new_card).to_contain_text("Reposición guantes")
    expect(new_card).to_contain_text("Recompra directa")
    expect(new_card).to_contain_text("$2.500.000")
