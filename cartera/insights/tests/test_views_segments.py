"""The segments pages: the comparison table (and what each role sees in it), creating and editing a
segment with its rule and live preview, the service models, who may change them, and query budgets."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cartera.accounts.models import Account
from cartera.core.models import AuditRecord
from cartera.insights.models import AccountInsight, Segment, ServiceModel
from cartera.insights.segment_services import segment_create, service_model_create
from cartera.insights.segments import rule_to_q
from cartera.insights.selectors import segment_comparison, segment_rule_preview
from cartera.insights.tests.builders import D
from cartera.users.models import Role

pytestmark = pytest.mark.django_db

MANAGERS = [Role.ADMINISTRATOR, Role.SALES_MANAGER, Role.MARKETING_ANALYST]
OTHERS = [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST, Role.SUPPORT_AGENT]


@pytest.fixture(autouse=True)
def _english(client):
    """Pages and messages in English, the source language (the switch's cookie, as a person would)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def insight(account: Account, **fields: Any) -> AccountInsight:
    values: dict[str, Any] = {"as_of": D, "tier": "prospect", "profit_class": "L", **fields}
    return AccountInsight.objects.create(account=account, **values)


def cond(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def team(name: str = "Equipo compartido", **fields: Any) -> ServiceModel:
    values: dict[str, Any] = {
        "coverage": "shared",
        "max_days_without_contact": 60,
        "first_response_hours": 8,
        "resolution_hours": 48,
        "review_cadence_days": 90,
        **fields,
    }
    return service_model_create(actor=None, name=name, **values)


def segment_of(account: Account) -> str | None:
    row = AccountInsight.objects.select_related("segment").get(account=account)
    return row.segment.name if row.segment else None


@pytest.fixture
def segmented(world):
    """The world's three accounts with known figures, in two segments and the default one:
    - in_portfolio: frequent, class A, revenue 1,000.00, net profit 300.00, trust 1.0, disconnected
    - on_team: frequent, class C, revenue 500.00, net profit -100.00, trust 0.5
    - elsewhere: buyer, class A, revenue 200.00, net profit 50.00, no trust score, disconnected
    """
    insight(
        world.in_portfolio,
        tier="frequent",
        profit_class="A",
        revenue_12m_cents=100_000,
        net_profit_12m_cents=30_000,
        trust_score=Decimal("1.0000"),
        is_disconnected=True,
    )
    insight(
        world.on_team,
        tier="frequent",
        profit_class="C",
        revenue_12m_cents=50_000,
        net_profit_12m_cents=-10_000,
        trust_score=Decimal("0.5000"),
    )
    insight(
        world.elsewhere,
        tier="buyer",
        profit_class="A",
        revenue_12m_cents=20_000,
        net_profit_12m_cents=5_000,
        is_disconnected=True,
    )
    dedicated = team("Ejecutivo dedicado", coverage="dedicated", max_days_without_contact=30)
    shared = team()
    class_a = segment_create(
        actor=None,
        name="Clase A",
        priority=10,
        service_model=dedicated,
        rule={"all": [cond("profit_class", "=", "A")]},
    )
    frequent = segment_create(
        actor=None,
        name="Frecuentes",
        priority=20,
        service_model=shared,
        rule={"all": [cond("tier", "=", "frequent")]},
    )
    default = segment_create(actor=None, name="Mantener", priority=100, service_model=shared, is_default=True)
    # The segments their rules give them, set with the figures above (a reassignment would also recompute
    # the contact flags this fixture sets by hand).
    for account, segment in [
        (world.in_portfolio, class_a),
        (world.on_team, frequent),
        (world.elsewhere, class_a),
    ]:
        AccountInsight.objects.filter(account=account).update(segment=segment)
    return {"class_a": class_a, "frequent": frequent, "default": default}


def figures_by_name(user) -> dict[str, tuple]:
    rows, total = segment_comparison(user=user)
    table = {
        row.segment.name if row.segment else None: (
            row.accounts,
            row.revenue_12m,
            row.net_profit_12m,
            row.average_trust,
            row.alerts,
        )
        for row in rows
    }
    table["total"] = (
        total.accounts,
        total.revenue_12m,
        total.net_profit_12m,
        total.average_trust,
        total.alerts,
    )
    return table


# The comparison


def test_the_comparison_sums_each_segment_over_every_account_for_a_manager(world, segmented):
    assert figures_by_name(world.manager) == {
        "Clase A": (2, Decimal("1200.00"), Decimal("350.00"), Decimal("1.0000"), 2),
        "Frecuentes": (1, Decimal("500.00"), Decimal("-100.00"), Decimal("0.5000"), 0),
        "Mantener": (0, Decimal("0.00"), Decimal("0.00"), None, 0),
        "total": (3, Decimal("1700.00"), Decimal("250.00"), Decimal("0.7500"), 2),
    }


def test_the_comparison_counts_only_the_accounts_an_executive_may_see(world, segmented):
    # The executive sees in_portfolio and on_team, not elsewhere.
    assert figures_by_name(world.executive) == {
        "Clase A": (1, Decimal("1000.00"), Decimal("300.00"), Decimal("1.0000"), 1),
        "Frecuentes": (1, Decimal("500.00"), Decimal("-100.00"), Decimal("0.5000"), 0),
        "Mantener": (0, Decimal("0.00"), Decimal("0.00"), None, 0),
        "total": (2, Decimal("1500.00"), Decimal("200.00"), Decimal("0.7500"), 1),
    }


def test_accounts_not_yet_segmented_get_a_row_of_their_own(world, segmented):
    AccountInsight.objects.filter(account=world.on_team).update(segment=None)

    rows, _total = segment_comparison(user=world.manager)

    assert rows[-1].segment is None
    assert (rows[-1].accounts, rows[-1].revenue_12m) == (1, Decimal("500.00"))


def test_the_segment_list_shows_every_segment_in_priority_order_with_its_service_model(
    client, world, segmented
):
    client.force_login(world.manager)

    response = client.get(reverse("insights:segment_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Clase A") < html.index("Frecuentes") < html.index("Mantener")
    assert "Contact at least every 30 days" in html
    assert "Cases: answer in 8 h, resolve in 48 h" in html
    assert "Profit class is A" in html
    class_a = segmented["class_a"].pk
    accounts = reverse("accounts:list")
    assert f'href="{accounts}?segment={class_a}">2</a>' in html
    assert f'href="{accounts}?segment={class_a}&amp;disconnected=true">2</a>' in html
    assert reverse("insights:segment_edit", args=[class_a]) in html
    assert reverse("insights:segment_new") in html


def test_an_executive_reads_the_segments_without_edit_links(client, world, segmented):
    client.force_login(world.executive)

    response = client.get(reverse("insights:segment_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The figures count only your accounts." in html
    assert reverse("insights:segment_edit", args=[segmented["class_a"].pk]) not in html
    assert reverse("insights:segment_new") not in html
    assert f'?segment={segmented["class_a"].pk}">1</a>' in html


def test_the_segment_list_answers_the_table_alone_to_htmx(client, world, segmented):
    client.force_login(world.manager)

    response = client.get(
        reverse("insights:segment_list"), headers={"HX-Request": "true", "HX-Target": "segment-results"}
    )

    html = response.content.decode()
    assert 'data-testid="segment-table"' in html
    assert "<html" not in html


def test_the_segment_list_takes_the_same_queries_whatever_the_number_of_segments(
    client, world, segmented, django_assert_num_queries
):
    client.force_login(world.executive)
    url = reverse("insights:segment_list")
    client.get(url)
    # session, user, the grouped snapshot, the segments with their service models, territories,
    # portfolios (for the rule in words)
    with django_assert_num_queries(6):
        client.get(url)
    for number in range(5):
        segment_create(
            actor=None,
            name=f"Extra {number}",
            priority=50 + number,
            service_model=ServiceModel.objects.first(),
            rule={"all": [cond("territory", "=", 1)]},
        )
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('data-testid="segment-row"') == 8


# Who may change segments


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_may_not_open_create_edit_or_preview_a_segment(client, world, segmented, role):
    client.force_login(world.user(role))
    segment = segmented["class_a"]

    answers = [
        client.get(reverse("insights:segment_new")).status_code,
        client.post(reverse("insights:segment_new"), {"name": "X", "priority": 1}).status_code,
        client.get(reverse("insights:segment_edit", args=[segment.pk])).status_code,
        client.post(
            reverse("insights:segment_edit", args=[segment.pk]), {"name": "X", "version": 1}
        ).status_code,
        client.post(reverse("insights:segment_preview"), {"rule": '{"all": []}'}).status_code,
        client.get(reverse("insights:service_model_new")).status_code,
    ]

    assert answers == [403] * 6
    assert Segment.objects.get(pk=segment.pk).name == "Clase A"


@pytest.mark.parametrize("role", MANAGERS)
def test_administrators_sales_managers_and_marketing_analysts_edit_segments(client, world, segmented, role):
    client.force_login(world.user(role))

    response = client.get(reverse("insights:segment_edit", args=[segmented["class_a"].pk]))

    assert response.status_code == 200
    assert "data-rule-builder" in response.content.decode()


# Creating and editing


def form_data(segment: Segment | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": segment.name if segment else "Nuevo",
        "description": segment.description if segment else "",
        "priority": segment.priority if segment else 15,
        "service_model": segment.service_model_id if segment else ServiceModel.objects.first().pk,
        "rule": json.dumps(segment.rule if segment else {"all": []}),
    }
    if segment is not None:
        data["version"] = segment.version
        if segment.is_default:
            data["is_default"] = "on"
    data.update(overrides)
    if isinstance(data.get("rule"), dict):
        data["rule"] = json.dumps(data["rule"])
    return data


def test_creating_a_segment_saves_it_and_re_segments_the_accounts(
    client, world, segmented, django_capture_on_commit_callbacks
):
    client.force_login(world.analyst)
    rule = {"all": [cond("tier", "=", "buyer")]}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:segment_new"), form_data(name="Compradores", priority=5, rule=rule)
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("insights:segment_list") + "?saved=1"
    created = Segment.objects.get(name="Compradores")
    assert (created.priority, created.rule) == (5, rule)
    assert segment_of(world.elsewhere) == "Compradores"
    assert (
        AuditRecord.objects.filter(
            object_type="insights.segment", action="create", actor=world.analyst
        ).count()
        == 1
    )


def test_editing_a_rule_saves_it_and_moves_the_accounts(
    client, world, segmented, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    segment = segmented["class_a"]
    rule = {"all": [cond("profit_class", "=", "A"), cond("tier", "=", "frequent")]}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:segment_edit", args=[segment.pk]), form_data(segment, rule=rule)
        )

    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.rule, segment.version) == (rule, 2)
    assert (segment_of(world.in_portfolio), segment_of(world.elsewhere)) == ("Clase A", "Mantener")


def test_a_stale_edit_is_refused_with_a_message_and_nothing_changes(client, world, segmented):
    client.force_login(world.manager)
    segment = segmented["class_a"]
    stale = form_data(segment, name="Clase A renombrada")
    Segment.objects.filter(pk=segment.pk).update(version=2, name="Cambiado por otro")

    response = client.post(reverse("insights:segment_edit", args=[segment.pk]), stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert 'data-testid="reload-link"' in html
    stored = Segment.objects.get(pk=segment.pk)
    assert (stored.name, stored.version) == ("Cambiado por otro", 2)


def test_an_invalid_rule_is_shown_on_the_rule_field_and_its_condition_is_marked(client, world, segmented):
    client.force_login(world.manager)
    segment = segmented["frequent"]
    rule = {"all": [cond("tier", "=", "frequent"), {"any": [cond("strategic_fit", ">=", "alto")]}]}

    response = client.post(reverse("insights:segment_edit", args=[segment.pk]), form_data(segment, rule=rule))

    assert response.status_code == 200
    assert response.context["form"].errors == {"rule": ["Condition 2.1: alto is not a number."]}
    assert "data-error-positions='[&quot;2.1&quot;]'" in response.content.decode()
    assert Segment.objects.get(pk=segment.pk).rule == {"all": [cond("tier", "=", "frequent")]}


def test_rule_text_that_is_not_json_is_a_field_error(client, world, segmented):
    client.force_login(world.manager)

    response = client.post(reverse("insights:segment_new"), form_data(rule='{"all": [}'))

    assert response.status_code == 200
    errors = response.context["form"].errors["rule"]
    assert errors == ["This is not valid JSON (line 1, column 10): Expecting value."]
    assert not Segment.objects.filter(name="Nuevo").exists()


def test_a_second_default_segment_is_refused_on_its_field(client, world, segmented):
    client.force_login(world.manager)

    response = client.post(reverse("insights:segment_new"), form_data(is_default="on"))

    assert response.context["form"].errors == {
        "is_default": ["Mantener is already the default segment: there can be only one."]
    }


def test_the_edit_page_takes_a_fixed_number_of_queries(client, world, segmented, django_assert_num_queries):
    client.force_login(world.manager)
    url = reverse("insights:segment_edit", args=[segmented["class_a"].pk])
    client.get(url)
    # session, user, the segment, territories, portfolios and account regions (for the builder), the
    # service models (read by Django's select widget twice, when it renders and when it checks the value)
    with django_assert_num_queries(8):
        client.get(url)


# The preview


def preview(client, rule: Any, **fields: Any) -> Any:
    data = {"rule": rule if isinstance(rule, str) else json.dumps(rule), **fields}
    return client.post(reverse("insights:segment_preview"), data)


def test_the_preview_counts_what_the_rule_matches_and_lists_the_accounts(client, world, segmented):
    client.force_login(world.manager)
    rule = {"all": [cond("tier", "=", "frequent")]}

    response = preview(client, rule, priority="15")

    assert response.status_code == 200
    result = response.context["preview"]
    expected = AccountInsight.objects.filter(rule_to_q(rule)).count()
    assert (result.matched, expected) == (2, 2)
    # Class A (priority 10) takes in_portfolio first
    assert (result.assigned, result.joining, result.leaving) == (1, 1, 0)
    assert [row.account for row in result.accounts] == [world.on_team, world.in_portfolio]
    html = response.content.decode()
    assert world.on_team.get_absolute_url() in html
    assert "1 account would get this segment at priority 15" in html


def test_the_preview_of_an_edit_says_what_would_join_and_leave_and_saving_does_exactly_that(
    client, world, segmented, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    segment = segmented["frequent"]  # holds on_team today
    rule = {"all": [cond("revenue_12m", "<", 600)]}  # on_team (500) and elsewhere (200, but class A)

    result = preview(client, rule, priority="5", segment=str(segment.pk)).context["preview"]
    assert (result.matched, result.assigned, result.joining, result.leaving) == (2, 2, 1, 0)
    result = preview(client, rule, priority="20", segment=str(segment.pk)).context["preview"]
    assert (result.matched, result.assigned, result.joining, result.leaving) == (2, 1, 0, 0)
    result = preview(client, {"all": [cond("tier", "=", "buyer")]}, priority="20", segment=str(segment.pk))
    assert (result.context["preview"].joining, result.context["preview"].leaving) == (0, 1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("insights:segment_edit", args=[segment.pk]), form_data(segment, rule=rule, priority=5)
        )

    members = set(AccountInsight.objects.filter(segment=segment).values_list("account_id", flat=True))
    assert members == {world.on_team.pk, world.elsewhere.pk}


def test_the_preview_of_the_default_segment_counts_what_no_other_segment_takes(client, world, segmented):
    client.force_login(world.manager)

    result = preview(
        client, {"all": []}, priority="1", is_default="on", segment=str(segmented["default"].pk)
    ).context["preview"]

    assert (result.matched, result.assigned) == (3, 0)


def test_the_preview_shows_what_is_wrong_with_the_rule_and_where(client, world, segmented):
    client.force_login(world.manager)

    response = preview(client, {"all": [cond("tier", "=", "frequent"), cond("tier", "=", "gold")]})

    assert response.status_code == 200
    assert response.context["errors"] == ["Condition 2: gold is not a valid tier."]
    assert "data-rule-error-positions='[&quot;2&quot;]'" in response.content.decode()
    assert preview(client, "not json").context["errors"] == [
        "This is not valid JSON (line 1, column 1): Expecting value."
    ]


def test_the_preview_takes_a_fixed_number_of_queries(client, world, segmented, django_assert_num_queries):
    client.force_login(world.manager)
    rule = {"all": [cond("tier", "in", ["frequent", "buyer"])]}
    preview(client, rule, priority="30", segment=str(segmented["default"].pk))
    # session, user, the segment, earlier segments' rules, one aggregate, the first accounts
    with django_assert_num_queries(6):
        response = preview(client, rule, priority="30", segment=str(segmented["frequent"].pk))
    assert response.context["preview"].matched == 3


def test_the_preview_selector_counts_only_the_accounts_a_user_may_see(world, segmented):
    rule = {"all": [cond("profit_class", "=", "A")]}

    assert segment_rule_preview(rule, user=world.manager, priority=10).matched == 2
    assert segment_rule_preview(rule, user=world.executive, priority=10).matched == 1


# Service models


def test_the_service_model_list_shows_each_model_with_its_segments(client, world, segmented):
    client.force_login(world.support)

    response = client.get(reverse("insights:service_model_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ejecutivo dedicado" in html and "Clase A" in html and "Frecuentes, Mantener" in html
    assert reverse("insights:service_model_new") not in html


def service_model_data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Cuentas clave",
        "coverage": "dedicated",
        "max_days_without_contact": 15,
        "first_response_hours": 2,
        "resolution_hours": 24,
        "review_cadence_days": 30,
        **overrides,
    }


def test_a_manager_creates_a_service_model(client, world):
    client.force_login(world.manager)

    response = client.post(reverse("insights:service_model_new"), service_model_data())

    assert response.status_code == 302
    created = ServiceModel.objects.get(name="Cuentas clave")
    assert (created.coverage, created.max_days_without_contact, created.resolution_hours) == (
        "dedicated",
        15,
        24,
    )


def test_a_service_model_that_resolves_before_it_answers_is_refused_on_its_field(client, world):
    client.force_login(world.manager)

    response = client.post(
        reverse("insights:service_model_new"),
        service_model_data(first_response_hours=48, resolution_hours=24),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "resolution_hours": ["The resolution time cannot be shorter than the first response time."]
    }
    assert not ServiceModel.objects.exists()


def test_editing_a_service_model_is_version_checked(
    client, world, segmented, django_capture_on_commit_callbacks
):
    client.force_login(world.analyst)
    model = ServiceModel.objects.get(name="Ejecutivo dedicado")
    url = reverse("insights:service_model_edit", args=[model.pk])

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, service_model_data(name=model.name, version=1, max_days_without_contact=20))
    stale = client.post(url, service_model_data(name="Otro nombre", version=1))

    assert saved.status_code == 302
    assert stale.status_code == 200
    assert "Someone else saved this record" in stale.content.decode()
    model.refresh_from_db()
    assert (model.name, model.max_days_without_contact, model.version) == ("Ejecutivo dedicado", 20, 2)


def test_a_segment_count_opens_the_accounts_list_with_exactly_those_accounts(client, world, segmented):
    client.force_login(world.executive)
    class_a = segmented["class_a"].pk

    in_segment = client.get(reverse("accounts:list"), {"segment": class_a})
    alerts = client.get(reverse("accounts:list"), {"segment": class_a, "disconnected": "true"})

    assert list(in_segment.context["page"].object_list) == [world.in_portfolio]
    assert list(alerts.context["page"].object_list) == [world.in_portfolio]


def test_a_rule_describes_its_amounts_as_the_money_filter_writes_them():
    from cartera.insights.rule_catalog import RuleNames, describe_segment_rule

    rule = {
        "all": [
            {"field": "net_profit_12m", "op": "<", "value": "-396387"},
            {"field": "revenue_12m", "op": ">=", "value": "1234.5"},
        ]
    }
    with translation.override("es"):
        text = describe_segment_rule(rule, RuleNames(territories={}, portfolios={}))
    assert "-$396.387" in text
    assert "$1.235" in text
