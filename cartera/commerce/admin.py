"""Admin for the catalog and for orders with their lines. Lines get their stored amounts computed as
the services compute them, and every write refreshes the account's insights after commit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartera.accounts.admin import VisibleAccountsAdminMixin
from cartera.commerce.models import Order, OrderLine, Product, ProductLine
from cartera.commerce.services import product_update
from cartera.core.admin import (
    AuditedModelAdmin,
    AuditedTabularInline,
    ReadOnlyAdminMixin,
    audited_create,
    audited_update,
    changed_values,
    loaded_version,
)
from cartera.insights.tasks import queue_insights_refresh

AMOUNT_FIELDS = ("revenue_cents", "cogs_cents", "gross_cents")


@admin.register(ProductLine)
class ProductLineAdmin(AuditedModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    readonly_fields = ("created_at", "updated_at", "version")


@admin.register(Product)
class ProductAdmin(AuditedModelAdmin):
    list_display = ("sku", "name", "product_line", "list_price", "unit_cost", "is_active")
    list_filter = ("is_active", "product_line")
    list_select_related = ("product_line",)
    search_fields = ("sku", "name")
    autocomplete_fields = ("product_line",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The SKU identifies the product in imports and on order lines: fixed once created.
        return ("created_at", "updated_at", "version", *(("sku",) if obj is not None else ()))

    def update_object(self, request: HttpRequest, obj: Any, form: Any) -> None:
        # Through the service: a new unit cost re-costs the lines that carry no cost of their own.
        changes = changed_values(obj, form)
        if changes:
            saved = product_update(
                actor=request.user,
                product=Product.objects.get(pk=obj.pk),
                expected_version=loaded_version(form) or 0,
                **changes,
            )
            obj.version = saved.version


class OrderLineFormSet(forms.BaseInlineFormSet):
    """An order keeps at least one line, as order_create requires."""

    def clean(self) -> None:
        super().clean()
        # An untouched empty row has no cleaned data; a row marked for deletion does not count.
        if not [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]:
            raise ValidationError(_("An order needs at least one line."), code="no_lines")


class OrderLineInline(AuditedTabularInline):
    model = OrderLine
    formset = OrderLineFormSet
    fields = ("product", "quantity", "unit_price", "unit_cost", "discount_pct", "revenue_shown")
    readonly_fields = ("revenue_shown",)
    autocomplete_fields = ("product",)
    min_num = 1

    @admin.display(description=_("revenue"))
    def revenue_shown(self, obj: OrderLine) -> str:
        return str(obj.revenue) if obj.pk else "—"


@admin.register(Order)
class OrderAdmin(VisibleAccountsAdminMixin, AuditedModelAdmin):
    list_display = ("number", "account", "date", "channel", "purchase_type", "created_by")
    list_filter = ("channel", "purchase_type", "date")
    list_select_related = ("account", "created_by")
    search_fields = ("number", "account__legal_name", "account__trade_name", "account__tax_id")
    autocomplete_fields = ("account",)
    readonly_fields = ("created_by", "created_at", "updated_at", "version")
    date_hierarchy = "date"
    inlines = (OrderLineInline,)

    def create_related(self, request: HttpRequest, obj: Any, form: Any) -> None:
        obj.compute_amounts(obj.product.unit_cost)
        audited_create(request, obj)

    def update_related(self, request: HttpRequest, obj: Any, form: Any) -> None:
        obj.compute_amounts(obj.product.unit_cost)
        audited_update(request, obj, form, **{name: getattr(obj, name) for name in AMOUNT_FIELDS})

    def after_write(self, request: HttpRequest, obj: Any) -> None:
        queue_insights_refresh([obj.account_id])


@admin.register(OrderLine)
class OrderLineAdmin(VisibleAccountsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every line, for searching and filtering; lines are edited on their order."""

    list_display = ("order", "account", "product", "quantity", "unit_price", "discount_pct", "revenue_shown")
    list_filter = ("product__product_line",)
    list_select_related = ("order__account", "product")
    search_fields = ("order__number", "order__account__legal_name", "product__sku", "product__name")

    @admin.display(description=_("account"))
    def account(self, obj: OrderLine) -> Any:
        return obj.order.account

    @admin.display(description=_("revenue"))
    def revenue_shown(self, obj: OrderLine) -> str:
        return str(obj.revenue)
