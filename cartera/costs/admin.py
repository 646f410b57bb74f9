"""Admin for cost to serve and marketing spend, limited to the accounts the user may see; every write
is audited and refreshes the account's insights after commit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cartera.accounts.admin import VisibleAccountsAdminMixin
from cartera.core.admin import AuditedModelAdmin
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.insights.tasks import queue_insights_refresh


class CostAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    autocomplete_fields = ("account",)
    list_select_related = ("account",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "date"

    def after_write(self, request: HttpRequest, obj: Any) -> None:
        queue_insights_refresh([obj.account_id])


@admin.register(ServiceCost)
class ServiceCostAdmin(CostAdmin):
    list_display = ("date", "account", "kind", "amount", "note")
    list_filter = ("kind", "date")
    search_fields = ("account__legal_name", "account__tax_id", "note")


@admin.register(MarketingSpend)
class MarketingSpendAdmin(CostAdmin):
    list_display = ("date", "account", "campaign", "amount", "note")
    list_filter = ("campaign", "date")
    search_fields = ("account__legal_name", "account__tax_id", "campaign", "note")
