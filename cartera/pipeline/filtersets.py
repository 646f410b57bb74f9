"""The filter class of opportunities, shared by the board and the API; it starts from what the user sees."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartera.accounts.filtersets import StyledFilterSet
from cartera.commerce.models import ProductLine, PurchaseType
from cartera.core.filtersets import VisibleFilterSet, request_user, visible_accounts
from cartera.core.text import normalize
from cartera.coverage.models import Portfolio
from cartera.pipeline.models import Opportunity, Stage
from cartera.users.models import ROLES_EDITING, User


def _visible_portfolios(request: HttpRequest | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.visible_to(request_user(request))


def _product_lines(request: HttpRequest | None) -> QuerySet[ProductLine]:
    return ProductLine.objects.all()


def _possible_owners(request: HttpRequest | None) -> QuerySet[User]:
    """People who may own a deal: active users of the roles that write."""
    return User.objects.filter(is_active=True, role__in=ROLES_EDITING).order_by(
        "first_name", "last_name", "pk"
    )


class OpportunityFilterSet(VisibleFilterSet, StyledFilterSet):
    """Opportunities by free text (deal or account name), account, stage, owner, portfolio, line and type."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Deal or account")}),
    )
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices, empty_label=_("All stages"))
    owner = django_filters.ModelChoiceFilter(
        label=_("Deal owner"), queryset=_possible_owners, empty_label=_("All owners")
    )
    portfolio = django_filters.ModelChoiceFilter(
        label=_("Portfolio"),
        field_name="account__portfolio",
        queryset=_visible_portfolios,
        empty_label=_("All portfolios"),
    )
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"), queryset=_product_lines, empty_label=_("All product lines")
    )
    purchase_type = django_filters.ChoiceFilter(
        label=_("Purchase type"), choices=PurchaseType.choices, empty_label=_("All purchase types")
    )

    class Meta:
        model = Opportunity
        fields = ["q", "account", "stage", "owner", "portfolio", "product_line", "purchase_type"]

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        key = normalize(value)
        if not key:
            return queryset
        return queryset.filter(Q(name__icontains=value.strip()) | Q(account__search_key__contains=key))
