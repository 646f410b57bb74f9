"""Reads for service costs and marketing spend."""

from __future__ import annotations

from cartera.accounts.querysets import AccountScopedQuerySet


class ServiceCostQuerySet(AccountScopedQuerySet):
    pass


class MarketingSpendQuerySet(AccountScopedQuerySet):
    pass
