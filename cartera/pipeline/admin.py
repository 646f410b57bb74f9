"""Admin for opportunities and the contacts on them, limited to the accounts the user may see; every
write is validated, version-checked and audited."""

from __future__ import annotations

from django.contrib import admin

from cartera.accounts.admin import VisibleAccountsAdminMixin
from cartera.core.admin import AuditedModelAdmin, AuditedTabularInline
from cartera.pipeline.models import Opportunity, OpportunityContact


class OpportunityContactInline(AuditedTabularInline):
    model = OpportunityContact
    fields = ("contact", "role")
    autocomplete_fields = ("contact",)
    extra = 0


@admin.register(Opportunity)
class OpportunityAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    list_display = (
        "name",
        "account",
        "stage",
        "amount_cents",
        "currency",
        "probability",
        "expected_close_date",
        "owner",
    )
    list_filter = ("stage", "purchase_type", "product_line")
    list_select_related = ("account", "owner", "product_line")
    search_fields = ("name", "account__legal_name", "account__tax_id")
    autocomplete_fields = ("account", "owner")
    readonly_fields = ("created_at", "updated_at", "version", "created_by")
    date_hierarchy = "expected_close_date"
    inlines = [OpportunityContactInline]
