"""One filter class per list of product lines, products and orders (pages, exports, API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cartera.accounts.filtersets import by_account_name
from cartera.accounts.models import Account
from cartera.commerce.models import Channel, Order, Product, ProductLine, PurchaseType
from cartera.core.filtersets import VisibleFilterSet, visible_accounts
from cartera.core.sorting import SortKey, Sorts


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
    """Orders by order number or account (accent-insensitive), account, channel, purchase type and dates."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All channels")
    )
    purchase_type = django_filters.ChoiceFilter(
        label=_("Purchase type"), choices=PurchaseType.choices, empty_label=_("All types")
    )
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("date range", "From"), field_name="date", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("date range", "To"), field_name="date", lookup_expr="lte"
    )

    class Meta:
        model = Order
        fields = ["q", "account", "channel", "purchase_type", "date_from", "date_to"]

    def filter_search(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        """The order number, or the name or tax id of its account (accents and capitals ignored)."""
        text = value.strip()
        if not text:
            return queryset
        condition = Q(account__in=Account.objects.search(text).values("pk"))
        if any(character.isdigit() for character in text):
            # Order numbers hold digits; matching text in every order's number reads the whole table,
            # so a search without digits (a name) looks at the accounts only.
            condition |= Q(number__icontains=text)
        return queryset.filter(condition)


ORDER_SORTS = Sorts(
    {
        "number": ["number"],
        "account": SortKey(("account_sort",), by_account_name),
        "date": ["date"],
        # Summed over the lines of every order listed: offered up to Sorts.costly_limit orders.
        "lines": SortKey(("line_count",), lambda qs: qs.annotate(line_count=Count("lines")), costly=True),
        "revenue": SortKey(
            ("revenue_sort",), lambda qs: qs.annotate(revenue_sort=Sum("lines__revenue_cents")), costly=True
        ),
        "margin": SortKey(
            ("margin_sort",),
            lambda qs: qs.annotate(margin_sort=Sum("lines__revenue_cents") - Sum("lines__cogs_cents")),
            costly=True,
        ),
        "purchase_type": ["purchase_type"],
        "channel": ["channel"],
    },
    default="-date",
)
