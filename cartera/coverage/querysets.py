"""Reads for portfolios, territories and account teams."""

from __future__ import annotations

from typing import Any

from django.db import models

from cartera.accounts.querysets import AccountScopedQuerySet


class PortfolioQuerySet(models.QuerySet):
    def active(self) -> PortfolioQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user: Any) -> PortfolioQuerySet:
        """Everyone who sees all accounts sees every portfolio; an executive sees their own."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all_accounts:
            return self
        return self.filter(owner=user)


class TerritoryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> TerritoryQuerySet:
        """Territories are the company's map: every signed-in staff user sees them."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class AccountTeamMemberQuerySet(AccountScopedQuerySet):
    def responsible(self) -> AccountTeamMemberQuerySet:
        return self.filter(role="responsible")
