import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.profiles.models import Consumer, ConsumerOrder, Profile
from cartera.profiles.services import (
    consumer_orders_bulk_create,
    consumers_bulk_create,
    profile_create,
    profile_update,
    profiles_adopt_suggestions,
)
from cartera.profiles.suggest import ProfileSuggestion
from cartera.profiles.tests.factories import ConsumerFactory, ProfileFactory
from cartera.users.models import Role

pytestmark = pytest.mark.django_db

FREQUENT = {"all": [{"field": "orders_12m", "op": ">=", "value": 4}]}


def test_profile_create_stores_the_canonical_rule_and_audits(make_user):
    analyst = make_user(Role.MARKETING_ANALYST)

    profile = profile_create(
        actor=analyst,
        name="  Santiago online ",
        rule={
            "all": [
                {"field": "region", "op": "in", "value": ["cl-rm"]},
                {"field": "spend_12m", "op": ">=", "value": 150000},
            ]
        },
        priority=5,
    )

    profile.refresh_from_db()
    assert profile.name == "Santiago online"
    assert profile.rule == {
        "all": [
            {"field": "region", "op": "in", "value": ["CL-RM"]},
            {"field": "spend_12m", "op": ">=", "value": "150000"},
        ]
    }
    assert (profile.priority, profile.is_active, profile.version) == (5, True, 1)
    record = AuditRecord.objects.get(object_type="profiles.profile")
    assert (record.action, record.actor, record.object_id) == ("create", analyst, str(profile.pk))


def test_profile_create_refuses_an_invalid_rule_and_stores_nothing():
    with pytest.raises(ValidationError) as caught:
        profile_create(
            actor=None, name="Roto", rule={"all": [{"field": "orders_12m", "op": "=", "value": 4}]}
        )

    assert caught.value.message_dict == {
        "rule": ['Condition 1 (orders_12m = 4): "=" does not apply to orders_12m; use <= or >=.']
    }
    assert Profile.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_profile_names_are_unique():
    ProfileFactory(name="Nuevos")

    with pytest.raises(ValidationError) as caught:
        profile_create(actor=None, name="Nuevos", rule=FREQUENT)

    assert list(caught.value.message_dict) == ["name"]
    assert Profile.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ACCOUNT_EXECUTIVE, Role.SPECIALIST, Role.SUPPORT_AGENT])
def test_only_marketing_managers_and_administrators_define_profiles(make_user, role):
    with pytest.raises(PermissionDeniedError):
        profile_create(actor=make_user(role), name="Frecuentes", rule=FREQUENT)

    assert Profile.objects.count() == 0


def test_profile_update_changes_the_rule_bumps_the_version_and_audits_the_change(make_user):
    manager = make_user(Role.SALES_MANAGER)
    profile = profile_create(actor=None, name="Frecuentes", rule=FREQUENT)

    updated = profile_update(
        actor=manager,
        profile=profile,
        expected_version=1,
        rule={"all": [{"field": "orders_12m", "op": ">=", "value": 6}]},
        is_active=False,
    )

    stored = Profile.objects.get(pk=profile.pk)
    assert stored.rule == {"all": [{"field": "orders_12m", "op": ">=", "value": 6}]}
    assert (stored.is_active, stored.version, updated.version) == (False, 2, 2)
    record = AuditRecord.objects.get(action="update")
    assert record.actor == manager
    assert record.changes == {
        "is_active": [True, False],
        "rule": [FREQUENT, {"all": [{"field": "orders_12m", "op": ">=", "value": 6}]}],
    }


def test_profile_update_with_a_stale_version_leaves_the_stored_row_unchanged():
    profile = profile_create(actor=None, name="Frecuentes", rule=FREQUENT)
    first_editor = Profile.objects.get(pk=profile.pk)
    second_editor = Profile.objects.get(pk=profile.pk)
    profile_update(actor=None, profile=first_editor, expected_version=1, description="Compran seguido.")

    with pytest.raises(ConflictError) as caught:
        profile_update(
            actor=None, profile=second_editor, expected_version=1, name="Otro nombre", rule={"all": []}
        )

    assert caught.value.current_version == 2
    stored = Profile.objects.get(pk=profile.pk)
    assert (stored.name, stored.description, stored.rule, stored.version) == (
        "Frecuentes",
        "Compran seguido.",
        FREQUENT,
        2,
    )
    assert AuditRecord.objects.filter(action="update").count() == 1


