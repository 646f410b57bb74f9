"""One filter class per list of portfolios, territories and account-team members (pages, exports, API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cartera.core.filtersets import VisibleFilterSet, visible_accounts
from cartera.coverage.models import AccountTeamMember, Portfolio, TeamRole, Territory


class PortfolioFilterSet(VisibleFilterSet):
    """Portfolios by name, owner and whether they are active."""

    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    owner = django_filters.NumberFilter(label=_("Owner"), field_name="owner_id")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Portfolio
        fields = ["q", "owner", "is_active"]


class TerritoryFilterSet(VisibleFilterSet):
    """Territories by name, parent and responsible salesperson."""

    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    parent = django_filters.NumberFilter(label=_("Parent territory"), field_name="parent_id")
    responsible = django_filters.NumberFilter(label=_("Responsible"), field_name="responsible_id")

    class Meta:
        model = Territory
        fields = ["q", "parent", "responsible"]


class AccountTeamMemberFilterSet(VisibleFilterSet):
    """Team members by account, user and role."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    user = django_filters.NumberFilter(label=_("User"), field_name="user_id")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=TeamRole.choices)

    class Meta:
        model = AccountTeamMember
        fields = ["account", "user", "role"]
