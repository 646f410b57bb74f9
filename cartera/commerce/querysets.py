"""Reads for products and orders."""

from __future__ import annotations

from typing import Any

from django.db import models

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


class OrderLineQuerySet(AccountScopedQuerySet):
    account_field = "order__account"
