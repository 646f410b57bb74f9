"""Admin for accounts and contacts: the account with its people and its team, searched the way the
application searches (accents and tax id formatting ignored), and limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.core.admin import AuditedModelAdmin, AuditedTabularInline, audited_create
from cartera.coverage.models import AccountTeamMember, TeamRole
from cartera.coverage.services import team_member_remove


class VisibleAccountsAdminMixin:
    """Lists only the accounts (or rows of accounts) the user may see, and lets them change or delete
    only those they may edit: the same visible_to / editable_by as every other read and write."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).visible_to(request.user)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return bool(allowed) and (obj is None or self._editable(request, obj))

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        return type(obj)._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()


class ContactInline(AuditedTabularInline):
    model = Contact
    fields = (
        "first_name",
        "last_name",
        "job_title",
        "buying_role",
        "email",
        "phone",
        "is_active",
        "expected_version",
    )


class TeamFormSet(forms.BaseInlineFormSet):
    """Refuses to leave an account that had a responsible salesperson without one."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return
        had_one = AccountTeamMember.objects.filter(account=self.instance, role=TeamRole.RESPONSIBLE).exists()
        keeps_one = any(
            form.cleaned_data.get("role") == TeamRole.RESPONSIBLE and not form.cleaned_data.get("DELETE")
            for form in self.forms
            if form.cleaned_data
        )
        if had_one and not keeps_one:
            raise ValidationError(
                _("Every account needs a responsible salesperson: add another before removing this one."),
                code="last_responsible",
            )


class AccountTeamMemberInline(AuditedTabularInline):
    model = AccountTeamMember
    formset = TeamFormSet
    fields = ("user", "role", "product_line")
    autocomplete_fields = ("user", "product_line")


@admin.register(Account)
class AccountAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    list_display = (
        "legal_name",
        "trade_name",
        "tax_id_shown",
        "country",
        "region",
        "status",
        "portfolio",
        "territory",
        "strategic_fit",
    )
    list_filter = ("status", "country", "industry", "size_band", "strategic_fit", "portfolio", "territory")
    list_select_related = ("portfolio", "territory")
    # Declared for autocomplete; the search itself is AccountQuerySet.search (see get_search_results).
    search_fields = ("legal_name", "trade_name", "tax_id")
    autocomplete_fields = ("parent", "portfolio")
    readonly_fields = ("territory", "created_by", "created_at", "updated_at", "version")
    fieldsets = (
        (None, {"fields": ("legal_name", "trade_name", "country", "tax_id", "parent", "status")}),
        (_("Where"), {"fields": ("region", "territory", "city")}),
        (_("Profile"), {"fields": ("industry", "size_band", "language", "currency")}),
        (_("Strategy and coverage"), {"fields": ("strategic_fit", "strategic_fit_note", "portfolio")}),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at", "version", "expected_version")}),
    )
    inlines = (ContactInline, AccountTeamMemberInline)

    @admin.display(description=_("tax id"), ordering="tax_id")
    def tax_id_shown(self, obj: Account) -> str:
        return obj.tax_id_display

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        account = form.instance
        # As account_create does: the portfolio's owner is responsible when nobody else is.
        if account.portfolio_id and not account.team_members.filter(role=TeamRole.RESPONSIBLE).exists():
            audited_create(
                request,
                AccountTeamMember(account=account, user=account.portfolio.owner, role=TeamRole.RESPONSIBLE),
            )

    def delete_related(self, request: HttpRequest, obj: Any) -> None:
        if isinstance(obj, AccountTeamMember):
            team_member_remove(actor=request.user, member=obj)
        else:
            super().delete_related(request, obj)


@admin.register(Contact)
class ContactAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    list_display = ("full_name", "account", "job_title", "buying_role", "email", "phone", "is_active")
    list_filter = ("buying_role", "is_active", "language", "consents_to_email", "consents_to_calls")
    list_select_related = ("account",)
    search_fields = ("first_name", "last_name", "email", "search_key", "account__legal_name")
    autocomplete_fields = ("account",)
    readonly_fields = ("created_at", "updated_at", "version")
