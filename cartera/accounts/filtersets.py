"""One filter class per list of accounts and contacts, shared by the pages, the exports and the API.

Each filter set starts from what the request's user may see (`visible_to`), so no caller can forget it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, AccountStatus, BuyingRole, Contact, Industry
from cartera.core.regions import region_name
from cartera.core.sorting import SortKey, Sorts
from cartera.coverage.models import Portfolio, Territory
from cartera.insights.models import LoyaltyTier, ProfitClass, Segment


def _user(request: HttpRequest | None) -> Any:
    return getattr(request, "user", None)


def _visible_portfolios(request: HttpRequest | None) -> QuerySet[Portfolio]:
    return Portfolio.objects.visible_to(_user(request))


def _visible_territories(request: HttpRequest | None) -> QuerySet[Territory]:
    return Territory.objects.visible_to(_user(request))


def _visible_accounts(request: HttpRequest | None) -> QuerySet[Account]:
    return Account.objects.visible_to(_user(request)).only("pk", "legal_name", "trade_name")


def _segments(request: HttpRequest | None) -> QuerySet[Segment]:
    return Segment.objects.order_by("priority", "pk")


# How far back "moved" looks when no date is given, and the moved_from value for a first classification.
MOVED_SINCE_DAYS = 90
NEW_TIER = "new"
MOVED_FROM_CHOICES = [(NEW_TIER, _("No tier (new)")), *LoyaltyTier.choices]
MOVED_FIELDS = ("moved_since", "moved_from", "moved_to")


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
    """Filters for lists of accounts: region, territory, portfolio, status, industry, free text, and
    the insights: loyalty tier, segment, profit class, contact alert and tier moves since a date."""

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
    # What the insights say about the account: the dashboard's charts link here with these.
    tier = django_filters.ChoiceFilter(
        label=_("Loyalty tier"),
        field_name="insight__tier",
        choices=LoyaltyTier.choices,
        empty_label=_("All tiers"),
    )
    segment = django_filters.ModelChoiceFilter(
        label=_("Segment"), field_name="insight__segment", queryset=_segments, empty_label=_("All segments")
    )
    profit_class = django_filters.ChoiceFilter(
        label=_("Profit class"),
        field_name="insight__profit_class",
        choices=ProfitClass.choices,
        empty_label=_("All classes"),
    )
    disconnected = django_filters.BooleanFilter(
        label=_("Contact alert"),
        field_name="insight__is_disconnected",
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("Disconnected")), ("false", _("In contact"))]
        ),
    )
    # Tier moves since a date (the dashboard's flow chart): accounts on `moved_to` now that were on
    # `moved_from` on that date (90 days ago unless given).
    moved_since = django_filters.DateFilter(
        label=_("Moved since"), method="filter_moves", widget=forms.DateInput(attrs={"type": "date"})
    )
    moved_from = django_filters.ChoiceFilter(
        label=_("Moved from"), method="filter_moves", choices=MOVED_FROM_CHOICES, empty_label=_("Any tier")
    )
    moved_to = django_filters.ChoiceFilter(
        label=_("Moved to"), method="filter_moves", choices=LoyaltyTier.choices, empty_label=_("Any tier")
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

    def filter_moves(self, queryset: QuerySet[Account], name: str, value: Any) -> QuerySet[Account]:
        # The three moved_* fields make one filter, applied by the first of them that is set.
        data = self.form.cleaned_data
        if name != next(field for field in MOVED_FIELDS if data.get(field)):
            return queryset
        from cartera.insights.selectors import accounts_moved_since

        today = timezone.localdate()
        since = data.get("moved_since") or today - dt.timedelta(days=MOVED_SINCE_DAYS)
        moved = accounts_moved_since(since, today)
        if data.get("moved_from"):
            moved = moved.filter(tier_before="" if data["moved_from"] == NEW_TIER else data["moved_from"])
        if data.get("moved_to"):
            moved = moved.filter(tier_after=data["moved_to"])
        return queryset.filter(pk__in=moved.values("pk"))


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


def account_name_sort_key(prefix: str = "account__") -> Any:
    """What lists show as an account's name (its trade name, else its legal name), for sorting by it."""
    return Lower(Coalesce(NullIf(F(f"{prefix}trade_name"), Value("")), F(f"{prefix}legal_name")))


def by_account_name(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` annotated with `account_sort`, the account's name as lists show it."""
    return queryset.annotate(account_sort=account_name_sort_key())


CONTACT_SORTS = Sorts(
    {
        "name": ["last_name", "first_name"],
        "job_title": ["job_title"],
        "buying_role": ["buying_role"],
        "account": SortKey(("account_sort", "last_name", "first_name"), by_account_name),
        "email": ["email"],
    },
    default="name",
)