def test_profile_update_refuses_an_invalid_rule_and_keeps_the_old_one():
    profile = profile_create(actor=None, name="Frecuentes", rule=FREQUENT)

    with pytest.raises(ValidationError):
        profile_update(actor=None, profile=profile, expected_version=1, rule={"all": [{"field": "x"}]})

    stored = Profile.objects.get(pk=profile.pk)
    assert (stored.rule, stored.version) == (FREQUENT, 1)


def test_profile_update_takes_only_editable_fields():
    profile = profile_create(actor=None, name="Frecuentes", rule=FREQUENT)

    with pytest.raises(ValueError, match="version"):
        profile_update(actor=None, profile=profile, expected_version=1, version=9)


def test_consumers_bulk_create_validates_upper_cases_regions_and_writes_one_audit_record():
    consumers = [Consumer(customer_number=f"C{n}", region="cl-rm", channel="online") for n in range(3)]

    written = consumers_bulk_create(actor=None, consumers=consumers, source="import consumidores.csv")

    assert written == 3
    assert sorted(Consumer.objects.values_list("customer_number", "region")) == [
        ("C0", "CL-RM"),
        ("C1", "CL-RM"),
        ("C2", "CL-RM"),
    ]
    record = AuditRecord.objects.get()
    assert (record.action, record.object_type, record.object_repr, record.changes) == (
        "bulk_create",
        "profiles.consumer",
        "import consumidores.csv",
        {"consumers": 3},
    )


def test_consumers_bulk_create_refuses_the_whole_batch_when_one_is_invalid():
    consumers = [
        Consumer(customer_number="C1", region="CL-RM"),
        Consumer(customer_number="C2", channel="fax"),
    ]

    with pytest.raises(ValidationError):
        consumers_bulk_create(actor=None, consumers=consumers, source="import")

    assert Consumer.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_consumer_orders_bulk_create_stores_cents_and_writes_one_audit_record():
    consumer = ConsumerFactory()
    orders = [
        ConsumerOrder(
            consumer=consumer, date=dt.date(2026, 3, 1), revenue=Decimal("1250.50"), cost=Decimal("700")
        ),
        ConsumerOrder(
            consumer=consumer, date=dt.date(2026, 3, 9), revenue=Decimal("99.99"), cost=Decimal("0")
        ),
    ]

    written = consumer_orders_bulk_create(actor=None, orders=orders, source="pos export")

    assert written == 2
    assert sorted(ConsumerOrder.objects.values_list("revenue_cents", "cost_cents")) == [
        (9999, 0),
        (125050, 70000),
    ]
    record = AuditRecord.objects.get()
    assert (record.object_type, record.changes) == ("profiles.consumerorder", {"orders": 2})


def test_consumer_orders_bulk_create_refuses_negative_amounts():
    consumer = ConsumerFactory()
    orders = [
        ConsumerOrder(consumer=consumer, date=dt.date(2026, 3, 1), revenue=Decimal("-5"), cost=Decimal("1"))
    ]

    with pytest.raises(ValidationError):
        consumer_orders_bulk_create(actor=None, orders=orders, source="pos export")

    assert ConsumerOrder.objects.count() == 0


def suggestion(name: str) -> ProfileSuggestion:
    return ProfileSuggestion(
        name=name,
        description=f"{name}: buy every ~3 weeks",
        size=10,
        share=Decimal("0.5"),
        recency_days=12,
        purchases_per_year=Decimal("17.0"),
        spend_per_year=Decimal("1200000"),
        tenure_days=700,
        rule=FREQUENT,
    )


def test_adopted_suggestions_become_inactive_profiles_with_free_names():
    ProfileFactory(name="Frequent buyers")

    adopted = profiles_adopt_suggestions(
        actor=None, suggestions=[suggestion("Frequent buyers"), suggestion("Lapsed buyers")]
    )

    assert [(p.name, p.is_active, p.rule) for p in adopted] == [
        ("Frequent buyers (2)", False, FREQUENT),
        ("Lapsed buyers", False, FREQUENT),
    ]
    assert adopted[0].description == "Frequent buyers: buy every ~3 weeks"
