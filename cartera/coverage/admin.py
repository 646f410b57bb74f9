"""Admin for portfolios, territories and account teams. A portfolio changing owner goes through
portfolio_reassign (history, team swap) and a territory's regions through territory_set_regions
(accounts re-assigned), so the admin keeps the same rules as the application."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartera.accounts.admin import VisibleAccountsAdminMixin
from cartera.core.admin import AuditedModelAdmin, ReadOnlyAdminMixin, VersionedAdminForm, loaded_version
from cartera.core.regions import is_valid_region
from cartera.core.services import model_update
from cartera.coverage.models import (
    AccountTeamMember,
    Portfolio,
    PortfolioReassignment,
    Territory,
    TerritoryRegion,
)
from cartera.coverage.services import portfolio_reassign, team_member_remove, territory_set_regions


class ReassignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PortfolioReassignment
    fields = ("created_at", "from_owner", "to_owner", "changed_by", "reason")
    readonly_fields = fields
    extra = 0
    ordering = ("-created_at",)


@admin.register(Portfolio)
class PortfolioAdmin(AuditedModelAdmin):
    list_display = ("name", "owner", "is_active", "account_count")
    list_filter = ("is_active",)
    search_fields = ("name", "owner__username", "owner__first_name", "owner__last_name")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at", "version")
    inlines = (ReassignmentInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        portfolios = super().get_queryset(request)
        return portfolios.visible_to(request.user).annotate(accounts_total=Count("accounts"))  # type: ignore[attr-defined]

    @admin.display(description=_("accounts"), ordering="accounts_total")
    def account_count(self, obj: Any) -> int:
        return int(obj.accounts_total)

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        # A new owner is a reassignment: kept as history, with the responsible salespeople swapped.
        names = {field.name for field in Portfolio._meta.concrete_fields} - {"owner"}
        data = {name: getattr(obj, name) for name in form.changed_data if name in names}
        version = loaded_version(form) or 0  # the form refuses a missing version before this
        stored = Portfolio.objects.get(pk=obj.pk)
        if data:
            stored = model_update(actor=request.user, instance=stored, data=data, expected_version=version)
            version = stored.version
        if "owner" in form.changed_data:
            stored = portfolio_reassign(
                actor=request.user,
                portfolio=stored,
                new_owner=obj.owner,
                expected_version=version,
                reason=str(_("Changed in the admin")),
            )
        obj.version = stored.version


@admin.register(PortfolioReassignment)
class PortfolioReassignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "portfolio", "from_owner", "to_owner", "changed_by", "reason")
    list_filter = ("portfolio",)
    list_select_related = ("portfolio", "from_owner", "to_owner", "changed_by")
    search_fields = ("portfolio__name", "reason")
    date_hierarchy = "created_at"


class TerritoryAdminForm(VersionedAdminForm):
    regions = forms.CharField(
        label=_("regions"),
        required=False,
        help_text=_("ISO 3166-2 codes separated by commas, for example CL-RM, CL-VS."),
    )

    class Meta:
        model = Territory
        fields = ("name", "parent", "responsible")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["regions"].initial = ", ".join(self.instance.regions.values_list("region", flat=True))

    def clean_regions(self) -> list[str]:
        codes = sorted({code.upper() for code in re.split(r"[,;\s]+", self.cleaned_data["regions"]) if code})
        bad = [code for code in codes if not is_valid_region(code.split("-")[0], code)]
        if bad:
            raise ValidationError(
                _("These are not ISO 3166-2 regions: %(codes)s."),
                code="invalid_region",
                params={"codes": ", ".join(bad)},
            )
        taken = (
            TerritoryRegion.objects.select_related("territory")
            .filter(region__in=codes)
            .exclude(territory_id=self.instance.pk)
            .order_by("region")
            .first()
        )
        if taken is not None:
            raise ValidationError(
                _("Region %(region)s already belongs to territory %(territory)s."),
                code="region_taken",
                params={"region": taken.region, "territory": taken.territory},
            )
        return codes


@admin.register(Territory)
class TerritoryAdmin(AuditedModelAdmin):
    form = TerritoryAdminForm
    list_display = ("name", "parent", "responsible", "region_codes")
    list_select_related = ("parent", "responsible")
    search_fields = ("name", "regions__region")
    autocomplete_fields = ("parent", "responsible")
    fields = ("name", "parent", "responsible", "regions", "expected_version")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def region_codes(self, obj: Territory) -> str:
        return ", ".join(link.region for link in obj.regions.all())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change or "regions" in form.changed_data:
            territory_set_regions(actor=request.user, territory=obj, regions=form.cleaned_data["regions"])


@admin.register(TerritoryRegion)
class TerritoryRegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which territory each region falls in; edited on the territory."""

    list_display = ("region", "region_name", "territory")
    list_filter = ("territory",)
    list_select_related = ("territory",)
    search_fields = ("region", "territory__name")

    @admin.display(description=_("region name"))
    def region_name(self, obj: TerritoryRegion) -> str:
        return str(obj)


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    list_display = ("account", "user", "role", "product_line")
    list_filter = ("role", "product_line")
    list_select_related = ("account", "user", "product_line")
    search_fields = ("account__legal_name", "account__tax_id", "user__username", "user__last_name")
    autocomplete_fields = ("account", "user", "product_line")
    readonly_fields = ("created_at", "updated_at")

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        team_member_remove(actor=request.user, member=obj)
