"""One filter class per list of accounts and contacts, shared by the pages, the exports and the API.

Each filter set starts from what the request's user may see (`visible_to`), so no caller can forget it.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, AccountStatus, BuyingRole, Contact, Industry
from cartera.core.regions import region_name
from cartera.coverage.models import Portfolio, Territory


def _user(request: HttpRequest | None) -> Any:
    return getattr(request, "user", None)


def _visible_portfolios(request: HttpRequest | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.visible_to(_user(request))


def _visible_territories(request: HttpRequest | None) -> QuerySet[Territory]:
    return Territory.objects.visible_to(_user(request))


def _visible_accounts(request: HttpRequest | None) -> QuerySet[Account]:
    return Account.objects.visible_to(_user(request)).only("pk", "legal_name", "trade_name")


class StyledFilterSet(django_filters.FilterSet):
    """Gives the filter form's widgets Bootstrap's classes."""

    @property
    def form(self) -> forms.Form:
        form = super().form
        for field in form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
        return form


class AccountFilterSet(StyledFilterSet):
    """Filters for lists of accounts: region, territory, portfolio, status, industry and free text."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or tax id")}),
    )
    region = django_filters.ChoiceFilter(label=_("Region"), empty_label=_("All regions"))
    territory = django_filters.ModelChoiceFilter(
        label=_("Territory"), queryset=_visible_territories, empty_label=_("All territories")
    )
    portfolio = django_filters.ModelChoiceFilter(
        label=_("Portfolio"), queryset=_visible_portfolios, empty_label=_("All portfolios")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AccountStatus.choices, empty_label=_("All statuses")
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), choices=Industry.choices, empty_label=_("All industries")
    )

    class Meta:
        model = Account
        fields = ["q", "region", "territory", "portfolio", "status", "industry"]

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Account] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        visible = Account.objects.visible_to(_user(request))
        base = visible if queryset is None else queryset.filter(pk__in=visible.values("pk"))
        super().__init__(data, base, request=request, prefix=prefix)
        # The regions offered are those of the accounts the user sees, in any country.
        codes = visible.exclude(region="").order_by().values_list("region", flat=True).distinct()
        self.filters["region"].extra["choices"] = sorted(
            ((code, region_name(code)) for code in codes), key=lambda item: item[1]
        )

    def filter_search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return queryset.search(value)  # type: ignore[attr-defined]

    @property
    def qs(self) -> QuerySet[Account]:
        return super().qs.select_related("portfolio", "territory")


class ContactFilterSet(StyledFilterSet):
    """Filters for lists of contacts: buying role, account and free text."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}),
    )
    buying_role = django_filters.ChoiceFilter(
        label=_("Buying role"), choices=BuyingRole.choices, empty_label=_("All buying roles")
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Account"), queryset=_visible_accounts, empty_label=_("All accounts")
    )

    class Meta:
        model = Contact
        fields = ["q", "buying_role", "account"]

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Contact] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        visible = Contact.objects.visible_to(_user(request))
        base = visible if queryset is None else queryset.filter(pk__in=visible.values("pk"))
        super().__init__(data, base, request=request, prefix=prefix)

    def filter_search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.search(value)  # type: ignore[attr-defined]

    @property
    def qs(self) -> QuerySet[Contact]:
        return super().qs.select_related("account")
