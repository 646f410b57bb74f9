"""Segments: the rule language field by field and operator by operator, assignment by priority, the
segment and service-model services, the preview, and the default segments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord
from cartera.costs.tests.factories import MarketingSpendFactory, ServiceCostFactory
from cartera.coverage.tests.factories import PortfolioFactory, TerritoryFactory
from cartera.insights.defaults import SERVICE_MODELS, create_default_segments
from cartera.insights.dependents import dependents_refresh
from cartera.insights.models import AccountInsight, Segment, ServiceModel
from cartera.insights.segment_services import (
    segment_create,
    segment_delete,
    segment_update,
    segments_reassign,
    service_model_create,
    service_model_delete,
    service_model_update,
)
from cartera.insights.segments import (
    FIELDS,
    OPERATORS,
    rule_to_q,
    segment_preview,
    validate_rule,
)
from cartera.insights.services import insights_recompute_all, insights_refresh_accounts
from cartera.insights.tests.builders import D, buy, days_before
from cartera.relationship.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def insight(account: Account | None = None, **fields: Any) -> AccountInsight:
    """A snapshot row with exactly the given metrics (the rest empty), as the engine would store it."""
    values: dict[str, Any] = {"as_of": D, "tier": "prospect", "profit_class": "L", **fields}
    return AccountInsight.objects.create(account=account or AccountFactory(), **values)


def service_model(name: str = "Equipo", max_days: int = 60) -> ServiceModel:
    return service_model_create(
        actor=None,
        name=name,
        coverage="shared",
        max_days_without_contact=max_days,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )


def cond(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def matching(rule: dict[str, Any]) -> set[str]:
    return set(AccountInsight.objects.filter(rule_to_q(rule)).values_list("account__legal_name", flat=True))


def segment_of(account: Account) -> str | None:
    row = AccountInsight.objects.select_related("segment").get(account=account)
    return row.segment.name if row.segment else None


@pytest.fixture
def population():
    """Three accounts whose every rule field is known: a big frequent client, a small sporadic one and a
    prospect with nothing filled in."""
    territory, portfolio = TerritoryFactory(), PortfolioFactory()
    big = AccountFactory(
        legal_name="Big",
        strategic_fit=5,
        region="CL-RM",
        territory=territory,
        portfolio=portfolio,
        industry="mining",
        size_band="large",
        status="client",
    )
    small = AccountFactory(
        legal_name="Small",
        strategic_fit=3,
        region="CL-VS",
        industry="retail",
        size_band="small",
        status="client",
    )
    empty = AccountFactory(
        legal_name="Empty", strategic_fit=None, region="", industry="other", size_band="", status="prospect"
    )
    insight(
        big,
        tier="frequent",
        profit_class="A",
        revenue_12m_cents=100_000,
        cogs_12m_cents=40_000,
        cost_to_serve_12m_cents=5_000,
        marketing_spend_12m_cents=1_000,
        net_profit_12m_cents=54_000,
        orders_12m=6,
        orders_total=10,
        recency_days=10,
        tenure_days=800,
        days_without_contact=5,
    )
    insight(
        small,
        tier="sporadic",
        profit_class="C",
        revenue_12m_cents=20_000,
        cogs_12m_cents=15_000,
        net_profit_12m_cents=5_000,
        orders_12m=2,
        orders_total=2,
        recency_days=100,
        tenure_days=300,
        days_without_contact=40,
    )
    insight(empty)
    return {"territory": territory.pk, "portfolio": portfolio.pk}


CASES = [
    ("tier", "=", "frequent", {"Big"}),
    ("tier", "!=", "frequent", {"Small", "Empty"}),
    ("tier", "in", ["sporadic", "prospect"], {"Small", "Empty"}),
    ("tier", "not_in", ["prospect"], {"Big", "Small"}),
    ("profit_class", "=", "L", {"Empty"}),
    ("profit_class", "in", ["A", "C"], {"Big", "Small"}),
    ("strategic_fit", "=", 3, {"Small"}),
    ("strategic_fit", "!=", 5, {"Small", "Empty"}),  # an empty fit is not 5 either
    ("strategic_fit", "<", 4, {"Small"}),  # but it is not below 4
    ("strategic_fit", "<=", 3, {"Small"}),
    ("strategic_fit", ">", 3, {"Big"}),
    ("strategic_fit", ">=", "3", {"Big", "Small"}),
    ("strategic_fit", "in", [3, 5], {"Big", "Small"}),
    ("strategic_fit", "not_in", [3], {"Big", "Empty"}),
    ("region", "=", "CL-VS", {"Small"}),
    ("region", "!=", "CL-RM", {"Small", "Empty"}),
    ("region", "in", ["CL-RM", "CL-VS"], {"Big", "Small"}),
    ("territory", "=", "territory", {"Big"}),
    ("territory", "!=", "territory", {"Small", "Empty"}),
    ("portfolio", "in", ["portfolio"], {"Big"}),
    ("portfolio", "not_in", ["portfolio"], {"Small", "Empty"}),
    ("industry", "=", "mining", {"Big"}),
    ("size", "in", ["micro", "small"], {"Small"}),
    ("status", "=", "prospect", {"Empty"}),
    ("revenue_12m", ">", "999.99", {"Big"}),
    ("revenue_12m", ">=", 200, {"Big", "Small"}),
    ("revenue_12m", "<", 200, {"Empty"}),
    ("revenue_12m", "<=", 200.0, {"Small", "Empty"}),
    ("gross_margin_12m", "=", "600.00", {"Big"}),  # 1000 - 400
    ("gross_margin_12m", "!=", 600, {"Small", "Empty"}),
    ("gross_margin_12m", ">=", 50, {"Big", "Small"}),
    ("gross_margin_12m", "<", 50, {"Empty"}),
    ("cost_to_serve_12m", ">", 0, {"Big"}),
    ("marketing_spend_12m", "=", 10, {"Big"}),
    ("net_profit_12m", "<=", 50, {"Small", "Empty"}),
    ("orders_12m", ">=", 2, {"Big", "Small"}),
    ("orders_total", "=", 10, {"Big"}),
    ("recency_days", "<=", 100, {"Big", "Small"}),  # a prospect has no recency: never matched
    ("recency_days", ">", 50, {"Small"}),
    ("tenure_days", ">=", 730, {"Big"}),
    ("days_without_contact", ">", 30, {"Small"}),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_each_field_and_operator_selects_exactly_the_accounts_it_describes(
    population, field, op, value, expected
):
    if field in {"territory", "portfolio"}:
        value = [population[v] for v in value] if isinstance(value, list) else population[value]

    assert matching({"all": [cond(field, op, value)]}) == expected


def test_the_cases_above_cover_every_field_and_every_operator():
    assert {case[0] for case in CASES} == set(FIELDS)
    assert {case[1] for case in CASES} == set(OPERATORS)


def test_conditions_in_all_must_all_hold_and_an_empty_rule_matches_every_account(population):
    assert matching({"all": [cond("orders_12m", ">=", 2), cond("region", "=", "CL-VS")]}) == {"Small"}
    assert matching({"all": []}) == {"Big", "Small", "Empty"}
    assert matching({}) == {"Big", "Small", "Empty"}


def test_any_groups_match_when_one_member_holds_and_nest_inside_all(population):
    either = {"any": [cond("tier", "=", "frequent"), cond("status", "=", "prospect")]}
    assert matching({"all": [either]}) == {"Big", "Empty"}
    assert matching({"all": [either, cond("region", "=", "CL-RM")]}) == {"Big"}
    alternatives = {
        "any": [
            {"all": [cond("profit_class", "=", "A"), cond("strategic_fit", ">=", 5)]},
            {"all": [cond("profit_class", "=", "C"), cond("strategic_fit", "=", 3)]},
        ]
    }
    assert matching({"all": [alternatives]}) == {"Big", "Small"}
    assert matching({"all": [{"all": [cond("tier", "=", "sporadic")]}]}) == {"Small"}


@pytest.mark.parametrize(
    ("rule", "code", "message"),
    [
        ([], "rule_shape", 'A rule is {"all": [conditions]}.'),
        ({"any": [cond("tier", "=", "buyer")]}, "rule_shape", 'A rule is {"all": [conditions]}.'),
        ({"all": "tier = buyer"}, "rule_shape", 'A rule is {"all": [conditions]}.'),
        ({"all": [], "note": "x"}, "rule_shape", 'A rule is {"all": [conditions]}.'),
        (
            {"all": [{"field": "tier", "op": "="}]},
            "rule_condition",
            "Condition 1 must have a field, an operator and a value.",
        ),
        (
            {"all": ["tier = buyer"]},
            "rule_condition",
            "Condition 1 must have a field, an operator and a value.",
        ),
        (
            {"all": [cond("tier", "=", "buyer"), cond("colour", "=", "red")]},
            "rule_field",
            "Condition 2: unknown field colour.",
        ),
        ({"all": [cond("churn_risk", ">", 50)]}, "rule_field", "Condition 1: unknown field churn_risk."),
        ({"all": [cond("tier", "~", "buyer")]}, "rule_operator", "Condition 1: unknown operator ~."),
        ({"all": [cond("tier", "<", "loyal")]}, "rule_operator", "Condition 1: tier does not take <."),
        ({"all": [cond("region", ">=", "CL-RM")]}, "rule_operator", "Condition 1: region does not take >=."),
        (
            {"all": [cond("tier", "in", "buyer")]},
            "rule_value",
            "Condition 1: in takes a non-empty list of values.",
        ),
        (
            {"all": [cond("tier", "not_in", [])]},
            "rule_value",
            "Condition 1: not_in takes a non-empty list of values.",
        ),
        ({"all": [cond("tier", "=", ["buyer"])]}, "rule_value", "Condition 1: = takes a single value."),
        ({"all": [cond("tier", "=", "gold")]}, "rule_value", "Condition 1: gold is not a valid tier."),
        (
            {"all": [cond("profit_class", "in", ["A", "Z"])]},
            "rule_value",
            "Condition 1: Z is not a valid profit_class.",
        ),
        ({"all": [cond("size", "=", "Small")]}, "rule_value", "Condition 1: Small is not a valid size."),
        ({"all": [cond("strategic_fit", ">=", "four")]}, "rule_value", "Condition 1: four is not a number."),
        ({"all": [cond("strategic_fit", ">=", True)]}, "rule_value", "Condition 1: True is not a number."),
        ({"all": [cond("strategic_fit", ">=", None)]}, "rule_value", "Condition 1: None is not a number."),
        ({"all": [cond("revenue_12m", ">=", "NaN")]}, "rule_value", "Condition 1: NaN is not a number."),
        (
            {"all": [cond("revenue_12m", ">=", "Infinity")]},
            "rule_value",
            "Condition 1: Infinity is not a number.",
        ),
        (
            {"all": [cond("strategic_fit", ">=", 3.5)]},
            "rule_value",
            "Condition 1: 3.5 is not a whole number.",
        ),
        ({"all": [cond("territory", "=", "1e0x")]}, "rule_value", "Condition 1: 1e0x is not a number."),
        (
            {"all": [cond("revenue_12m", ">=", "10.005")]},
            "rule_value",
            "Condition 1: 10.005 has more than two decimals.",
        ),
        (
            {"all": [cond("region", "=", "XX-99")]},
            "rule_value",
            "Condition 1: XX-99 is not a region code (ISO 3166-2, for example CL-RM).",
        ),
        (
            {"all": [cond("region", "=", "cl-rm")]},
            "rule_value",
            "Condition 1: cl-rm is not a region code (ISO 3166-2, for example CL-RM).",
        ),
        (
            {
                "all": [
                    cond("tier", "=", "buyer"),
                    {"any": [cond("size", "=", "small"), cond("size", "=", "huge")]},
                ]
            },
            "rule_value",
            "Condition 2.2: huge is not a valid size.",
        ),
        ({"all": [{"any": []}]}, "rule_group", "Condition 1: a group needs a non-empty list of conditions."),
        (
            {"all": [{"any": [{"all": [{"any": [{"all": [cond("tier", "=", "buyer")]}]}]}]}]},
            "rule_depth",
            "Condition 1.1.1.1: groups nest at most 4 levels deep.",
        ),
    ],
)
def test_a_malformed_rule_is_refused_naming_the_condition(rule, code, message):
    with pytest.raises(ValidationError) as refused:
        validate_rule(rule)

    assert refused.value.code == code
    assert refused.value.messages == [message]


def test_whole_numbers_and_money_are_accepted_as_numbers_or_numeric_text(population):
    assert matching({"all": [cond("strategic_fit", "=", "5"), cond("revenue_12m", "=", "1000.00")]}) == {
        "Big"
    }
    assert matching({"all": [cond("strategic_fit", "=", 5.0), cond("revenue_12m", "=", 1e3)]}) == {"Big"}
    assert matching({"all": [cond("orders_total", "=", "1E1")]}) == {"Big"}


# Assignment by priority


def test_an_account_matching_two_segments_gets_the_one_with_the_lower_priority_number():
    team = service_model()
    both, only_frequent, neither = AccountFactory(), AccountFactory(), AccountFactory()
    insight(both, tier="frequent", profit_class="A")
    insight(only_frequent, tier="frequent", profit_class="C")
    insight(neither, tier="buyer", profit_class="C")
    # created first, evaluated second
    segment_create(
        actor=None,
        name="Frecuentes",
        priority=20,
        service_model=team,
        rule={"all": [cond("tier", "=", "frequent")]},
    )
    segment_create(
        actor=None,
        name="Clase A",
        priority=10,
        service_model=team,
        rule={"all": [cond("profit_class", "=", "A")]},
    )
    segment_create(actor=None, name="Resto", priority=1, service_model=team, is_default=True)

    segments_reassign()

    assert (segment_of(both), segment_of(only_frequent), segment_of(neither)) == (
        "Clase A",
        "Frecuentes",
        "Resto",
    )


def test_on_equal_priority_the_segment_created_first_wins_and_without_a_default_nothing_is_assigned():
    team = service_model()
    account, other = AccountFactory(), AccountFactory()
    insight(account, tier="frequent")
    insight(other, tier="buyer")
    segment_create(
        actor=None,
        name="Primero",
        priority=10,
        service_model=team,
        rule={"all": [cond("tier", "=", "frequent")]},
    )
    segment_create(actor=None, name="Segundo", priority=10, service_model=team, rule={"all": []})
    segment_create(
        actor=None,
        name="Tercero",
        priority=10,
        service_model=team,
        rule={"all": [cond("tier", "=", "buyer")]},
    )

    segments_reassign()

    assert (segment_of(account), segment_of(other)) == ("Primero", "Segundo")


def test_assignment_can_be_limited_to_some_accounts():
    team = service_model()
    first, second = AccountFactory(), AccountFactory()
    insight(first, tier="frequent")
    insight(second, tier="frequent")
    segment_create(
        actor=None,
        name="Frecuentes",
        priority=10,
        service_model=team,
        rule={"all": [cond("tier", "=", "frequent")]},
    )

    with connection.cursor() as cursor:
        dependents_refresh(cursor, as_of=D, account_ids=[first.pk])

    assert (segment_of(first), segment_of(second)) == ("Frecuentes", None)


# Services


def test_creating_a_segment_validates_the_rule_and_writes_nothing_when_it_is_malformed():
    team = service_model()
    audits = AuditRecord.objects.count()

    with pytest.raises(ValidationError) as refused:
        segment_create(
            actor=None, name="Mal", priority=10, service_model=team, rule={"all": [cond("tier", "=", "gold")]}
        )

    assert refused.value.message_dict == {"rule": ["Condition 1: gold is not a valid tier."]}
    assert Segment.objects.count() == 0
    assert AuditRecord.objects.count() == audits


def test_creating_a_segment_is_audited_with_its_rule(make_user):
    admin = make_user("administrator")
    team = service_model()
    rule = {"all": [cond("profit_class", "=", "A")]}

    segment = segment_create(actor=admin, name="Clase A", priority=10, service_model=team, rule=rule)

    record = AuditRecord.objects.get(object_type="insights.segment", object_id=str(segment.pk))
    assert (record.action, record.actor, record.changes["rule"], record.changes["service_model_id"]) == (
        "create",
        admin,
        rule,
        team.pk,
    )


def test_there_is_only_one_default_segment_and_it_has_no_rule():
    team = service_model()
    segment_create(actor=None, name="Mantener", priority=100, service_model=team, is_default=True)
    other = segment_create(actor=None, name="Otro", priority=50, service_model=team)

    with pytest.raises(ValidationError) as second:
        segment_create(actor=None, name="Otro default", priority=90, service_model=team, is_default=True)
    with pytest.raises(ValidationError) as switched:
        segment_update(actor=None, segment=other, expected_version=other.version, is_default=True)
    with pytest.raises(ValidationError) as with_rule:
        segment_update(
            actor=None,
            segment=Segment.objects.get(name="Mantener"),
            expected_version=1,
            rule={"all": [cond("tier", "=", "buyer")]},
        )

    only_one = "Mantener is already the default segment: there can be only one."
    assert second.value.message_dict == {"is_default": [only_one]}
    assert switched.value.message_dict == {"is_default": [only_one]}
    assert with_rule.value.message_dict == {
        "rule": [
            "The default segment takes every account that no other segment matches: leave its rule empty."
        ]
    }
    assert list(Segment.objects.order_by("name").values_list("name", "is_default", "rule")) == [
        ("Mantener", True, {"all": []}),
        ("Otro", False, {"all": []}),
    ]


def test_a_stale_segment_update_is_refused_and_changes_nothing():
    team = service_model()
    segment = segment_create(actor=None, name="Clase A", priority=10, service_model=team)
    segment_update(actor=None, segment=Segment.objects.get(pk=segment.pk), expected_version=1, priority=5)
    audits = AuditRecord.objects.count()

    with pytest.raises(ConflictError):
        segment_update(actor=None, segment=segment, expected_version=1, name="Clase AA")

    stored = Segment.objects.get(pk=segment.pk)
    assert (stored.name, stored.priority, stored.version) == ("Clase A", 5, 2)
    assert AuditRecord.objects.count() == audits
    assert segment.name == "Clase A"


def test_a_segment_update_audits_what_changed_and_reassigns_accounts_after_commit(
    django_capture_on_commit_callbacks, make_user
):
    admin = make_user("administrator")
    team = service_model()
    frequent, buyer = AccountFactory(), AccountFactory()
    insight(frequent, tier="frequent")
    insight(buyer, tier="buyer")
    with django_capture_on_commit_callbacks(execute=True):
        segment = segment_create(
            actor=admin,
            name="Foco",
            priority=10,
            service_model=team,
            rule={"all": [cond("tier", "=", "frequent")]},
        )
        segment_create(actor=admin, name="Mantener", priority=100, service_model=team, is_default=True)
    assert (segment_of(frequent), segment_of(buyer)) == ("Foco", "Mantener")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        segment_update(
            actor=admin, segment=segment, expected_version=1, rule={"all": [cond("tier", "=", "buyer")]}
        )

    assert len(callbacks) == 1
    assert (segment_of(frequent), segment_of(buyer)) == ("Mantener", "Foco")
    record = AuditRecord.objects.filter(object_type="insights.segment", action="update").get()
    assert record.changes == {
        "rule": [{"all": [cond("tier", "=", "frequent")]}, {"all": [cond("tier", "=", "buyer")]}]
    }


def test_deleting_a_segment_is_audited_and_its_accounts_fall_to_the_default(
    django_capture_on_commit_callbacks,
):
    team = service_model()
    account = AccountFactory()
    insight(account, tier="frequent")
    with django_capture_on_commit_callbacks(execute=True):
        segment = segment_create(
            actor=None,
            name="Foco",
            priority=10,
            service_model=team,
            rule={"all": [cond("tier", "=", "frequent")]},
        )
        segment_create(actor=None, name="Mantener", priority=100, service_model=team, is_default=True)

    with django_capture_on_commit_callbacks(execute=True):
        segment_delete(actor=None, segment=segment)

    assert segment_of(account) == "Mantener"
    record = AuditRecord.objects.get(object_type="insights.segment", action="delete")
    assert (record.object_repr, record.changes["name"]) == ("Foco", "Foco")


def test_service_models_are_validated_audited_and_kept_while_a_segment_uses_them():
    with pytest.raises(ValidationError) as refused:
        service_model_create(
            actor=None,
            name="Lento",
            coverage="shared",
            max_days_without_contact=0,
            first_response_hours=48,
            resolution_hours=24,
            review_cadence_days=90,
        )
    assert refused.value.message_dict == {
        "max_days_without_contact": ["Allow at least one day without contact."],
        "resolution_hours": ["The resolution time cannot be shorter than the first response time."],
    }
    assert ServiceModel.objects.count() == 0

    team = service_model("Equipo")
    segment_create(actor=None, name="Foco", priority=10, service_model=team)
    with pytest.raises(ValidationError) as in_use:
        service_model_delete(actor=None, service_model=team)
    assert in_use.value.messages == ["Equipo is the service model of Foco: give them another one first."]

    updated = service_model_update(
        actor=None, service_model=team, expected_version=1, max_days_without_contact=30
    )
    assert (updated.max_days_without_contact, updated.version) == (30, 2)
    record = AuditRecord.objects.get(object_type="insights.servicemodel", action="update")
    assert record.changes == {"max_days_without_contact": [60, 30]}
    with pytest.raises(ConflictError):
        service_model_update(actor=None, service_model=team, expected_version=1, max_days_without_contact=10)
    assert ServiceModel.objects.get(pk=team.pk).max_days_without_contact == 30


# Preview


def test_preview_counts_the_matching_accounts_and_lists_the_first_by_name(population):
    preview = segment_preview({"all": [cond("orders_total", ">=", 1)]}, limit=1)

    assert (preview.matched, preview.assigned) == (2, 2)
    assert [row.account.legal_name for row in preview.accounts] == ["Big"]


def test_preview_for_a_user_counts_only_the_accounts_they_may_see(world):
    for account in (world.in_portfolio, world.on_team, world.elsewhere):
        insight(account, tier="frequent")
    rule = {"all": [cond("tier", "=", "frequent")]}

    assert segment_preview(rule, user=world.executive).matched == 2
    assert segment_preview(rule, user=world.specialist).matched == 1
    assert segment_preview(rule, user=world.manager).matched == 3
    assert segment_preview(rule).matched == 3


def test_preview_with_a_priority_says_how_many_an_earlier_segment_would_take_first(population):
    team = service_model()
    segment_create(
        actor=None,
        name="Clase A",
        priority=10,
        service_model=team,
        rule={"all": [cond("profit_class", "=", "A")]},
    )
    later = segment_create(
        actor=None,
        name="Con pedidos",
        priority=30,
        service_model=team,
        rule={"all": [cond("orders_total", ">=", 1)]},
    )
    segment_create(actor=None, name="Mantener", priority=5, service_model=team, is_default=True)
    rule = {"all": [cond("orders_12m", ">=", 1)]}  # Big and Small

    assert (segment_preview(rule, priority=20).matched, segment_preview(rule, priority=20).assigned) == (2, 1)
    assert segment_preview(rule, priority=40).assigned == 0  # "Con pedidos" takes Small first
    assert segment_preview(rule, priority=5).assigned == 2  # the default never takes first
    # Editing "Con pedidos" itself: it is not compared with itself
    assert segment_preview(rule, priority=40, segment=later).assigned == 1


def test_preview_refuses_a_malformed_rule():
    with pytest.raises(ValidationError) as refused:
        segment_preview({"all": [cond("tier", "=", "gold")]})

    assert refused.value.messages == ["Condition 1: gold is not a valid tier."]


# Defaults


def test_default_segments_are_created_once_with_their_service_models(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = create_default_segments()
    again = create_default_segments()

    assert len(callbacks) == 1
    assert [(s.name, s.priority, s.is_default, s.service_model.name) for s in created] == [
        ("Estratégicos", 10, False, "Ejecutivo dedicado"),
        ("Revisar rentabilidad", 20, False, "Seguimiento de rentabilidad"),
        ("Desarrollar", 30, False, "Equipo de desarrollo"),
        ("Autoservicio digital", 40, False, "Autoservicio digital"),
        ("Mantener", 100, True, "Equipo compartido"),
    ]
    assert again == []
    assert list(
        ServiceModel.objects.order_by("max_days_without_contact").values_list(
            "name",
            "coverage",
            "max_days_without_contact",
            "first_response_hours",
            "resolution_hours",
            "review_cadence_days",
        )
    ) == [
        ("Ejecutivo dedicado", "dedicated", 30, 4, 24, 90),
        ("Equipo de desarrollo", "shared", 45, 8, 48, 90),
        ("Equipo compartido", "shared", 60, 8, 72, 180),
        ("Seguimiento de rentabilidad", "shared", 90, 24, 120, 30),
        ("Autoservicio digital", "self_service", 120, 24, 120, 365),
    ]
    assert len(SERVICE_MODELS) == ServiceModel.objects.count() == 5
    for segment in Segment.objects.all():
        validate_rule(segment.rule)


def test_default_segments_keep_what_exists_and_never_add_a_second_default():
    team = service_model("Propio")
    segment_create(actor=None, name="Desarrollar", priority=7, service_model=team, rule={"all": []})
    segment_create(actor=None, name="Todos", priority=200, service_model=team, is_default=True)

    created = create_default_segments()

    assert [segment.name for segment in created] == [
        "Estratégicos",
        "Revisar rentabilidad",
        "Autoservicio digital",
    ]
    assert Segment.objects.get(name="Desarrollar").priority == 7
    assert list(Segment.objects.filter(is_default=True).values_list("name", flat=True)) == ["Todos"]


@pytest.mark.parametrize(
    ("tier", "profit_class", "fit", "size", "revenue", "net", "orders_total", "expected"),
    [
        ("loyal", "A", 2, "large", 50_000_000, 20_000_000, 40, "Estratégicos"),  # class A and loyal
        ("sporadic", "A", 4, "large", 50_000_000, 20_000_000, 3, "Estratégicos"),  # class A and fit 4
        ("sporadic", "A", 3, "large", 50_000_000, 20_000_000, 3, "Mantener"),  # class A, neither
        ("frequent", "L", 5, "large", 9_000_000, -100_000, 8, "Revisar rentabilidad"),  # loses money
        ("sporadic", "L", 4, "medium", 0, 0, 2, "Desarrollar"),  # no loss, just no profit
        ("prospect", "L", 3, "micro", 0, -300_000, 0, "Autoservicio digital"),  # spend on a prospect
        ("frequent", "B", 3, "large", 30_000_000, 5_000_000, 12, "Desarrollar"),
        ("sporadic", "C", 3, "small", 1_000_000, 100_000, 2, "Desarrollar"),  # fit first
        ("buyer", "C", 4, "medium", 800_000, 50_000, 1, "Desarrollar"),
        ("buyer", "C", 2, "micro", 800_000, 50_000, 1, "Autoservicio digital"),
        ("sporadic", "C", None, "small", 4_999_999, 10_000, 2, "Autoservicio digital"),
        ("sporadic", "C", None, "small", 5_000_000, 10_000, 2, "Mantener"),  # not low revenue
        ("frequent", "B", 2, "medium", 8_000_000, 900_000, 6, "Mantener"),
        ("prospect", "L", None, "", 0, 0, 0, "Mantener"),
    ],
)
def test_default_segments_place_each_kind_of_client(
    tier, profit_class, fit, size, revenue, net, orders_total, expected
):
    create_default_segments()
    account = AccountFactory(strategic_fit=fit, size_band=size)
    # An account with orders has the order dates and recency the engine stores with them (churn reads them).
    ordered = {"first_order_date": days_before(400), "last_order_date": days_before(10), "recency_days": 10}
    insight(
        account,
        tier=tier,
        profit_class=profit_class,
        revenue_12m_cents=revenue * 100,
        net_profit_12m_cents=net * 100,
        orders_total=orders_total,
        **(ordered if orders_total else {}),
    )

    segments_reassign()

    assert segment_of(account) == expected


def test_with_the_defaults_every_account_of_a_demo_like_population_gets_a_segment(
    django_capture_on_commit_callbacks,
):
    def client(**fields: Any) -> Account:
        created_on = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
        account = AccountFactory(**fields)
        Account.objects.filter(pk=account.pk).update(created_at=created_on)
        return account

    strategic = client(legal_name="Estratégica", strategic_fit=5, size_band="enterprise")
    developing = client(legal_name="En desarrollo", strategic_fit=3, size_band="large")
    keeping = client(legal_name="Estable", strategic_fit=2, size_band="medium")
    tiny = client(legal_name="Micro", strategic_fit=None, size_band="micro")
    losing = client(legal_name="Con pérdida", strategic_fit=4, size_band="large")
    client(legal_name="Prospecto", strategic_fit=None, size_band="medium", status="prospect")
    courted = client(legal_name="Cortejado", strategic_fit=3, size_band="large", status="prospect")
    for days in (300, 200, 100, 20):
        buy(strategic, days_before(days), price="2500000.00", cost="0")  # net 10,000,000
    buy(developing, days_before(40), price="1000000.00", cost="0")  # 1,000,000: B
    buy(developing, days_before(400), price="1.00", cost="0")
    buy(keeping, days_before(30), price="400000.00", cost="0")  # C
    buy(tiny, days_before(60), price="100000.00", cost="0")  # C, micro, low revenue
    buy(losing, days_before(50), price="300000.00", cost="0")
    ServiceCostFactory(account=losing, date=days_before(50), amount=Decimal("500000.00"))
    MarketingSpendFactory(account=courted, date=days_before(10), amount=Decimal("200000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        create_default_segments()

    insights_recompute_all(as_of=D, full=True)

    assert dict(AccountInsight.objects.values_list("account__legal_name", "segment__name")) == {
        "Estratégica": "Estratégicos",
        "En desarrollo": "Desarrollar",
        "Estable": "Mantener",
        "Micro": "Autoservicio digital",
        "Con pérdida": "Revisar rentabilidad",
        "Prospecto": "Mantener",
        "Cortejado": "Mantener",
    }
    assert AccountInsight.objects.filter(segment=None).count() == 0


def test_reassignment_refreshes_churn_of_each_account_as_of_its_own_snapshot_date(
    django_capture_on_commit_callbacks,
):
    later = D + dt.timedelta(days=30)
    current, refreshed = AccountFactory(), AccountFactory()
    for account in (current, refreshed):
        FeedbackFactory(account=account, kind="complaint", status="open", date=D + dt.timedelta(days=10))
    insights_recompute_all(as_of=D, full=True)
    insights_refresh_accounts(account_ids=[refreshed.pk], as_of=later)
    AccountInsight.objects.update(churn_risk=0, churn_factors={})

    with django_capture_on_commit_callbacks(execute=True):
        segment_create(
            actor=None, name="Mantener", priority=100, service_model=service_model(), is_default=True
        )

    rows = {
        row.account_id: (row.as_of, row.churn_factors.get("open_complaints"))
        for row in AccountInsight.objects.all()
    }
    assert rows == {current.pk: (D, 0), refreshed.pk: (later, 8)}  # the complaint is after D
