"""The administrator's screens for the insights: the loyalty-ladder thresholds, service models and
segments (every save goes through the services, so it is validated, version-checked and audited), and
read-only lists of the metrics snapshot and the tier moves."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.core.admin import AuditedModelAdmin, ReadOnlyAdminMixin, VersionedAdminForm, loaded_version
from cartera.core.models import AuditRecord
from cartera.insights.models import AccountInsight, LoyaltyRules, Segment, ServiceModel, TierChange
from cartera.insights.segment_services import (
    SEGMENT_FIELDS,
    SERVICE_MODEL_FIELDS,
    segment_check,
    segment_create,
    segment_delete,
    segment_update,
    service_model_check,
    service_model_create,
    service_model_delete,
    service_model_update,
)
from cartera.insights.services import loyalty_rules_update

LOYALTY_RULES_FIELDS = ("window_days", "frequent_min_orders", "loyal_min_tenure_days", "loyal_referral_days")


def _created(obj: Any, saved: Any) -> None:
    """The admin goes on with its own instance (messages, log, redirect): give it the saved identity."""
    obj.pk, obj.version = saved.pk, saved.version


class PrettyJSONField(forms.JSONField):
    """A JSON field shown indented, so a rule reads as its structure."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class LoyaltyRulesForm(VersionedAdminForm):
    class Meta:
        model = LoyaltyRules
        fields = LOYALTY_RULES_FIELDS


@admin.register(LoyaltyRules)
class LoyaltyRulesAdmin(AuditedModelAdmin):
    """The single row of ladder thresholds; edits are audited and take effect at the next recomputation."""

    form = LoyaltyRulesForm
    fields = (*LOYALTY_RULES_FIELDS, "expected_version", "recent_changes")
    readonly_fields = ("recent_changes",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not LoyaltyRules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        stored = LoyaltyRules.objects.order_by("pk").first()
        if stored is not None:
            return HttpResponseRedirect(reverse("admin:insights_loyaltyrules_change", args=[stored.pk]))
        return HttpResponseRedirect(reverse("admin:insights_loyaltyrules_add"))

    @admin.display(description=_("recent changes"))
    def recent_changes(self, obj: LoyaltyRules | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        records = AuditRecord.objects.filter(object_type="insights.loyaltyrules", object_id=str(obj.pk))[:10]
        return (
            format_html_join(
                "\n",
                "<div>{} · {} · {}</div>",
                (
                    (f"{record.created_at:%Y-%m-%d %H:%M}", record.actor or "—", json.dumps(record.changes))
                    for record in records
                ),
            )
            or "—"
        )

    def create_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        # The first save creates the row at its defaults (version 1), then applies the form.
        _created(obj, self._save(request, form, expected_version=1))

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        _created(obj, self._save(request, form, expected_version=loaded_version(form) or 0))

    def _save(self, request: HttpRequest, form: Any, *, expected_version: int) -> LoyaltyRules:
        return loyalty_rules_update(
            actor=request.user,
            expected_version=expected_version,
            **{name: form.cleaned_data[name] for name in LOYALTY_RULES_FIELDS},
        )


class ServiceModelForm(VersionedAdminForm):
    class Meta:
        model = ServiceModel
        fields = sorted(SERVICE_MODEL_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            service_model_check(ServiceModel(**{name: cleaned.get(name) for name in SERVICE_MODEL_FIELDS}))
        return cleaned


@admin.register(ServiceModel)
class ServiceModelAdmin(AuditedModelAdmin):
    """What each segment gets: coverage, contact limit, case SLA, review cadence."""

    form = ServiceModelForm
    list_display = (
        "name",
        "coverage",
        "max_days_without_contact",
        "first_response_hours",
        "resolution_hours",
        "review_cadence_days",
    )
    fields = (
        "name",
        "coverage",
        "max_days_without_contact",
        "first_response_hours",
        "resolution_hours",
        "review_cadence_days",
        "expected_version",
    )

    def create_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        _created(obj, service_model_create(actor=request.user, **_values(form, SERVICE_MODEL_FIELDS)))

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        service_model_update(
            actor=request.user,
            service_model=obj,
            expected_version=loaded_version(form) or 0,
            **_values(form, SERVICE_MODEL_FIELDS, changed_only=True),
        )

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        service_model_delete(actor=request.user, service_model=obj)


def _values(form: Any, names: frozenset[str], *, changed_only: bool = False) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if not changed_only or name in form.changed_data}


class SegmentForm(VersionedAdminForm):
    rule = PrettyJSONField(
        label=_("rule"),
        required=False,
        help_text=_(
            'A JSON rule, for example {"all": [{"field": "profit_class", "op": "=", "value": "A"}, '
            '{"any": [{"field": "strategic_fit", "op": ">=", "value": 4}, '
            '{"field": "tier", "op": "in", "value": ["frequent", "loyal"]}]}]}. Empty for the default '
            "segment."
        ),
    )

    class Meta:
        model = Segment
        fields = sorted(SEGMENT_FIELDS)

    def clean_rule(self) -> Any:
        rule = self.cleaned_data.get("rule")
        return {"all": []} if rule in (None, "", {}) else rule

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            segment_check(
                Segment(pk=self.instance.pk, **{name: cleaned.get(name) for name in SEGMENT_FIELDS})
            )
        return cleaned


@admin.register(Segment)
class SegmentAdmin(AuditedModelAdmin):
    """Named rules, evaluated by priority; each account gets the first that matches, else the default."""

    form = SegmentForm
    list_display = ("name", "priority", "is_default", "service_model", "accounts")
    list_select_related = ("service_model",)
    ordering = ("priority", "id")
    fields = ("name", "description", "priority", "is_default", "service_model", "rule", "expected_version")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        counted = (
            AccountInsight.objects.filter(segment=OuterRef("pk"))
            .order_by()
            .values("segment")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return super().get_queryset(request).annotate(account_count=Coalesce(Subquery(counted), 0))

    @admin.display(description=_("accounts"), ordering="account_count")
    def accounts(self, obj: Any) -> int:
        return int(obj.account_count)

    def create_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        _created(obj, segment_create(actor=request.user, **_values(form, SEGMENT_FIELDS)))

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        segment_update(
            actor=request.user,
            segment=obj,
            expected_version=loaded_version(form) or 0,
            **_values(form, SEGMENT_FIELDS, changed_only=True),
        )

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        segment_delete(actor=request.user, segment=obj)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Computed rows: shown, never edited by hand; only those of the accounts the user may see."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(account__in=Account.objects.visible_to(request.user).values("pk"))
        )


@admin.register(AccountInsight)
class AccountInsightAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "as_of",
        "tier",
        "profit_class",
        "segment",
        "churn_risk",
        "is_disconnected",
        "days_overdue",
    )
    list_filter = ("tier", "profit_class", "segment", "is_disconnected")
    list_select_related = ("account", "segment")
    search_fields = ("account__legal_name", "account__trade_name", "account__tax_id")
    ordering = ("-churn_risk", "account_id")


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("account", "date", "from_tier", "to_tier")
    list_filter = ("to_tier", "from_tier")
    list_select_related = ("account",)
    search_fields = ("account__legal_name", "account__tax_id")
    date_hierarchy = "date"
