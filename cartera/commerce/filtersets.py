"""One filter class per list of product lines, products and orders (pages, exports, API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cartera.commerce.models import Channel, Order, Product, ProductLine, PurchaseType
from cartera.core.filtersets import VisibleFilterSet, visible_accounts


def product_lines_visible_to(user: Any) -> QuerySet[ProductLine]:
    """Like the products (ProductQuerySet.visible_to): the catalog is visible to every signed-in staff user."""
    if Product.objects.visible_to(user).query.is_empty():
        return ProductLine.objects.none()
    return ProductLine.objects.all()


class ProductLineFilterSet(VisibleFilterSet):
    """Product lines by code or name."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    class Meta:
        model = ProductLine
        fields = ["q"]

    @classmethod
    def visible(cls, user: Any) -> QuerySet[Any]:
        return product_lines_visible_to(user)

    def filter_search(self, queryset: QuerySet[ProductLine], name: str, value: str) -> QuerySet[ProductLine]:
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProductFilterSet(VisibleFilterSet):
    """Products by SKU or name, product line and whether they are active."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    product_line = django_filters.NumberFilter(label=_("Product line"), field_name="product_line_id")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "product_line", "is_active"]

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value))


class OrderFilterSet(VisibleFilterSet):
    """Orders by account, channel, purchase type and date range."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    purchase_type = django_filters.ChoiceFilter(label=_("Purchase type"), choices=PurchaseType.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = Order
        fields = ["account", "channel", "purchase_type", "date_from", "date_to"]
