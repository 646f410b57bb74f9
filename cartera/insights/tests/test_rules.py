"""The loyalty-ladder thresholds are the administrator's to edit: audited, version-checked, applied at the
next recomputation; and the admin screens for them, service models and segments save through the
services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cartera.accounts.tests.factories import AccountFactory
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord
from cartera.insights.models import AccountInsight, LoyaltyRules, Segment, ServiceModel, TierChange
from cartera.insights.segment_services import segment_create, service_model_create
from cartera.insights.services import current_rules, insights_recompute_all, loyalty_rules_update
from cartera.insights.sql import Rules
from cartera.insights.tests.builders import D, buy, days_before
from cartera.users.models import Role
from cartera.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rules_row() -> tuple[int, int, int, int, int]:
    stored = LoyaltyRules.objects.get()
    return (
        stored.window_days,
        stored.frequent_min_orders,
        stored.loyal_min_tenure_days,
        stored.loyal_referral_days,
        stored.version,
    )


def test_editing_the_thresholds_is_audited_with_the_actor_and_what_changed(make_user):
    admin = make_user(Role.ADMINISTRATOR)

    rules = loyalty_rules_update(actor=admin, expected_version=1, frequent_min_orders=3)

    assert (rules.frequent_min_orders, rules.version) == (3, 2)
    record = AuditRecord.objects.get(object_type="insights.loyaltyrules")
    assert (record.action, record.actor, record.changes) == ("update", admin, {"frequent_min_orders": [4, 3]})
    assert current_rules().frequent_min_orders == 3


def test_a_stale_version_is_refused_and_nothing_changes(make_user):
    admin = make_user(Role.ADMINISTRATOR)
    loyalty_rules_update(actor=admin, expected_version=1, window_days=300)
    audits = AuditRecord.objects.count()

    with pytest.raises(ConflictError):
        loyalty_rules_update(actor=admin, expected_version=1, frequent_min_orders=3)

    assert rules_row() == (300, 4, 730, 730, 2)
    assert AuditRecord.objects.count() == audits


def test_an_invalid_threshold_or_an_unknown_field_is_refused_and_nothing_changes():
    with pytest.raises(ValidationError) as refused:
        loyalty_rules_update(actor=None, expected_version=1, frequent_min_orders=1)
    with pytest.raises(ValueError):
        loyalty_rules_update(actor=None, expected_version=1, buyer_min_orders=2)

    assert refused.value.message_dict == {
        "frequent_min_orders": ["Ensure this value is greater than or equal to 2."]
    }
    assert current_rules() == Rules()
    assert (LoyaltyRules.objects.count(), AuditRecord.objects.count()) == (0, 0)


def test_a_recomputation_after_the_edit_applies_the_new_thresholds_and_records_the_move():
    account = AccountFactory()
    for days in (90, 60, 30):
        buy(account, days_before(days))
    insights_recompute_all(as_of=D, full=True)
    assert AccountInsight.objects.get(account=account).tier == "sporadic"  # 3 orders, fewer than 4

    loyalty_rules_update(actor=None, expected_version=1, frequent_min_orders=3)
    insights_recompute_all(as_of=D)

    assert AccountInsight.objects.get(account=account).tier == "frequent"
    assert list(TierChange.objects.values_list("account_id", "date", "from_tier", "to_tier")) == [
        (account.pk, D, "sporadic", "frequent")
    ]


def test_a_shorter_window_is_applied_to_the_metrics_and_the_ladder():
    account = AccountFactory()
    for days in (200, 100, 50, 20):
        buy(account, days_before(days))
    loyalty_rules_update(actor=None, expected_version=1, window_days=180)

    insights_recompute_all(as_of=D, full=True)

    insight = AccountInsight.objects.get(account=account)
    assert (insight.orders_12m, insight.tier) == (3, "sporadic")


# The admin screens


@pytest.fixture
def admin_client(client):
    user = UserFactory(
        username="raiz", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, language="en"
    )
    client.force_login(user)
    client.user = user
    return client


def test_the_admin_edits_the_thresholds_through_the_service(admin_client):
    LoyaltyRules.objects.create(pk=1)
    url = reverse("admin:insights_loyaltyrules_change", args=[1])
    form = {
        "window_days": 365,
        "frequent_min_orders": 3,
        "loyal_min_tenure_days": 730,
        "loyal_referral_days": 730,
        "expected_version": 1,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert rules_row() == (365, 3, 730, 730, 2)
    record = AuditRecord.objects.get(object_type="insights.loyaltyrules")
    assert (record.actor, record.changes) == (admin_client.user, {"frequent_min_orders": [4, 3]})
    assert admin_client.get(reverse("admin:insights_loyaltyrules_changelist")).url == url


def test_the_admin_refuses_a_stale_form_and_changes_nothing(admin_client):
    LoyaltyRules.objects.create(pk=1)
    loyalty_rules_update(actor=None, expected_version=1, window_days=300)
    url = reverse("admin:insights_loyaltyrules_change", args=[1])
    form = {
        "window_days": 365,
        "frequent_min_orders": 3,
        "loyal_min_tenure_days": 730,
        "loyal_referral_days": 730,
        "expected_version": 1,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it." in response.content.decode()
    assert rules_row() == (300, 4, 730, 730, 2)


def test_the_admin_creates_a_segment_with_a_validated_json_rule(admin_client):
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    url = reverse("admin:insights_segment_add")
    form = {
        "name": "Clase A",
        "description": "",
        "priority": 10,
        "service_model": team.pk,
        "rule": '{"all": [{"field": "profit_class", "op": "=", "value": "Z"}]}',
    }

    refused = admin_client.post(url, form)
    created = admin_client.post(
        url, {**form, "rule": '{"all": [{"field": "profit_class", "op": "=", "value": "A"}]}'}
    )

    assert refused.status_code == 200
    assert "Condition 1: Z is not a valid profit_class." in refused.content.decode()
    assert created.status_code == 302
    segment = Segment.objects.get()
    assert (segment.name, segment.rule, segment.version) == (
        "Clase A",
        {"all": [{"field": "profit_class", "op": "=", "value": "A"}]},
        1,
    )
    assert AuditRecord.objects.get(object_type="insights.segment").actor == admin_client.user


def test_the_admin_refuses_a_second_default_segment_with_a_message(admin_client):
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    segment_create(actor=None, name="Mantener", priority=100, service_model=team, is_default=True)
    form = {"name": "Otro", "priority": 50, "service_model": team.pk, "is_default": "on", "rule": ""}

    response = admin_client.post(reverse("admin:insights_segment_add"), form)

    assert response.status_code == 200
    assert "Mantener is already the default segment: there can be only one." in response.content.decode()
    assert list(Segment.objects.values_list("name", flat=True)) == ["Mantener"]


def test_the_admin_edits_a_service_model_with_its_version_and_checks_the_sla(admin_client):
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    url = reverse("admin:insights_servicemodel_change", args=[team.pk])
    form = {
        "name": "Equipo",
        "coverage": "shared",
        "max_days_without_contact": 45,
        "first_response_hours": 8,
        "resolution_hours": 48,
        "review_cadence_days": 90,
        "expected_version": 1,
    }

    bad_sla = admin_client.post(url, {**form, "resolution_hours": 4})
    saved = admin_client.post(url, form)

    assert "The resolution time cannot be shorter than the first response time." in bad_sla.content.decode()
    assert saved.status_code == 302
    stored = ServiceModel.objects.get()
    assert (stored.max_days_without_contact, stored.resolution_hours, stored.version) == (45, 48, 2)


def test_the_snapshot_admin_lists_only_the_accounts_the_user_may_see(client, world):
    for account in (world.in_portfolio, world.on_team, world.elsewhere):
        AccountInsight.objects.create(account=account, as_of=D, tier="buyer", profit_class="C")
    executive = world.executive
    executive.is_staff = True
    executive.save()
    executive.user_permissions.add(Permission.objects.get(codename="view_accountinsight"))
    client.force_login(executive)

    page = client.get(reverse("admin:insights_accountinsight_changelist")).content.decode()

    shown = {
        account.legal_name
        for account in (world.in_portfolio, world.on_team, world.elsewhere)
        if account.legal_name in page
    }
    assert shown == {world.in_portfolio.legal_name, world.on_team.legal_name}
    assert (
        client.get(reverse("admin:insights_accountinsight_change", args=[world.elsewhere.pk])).status_code
        == 302
    )


def test_every_insights_admin_page_opens(admin_client):
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    rule = {"all": [{"field": "tier", "op": "in", "value": ["frequent", "loyal"]}]}
    segment = segment_create(actor=None, name="Foco", priority=10, service_model=team, rule=rule)
    account = AccountFactory()
    AccountInsight.objects.create(account=account, as_of=D, tier="buyer", profit_class="C", segment=segment)
    TierChange.objects.create(account=account, date=D, from_tier="prospect", to_tier="buyer")
    loyalty_rules_update(actor=admin_client.user, expected_version=1, frequent_min_orders=5)
    pages = [
        reverse("admin:insights_segment_changelist"),
        reverse("admin:insights_segment_add"),
        reverse("admin:insights_segment_change", args=[segment.pk]),
        reverse("admin:insights_servicemodel_changelist"),
        reverse("admin:insights_servicemodel_change", args=[team.pk]),
        reverse("admin:insights_loyaltyrules_change", args=[1]),
        reverse("admin:insights_accountinsight_changelist"),
        reverse("admin:insights_accountinsight_change", args=[account.pk]),
        reverse("admin:insights_tierchange_changelist"),
    ]

    statuses = [admin_client.get(page).status_code for page in pages]

    assert statuses == [200] * len(pages)
    segment_page = admin_client.get(
        reverse("admin:insights_segment_change", args=[segment.pk])
    ).content.decode()
    assert "&quot;field&quot;: &quot;tier&quot;" in segment_page  # the rule, as indented JSON
    assert admin_client.get(reverse("admin:insights_loyaltyrules_add")).status_code == 403  # one row only


def test_before_any_edit_the_admin_opens_the_form_with_the_defaults_and_saving_creates_the_row(admin_client):
    changelist = admin_client.get(reverse("admin:insights_loyaltyrules_changelist"))
    form = {
        "window_days": 365,
        "frequent_min_orders": 5,
        "loyal_min_tenure_days": 730,
        "loyal_referral_days": 730,
    }

    saved = admin_client.post(changelist.url, form)

    assert changelist.url == reverse("admin:insights_loyaltyrules_add")
    assert saved.status_code == 302
    assert rules_row() == (365, 5, 730, 730, 2)
    record = AuditRecord.objects.get(object_type="insights.loyaltyrules")
    assert (record.actor, record.changes) == (admin_client.user, {"frequent_min_orders": [4, 5]})


def test_deleting_a_segment_in_the_admin_goes_through_the_service(
    admin_client, django_capture_on_commit_callbacks
):
    team = service_model_create(
        actor=None,
        name="Equipo",
        coverage="shared",
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    segment = segment_create(actor=None, name="Foco", priority=10, service_model=team)
    account = AccountFactory()
    AccountInsight.objects.create(account=account, as_of=D, tier="buyer", profit_class="C", segment=segment)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            reverse("admin:insights_segment_delete", args=[segment.pk]), {"post": "yes"}
        )

    assert (response.status_code, len(callbacks), Segment.objects.count()) == (302, 1, 0)
    record = AuditRecord.objects.get(object_type="insights.segment", action="delete")
    assert (record.actor, record.object_repr) == (admin_client.user, "Foco")
    assert AccountInsight.objects.get(account=account).segment is None
