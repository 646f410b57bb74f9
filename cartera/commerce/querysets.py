"""Reads for products and orders."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from cartera.accounts.querysets import AccountScopedQuerySet


class ProductQuerySet(models.QuerySet):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user: Any) -> ProductQuerySet:
        """The catalog is visible to every signed-in staff user."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class OrderQuerySet(AccountScopedQuerySet):
    def dated_between(self, start: Any, end: Any) -> OrderQuerySet:
        return self.filter(date__gt=start, date__lte=end)

    def with_total(self) -> OrderQuerySet:
        """Each order annotated with `total_cents`: the sum, in the database, of its lines' revenue
        (quantity × unit_price × (1 − discount_pct / 100), stored per line in cents)."""
        return self.annotate(total_cents=Coalesce(Sum("lines__revenue_cents"), Value(0)))


class OrderLineQuerySet(AccountScopedQuerySet):
    account_field = "order__account"
