"""Segments and B2C profiles in a real headless Chromium: a manager edits a segment rule with the
builder, watches the preview count change before saving, saves and sees the comparison table change;
a marketing analyst reads the profiles chart and adopts a suggested profile."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cartera.accounts.tests.factories import AccountFactory
from cartera.core.testing_browser import log_in
from cartera.insights.models import AccountInsight, Segment
from cartera.insights.segment_services import segment_create, segments_reassign, service_model_create
from cartera.profiles.tests.factories import ConsumerFactory, ConsumerOrderFactory, ProfileFactory
from cartera.users.models import Role, User
from cartera.users.tests.factories import UserFactory


@dataclass
class SegmentScene:
    manager: User
    frequent: Segment
    default: Segment


@pytest.fixture
def segment_scene(transactional_db) -> SegmentScene:
    # Made before Playwright starts (see cartera.core.testing_browser).
    today = timezone.localdate()
    tiers = {
        "Ferretería Muñoz Limitada": ("frequent", 5),
        "Constructora Los Álamos S.A.": ("frequent", 3),
        "Minera Tamarugal SpA": ("buyer", 4),
    }
    for name, (tier, fit) in tiers.items():
        account = AccountFactory(legal_name=name, strategic_fit=fit)
        AccountInsight.objects.create(
            account=account, as_of=today, tier=tier, profit_class="A", revenue_12m_cents=100_000
        )
    team = service_model_create(
        actor=None,
        name="Equipo compartido",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    frequent = segment_create(
        actor=None,
        name="Frecuentes",
        priority=10,
        service_model=team,
        rule={"all": [{"field": "tier", "op": "=", "value": "frequent"}]},
    )
    default = segment_create(actor=None, name="Mantener", priority=100, service_model=team, is_default=True)
    segments_reassign()
    manager = UserFactory(
        username="gerente", first_name="Marcela", last_name="González", role=Role.SALES_MANAGER
    )
    return SegmentScene(manager=manager, frequent=frequent, default=default)


def accounts_in(page: Page, segment: Segment):
    return page.locator(f"tr[data-segment='{segment.pk}'] [data-testid=segment-accounts]")


@pytest.mark.browser
def test_a_manager_edits_a_segment_rule_previews_it_saves_and_sees_the_comparison_change(
    segment_scene, live_server, browser_page
):
    page: Page = browser_page
    scene = segment_scene
    log_in(page, live_server.url, scene.manager.username)

    # The comparison table, in Spanish
    page.goto(f"{live_server.url}/segments/")
    expect(page.get_by_role("heading", name="Segmentos")).to_be_visible()
    expect(accounts_in(page, scene.frequent)).to_have_text("2")
    expect(accounts_in(page, scene.default)).to_have_text("1")

    # Opens the segment; the preview counts what the saved rule matches
    page.get_by_role("link", name="Frecuentes").click()
    expect(page).to_have_url(re.compile(rf"/segments/{scene.frequent.pk}/edit/$"))
    preview = page.get_by_test_id("segment-preview")
    expect(preview.get_by_test_id("preview-matched")).to_have_text("2")
    expect(page.get_by_test_id("rule-condition")).to_have_count(1)

    # Adds a condition with the builder: strategic fit at least 4 -> only Ferretería Muñoz
    page.get_by_role("button", name="Agregar condición").click()
    expect(page.get_by_test_id("rule-condition")).to_have_count(2)
    page.get_by_label("Campo de la condición 2").select_option(label="Calce estratégico (1 a 5)")
    page.get_by_label("Comparación de la condición 2").select_option(label="es al menos")
    page.get_by_label("Valor de la condición 2").fill("4")
    expect(preview.get_by_test_id("preview-matched")).to_have_text("1")
    expect(preview.get_by_test_id("preview-accounts")).to_contain_text("Ferretería Muñoz Limitada")
    expect(preview.get_by_test_id("preview-moves")).to_contain_text(
        "0 entrarían a este segmento y 1 saldrían"
    )

    # Takes it out again, then widens the first condition to frequent or buyer
    page.get_by_role("button", name="Quitar la condición 2").click()
    expect(preview.get_by_test_id("preview-matched")).to_have_text("2")
    page.get_by_label("Comparación de la condición 1").select_option(label="es uno de")
    page.get_by_label("Valor de la condición 1").select_option(label=["Comprador", "Frecuente"])
    expect(preview.get_by_test_id("preview-matched")).to_have_text("3")
    expect(preview.get_by_test_id("preview-moves")).to_contain_text(
        "1 entrarían a este segmento y 0 saldrían"
    )
    # The JSON view followed the builder
    page.get_by_text("Ver y editar la regla en JSON").click()
    # (compared as data: PostgreSQL's jsonb keeps an object's keys in its own order)
    rule_box = page.get_by_label("Regla en JSON")
    expect(rule_box).to_have_value(re.compile(r'"frequent"'))
    conditions = json.loads(rule_box.input_value())["all"]
    assert {"field": "tier", "op": "in", "value": ["buyer", "frequent"]} in conditions

    # Saves: back on the list, the comparison shows the accounts moved
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page).to_have_url(re.compile(r"/segments/\?saved=1$"))
    expect(
        page.get_by_role("status").filter(has_text="Se guardaron los cambios de Frecuentes")
    ).to_be_visible()
    expect(accounts_in(page, scene.frequent)).to_have_text("3")
    expect(accounts_in(page, scene.default)).to_have_text("0")
    expect(page.get_by_test_id("segment-rule").first).to_contain_text(
        "Nivel de fidelidad es uno de Comprador, Frecuente"
    )


@pytest.mark.browser
def test_a_manager_sees_an_invalid_rule_refused_before_and_on_saving(
    segment_scene, live_server, browser_page
):
    page: Page = browser_page
    log_in(page, live_server.url, segment_scene.manager.username)
    page.goto(f"{live_server.url}/segments/{segment_scene.frequent.pk}/edit/")
    expect(page.get_by_test_id("preview-matched")).to_have_text("2")

    # A condition left without a value: the preview says which one, and the builder marks it
    page.get_by_role("button", name="Agregar condición").click()
    page.get_by_label("Campo de la condición 2").select_option(label="Ventas (12 meses)")
    page.get_by_label("Valor de la condición 2").fill("")
    expect(page.get_by_test_id("preview-errors")).to_contain_text("Condición 2")
    expect(page.locator(".rule-condition[data-position='2']")).to_have_class(re.compile("rule-row-invalid"))

    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_test_id("rule-errors")).to_contain_text("Condición 2")
    expect(page.locator(".rule-condition[data-position='2']")).to_have_class(re.compile("rule-row-invalid"))


@dataclass
class ProfileScene:
    analyst: User


@pytest.fixture
def profile_scene(transactional_db) -> ProfileScene:
    today = timezone.localdate()

    def buy(consumer, days_back: int, revenue: str) -> None:
        ConsumerOrderFactory(
            consumer=consumer,
            date=today - dt.timedelta(days=days_back),
            revenue=Decimal(revenue),
            cost=Decimal(revenue) / 2,
        )

    for number in range(10):
        frequent = ConsumerFactory(customer_number=f"F{number}")
        for days in range(5, 365, 30):
            buy(frequent, days + number, "50000.00")
        occasional = ConsumerFactory(customer_number=f"O{number}")
        buy(occasional, 100 + number * 5, "8000.00")
        buy(occasional, 300 + number, "8000.00")
        lapsed = ConsumerFactory(customer_number=f"L{number}")
        buy(lapsed, 600 + number * 20, "3000.00")
    ProfileFactory(name="Frecuentes", rule={"all": [{"field": "orders_12m", "op": ">=", "value": 4}]})
    ProfileFactory(name="Todos", rule={"all": []}, priority=200)
    analyst = UserFactory(username="analista", role=Role.MARKETING_ANALYST)
    return ProfileScene(analyst=analyst)


@pytest.mark.browser
def test_an_analyst_reads_the_profiles_chart_and_adopts_a_suggested_profile(
    profile_scene, live_server, browser_page
):
    page: Page = browser_page
    log_in(page, live_server.url, profile_scene.analyst.username)

    page.goto(f"{live_server.url}/profiles/")
    rows = page.get_by_test_id("profile-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Frecuentes").get_by_test_id("profile-consumers")).to_have_text("10")
    # The chart is drawn: a revenue bar per profile, in the revenue colour, plus the legend's key
    chart = page.get_by_test_id("profile-chart")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    expect(chart.locator("svg path[fill='#123c5a']")).to_have_count(3)
    expect(chart.locator("svg path[fill='#3c9d6e']")).to_have_count(3)

    # Suggestions for 3 groups, each with its size; adopts the first
    page.get_by_label("Número de grupos").fill("3")
    page.get_by_role("button", name="Sugerir").click()
    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(3, timeout=20_000)  # the first k-means run loads scikit-learn
    expect(suggestions.get_by_test_id("suggestion-size").first).to_contain_text("10")
    name = suggestions.first.get_by_role("heading").inner_text()
    suggestions.first.get_by_role("button", name=f"Adoptar {name} como perfil").click()

    expect(page).to_have_url(re.compile(r"/profiles/\d+/edit/$"))
    expect(page.get_by_role("status").filter(has_text="se adoptó como perfil inactivo")).to_be_visible()
    expect(page.get_by_label("Nombre")).to_have_value(name)
    expect(page.get_by_label("Activo")).not_to_be_checked()
    expect(page.get_by_test_id("preview-matched")).to_have_text("10")
