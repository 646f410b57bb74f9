"""One filter class per list of service costs and marketing spend (pages, exports, API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cartera.core.filtersets import VisibleFilterSet, visible_accounts
from cartera.costs.models import MarketingSpend, ServiceCost, ServiceCostKind


class ServiceCostFilterSet(VisibleFilterSet):
    """Service costs by account, kind and date range."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceCostKind.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = ServiceCost
        fields = ["account", "kind", "date_from", "date_to"]


class MarketingSpendFilterSet(VisibleFilterSet):
    """Marketing spend by account, campaign and date range."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    campaign = django_filters.CharFilter(label=_("Campaign"), lookup_expr="icontains")
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = MarketingSpend
        fields = ["account", "campaign", "date_from", "date_to"]
