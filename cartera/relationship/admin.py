"""Admin for interactions, commitments, referrals and feedback, limited to the accounts the user may
see; every write is audited and refreshes the account's insights after commit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cartera.accounts.admin import VisibleAccountsAdminMixin
from cartera.core.admin import AuditedModelAdmin, audited_create, audited_update
from cartera.insights.tasks import queue_insights_refresh
from cartera.relationship.models import Commitment, Feedback, Interaction, Referral


class RelationshipAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    """What every relationship record shares: scoped to visible accounts, insights kept in step."""

    def after_write(self, request: HttpRequest, obj: Any) -> None:
        queue_insights_refresh([obj.account_id])


@admin.register(Interaction)
class InteractionAdmin(RelationshipAdmin):
    list_display = ("occurred_at", "account", "kind", "user")
    list_filter = ("kind", "occurred_on")
    list_select_related = ("account", "user")
    search_fields = ("account__legal_name", "account__tax_id", "summary")
    autocomplete_fields = ("account", "user", "contacts")
    readonly_fields = ("occurred_on", "created_at", "updated_at", "version")
    date_hierarchy = "occurred_at"

    # The local calendar date is kept with the moment, as interaction_log keeps it.
    def create_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        obj.occurred_on = timezone.localdate(obj.occurred_at)
        audited_create(request, obj)

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        obj.occurred_on = timezone.localdate(obj.occurred_at)
        audited_update(request, obj, form, occurred_on=obj.occurred_on)


@admin.register(Commitment)
class CommitmentAdmin(RelationshipAdmin):
    list_display = (
        "description",
        "account",
        "promised_by",
        "promised_to",
        "due_date",
        "status",
        "resolved_on",
    )
    list_filter = ("status", "due_date")
    list_select_related = ("account", "promised_by", "promised_to")
    search_fields = ("description", "account__legal_name", "account__tax_id")
    autocomplete_fields = ("account", "promised_by", "promised_to")
    readonly_fields = ("created_at", "updated_at", "version")
    date_hierarchy = "due_date"


@admin.register(Referral)
class ReferralAdmin(RelationshipAdmin):
    list_display = ("date", "account", "kind", "referred_company", "referred_account")
    list_filter = ("kind", "date")
    list_select_related = ("account", "referred_account")
    search_fields = ("account__legal_name", "referred_company", "referred_account__legal_name")
    autocomplete_fields = ("account", "referred_account")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "date"


@admin.register(Feedback)
class FeedbackAdmin(RelationshipAdmin):
    list_display = ("date", "account", "kind", "survey_type", "score", "category", "status")
    list_filter = ("kind", "status", "survey_type", "category")
    list_select_related = ("account",)
    search_fields = ("account__legal_name", "category", "description", "root_cause")
    autocomplete_fields = ("account", "contact")
    readonly_fields = ("created_at", "updated_at", "version")
    date_hierarchy = "date"
