from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cartera.profiles.models import Consumer, Profile
from cartera.profiles.rules import describe_rule, normalize_rule, parse_rule
from cartera.profiles.tests.factories import ConsumerFactory, ConsumerOrderFactory


def messages_of(rule):
    with pytest.raises(ValidationError) as caught:
        parse_rule(rule)
    return caught.value.messages


def test_a_rule_must_be_an_object_with_a_list_of_conditions():
    for rule in ({}, [], {"all": {}}, {"all": [], "any": []}):
        assert messages_of(rule) == ['A rule is an object with one key, "all", holding a list of conditions.']


def test_an_unknown_field_is_named_with_its_condition_number():
    rule = {
        "all": [{"field": "orders_12m", "op": ">=", "value": 4}, {"field": "income", "op": ">=", "value": 1}]
    }

    assert messages_of(rule) == [
        'Condition 2 (income >= 1): "income" is not a field of a rule; use one of region, age_band, channel, '
        "recency_days, tenure_days, orders_12m, spend_12m."
    ]


def test_every_bad_condition_is_reported_at_once():
    rule = {
        "all": [
            {"field": "region", "op": ">=", "value": ["CL-RM"]},
            {"field": "region", "op": "in", "value": ["CL-XX"]},
            {"field": "age_band", "op": "in", "value": ["teen"]},
            {"field": "channel", "op": "in", "value": []},
            {"field": "recency_days", "op": "in", "value": 30},
            {"field": "orders_12m", "op": ">=", "value": -1},
            {"field": "orders_12m", "op": ">=", "value": True},
            {"field": "spend_12m", "op": "<=", "value": "a lot"},
            {"field": "spend_12m", "op": "<="},
            {"field": "recency_days", "op": "<=", "value": 1_000_000_000},
            {"field": "spend_12m", "op": ">=", "value": "1e30"},
            {"field": "region", "op": "in", "value": [""]},
        ]
    }

    assert messages_of(rule) == [
        "Condition 1 (region >= ['CL-RM']): \">=\" does not apply to region; use in or not_in.",
        "Condition 2 (region in ['CL-XX']): \"CL-XX\" is not an ISO 3166-2 region code (such as CL-RM).",
        "Condition 3 (age_band in ['teen']): \"teen\" is not one of unknown, 18_24, 25_34, 35_44, 45_54, 55_64, "
        "65_plus.",
        "Condition 4 (channel in []): the value must be a non-empty list of codes.",
        'Condition 5 (recency_days in 30): "in" does not apply to recency_days; use <= or >=.',
        "Condition 6 (orders_12m >= -1): the value must be a whole number from 0 to 36,500.",
        "Condition 7 (orders_12m >= True): the value must be a whole number from 0 to 36,500.",
        "Condition 8 (spend_12m <= a lot): the value must be an amount from 0 to 9,999,999,999,999,999.",
        'Condition 9 (spend_12m <= ?): a condition is an object with exactly "field", "op" and "value".',
        "Condition 10 (recency_days <= 1000000000): the value must be a whole number from 0 to 36,500.",
        "Condition 11 (spend_12m >= 1e30): the value must be an amount from 0 to 9,999,999,999,999,999.",
        "Condition 12 (region in ['']): \"\" is not an ISO 3166-2 region code (such as CL-RM).",
    ]


def test_normalizing_upper_cases_and_sorts_codes_and_writes_amounts_as_decimal_strings():
    rule = {
        "all": [
            {"field": "region", "op": "not_in", "value": ["cl-vs", "CL-RM", "CL-VS"]},
            {"field": "spend_12m", "op": ">=", "value": 1250.5},
            {"field": "spend_12m", "op": "<=", "value": "600000.00"},
        ]
    }

    assert normalize_rule(rule) == {
        "all": [
            {"field": "region", "op": "not_in", "value": ["CL-RM", "CL-VS"]},
            {"field": "spend_12m", "op": ">=", "value": "1250.50"},
            {"field": "spend_12m", "op": "<=", "value": "600000"},
        ]
    }


def test_a_rule_reads_as_a_sentence():
    rule = {
        "all": [
            {"field": "channel", "op": "in", "value": ["online", "store"]},
            {"field": "orders_12m", "op": ">=", "value": 1200},
            {"field": "spend_12m", "op": ">=", "value": "600000"},
        ]
    }

    text = describe_rule(rule)
    empty = describe_rule({"all": []})

    assert text == (
        "channel is one of online, store and purchases in the last 12 months ≥ 1,200 and "
        "spend in the last 12 months ≥ CLP\N{NO-BREAK SPACE}600,000"
    )
    assert empty == "every consumer"


@pytest.mark.django_db
def test_a_profile_with_an_invalid_rule_does_not_validate():
    profile = Profile(name="Roto", rule={"all": [{"field": "orders_12m", "op": ">", "value": 4}]})

    with pytest.raises(ValidationError) as caught:
        profile.full_clean()

    assert list(caught.value.message_dict) == ["rule"]


@pytest.mark.django_db
def test_a_new_profile_has_the_empty_rule():
    assert Profile(name="Todos").rule == {"all": []}


@pytest.mark.django_db
def test_a_consumer_region_must_be_an_iso_3166_2_region():
    consumer = Consumer(customer_number="C1", region="CL-XX")

    with pytest.raises(ValidationError) as caught:
        consumer.full_clean()

    assert list(caught.value.message_dict) == ["region"]
    Consumer(customer_number="C2", region="AR-B").full_clean()
    Consumer(customer_number="C3", region="").full_clean()


@pytest.mark.django_db
def test_customer_numbers_are_unique():
    ConsumerFactory(customer_number="C0000001")

    with pytest.raises(IntegrityError):
        ConsumerFactory(customer_number="C0000001")


@pytest.mark.django_db
def test_the_database_refuses_negative_amounts():
    with pytest.raises(IntegrityError):
        ConsumerOrderFactory(revenue=Decimal("-1.00"))


@pytest.mark.django_db
def test_computed_amounts_are_integer_cents():
    order = ConsumerOrderFactory.build(revenue=Decimal("1250.50"), cost=Decimal("0.07"))

    order.compute_amounts()

    assert (order.revenue_cents, order.cost_cents) == (125050, 7)
