"""The vocabulary of reads for accounts, contacts and everything that hangs off an account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from cartera.core.text import normalize

if TYPE_CHECKING:
    from cartera.users.models import User


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> AccountQuerySet:
        """The accounts `user` may see: all for managers, administrators, analysts and support;
        an account executive's portfolios and teams; a specialist's teams; nothing for anyone else."""
        from cartera.coverage.models import AccountTeamMember
        from cartera.users.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all_accounts:
            return self
        on_team = AccountTeamMember.objects.filter(user=user).values("account_id")
        if user.role == Role.ACCOUNT_EXECUTIVE:
            return self.filter(Q(portfolio__owner=user) | Q(pk__in=on_team))
        if user.role == Role.SPECIALIST:
            return self.filter(pk__in=on_team)
        return self.none()

    def editable_by(self, user: User | Any) -> AccountQuerySet:
        """The visible accounts that `user` may also change (support agents and analysts read only)."""
        if user is None or not user.is_authenticated or user.is_read_only:
            return self.none()
        return self.visible_to(user)

    def search(self, text: str) -> AccountQuerySet:
        """Accent- and case-insensitive search over names, trade names and tax ids."""
        key = normalize(text)
        if not key:
            return self
        compact = "".join(ch for ch in key if ch.isalnum())
        condition = Q(search_key__contains=key)
        if compact and compact != key:
            condition |= Q(tax_id__icontains=compact)
        return self.filter(condition)


def _sees_every_account(user: User | Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "sees_all_accounts", False)
    )


_ALWAYS_HAS_ACCOUNT: dict[tuple[type[models.Model], str], bool] = {}


def _always_has_account(model: type[models.Model], account_field: str) -> bool:
    """Whether every row of `model` reaches an account through `account_field` (no nullable link)."""
    key = (model, account_field)
    if key not in _ALWAYS_HAS_ACCOUNT:
        current: Any = model
        always = True
        for name in account_field.split("__"):
            field = current._meta.get_field(name)
            if getattr(field, "null", True) or field.related_model is None:
                always = False
                break
            current = field.related_model
        _ALWAYS_HAS_ACCOUNT[key] = always
    return _ALWAYS_HAS_ACCOUNT[key]


class AccountScopedQuerySet(models.QuerySet):
    """Base for every model that hangs off an account: it is visible when its account is."""

    account_field = "account"

    def visible_to(self, user: User | Any) -> AccountScopedQuerySet:
        from cartera.accounts.models import Account

        if _sees_every_account(user) and _always_has_account(self.model, self.account_field):
            # Every row hangs off an existing account and the user sees them all: "account in (every
            # account)" would select the same rows, but it leads the database to walk the accounts first
            # and sort afterwards, where a list wants its own index (newest first, 50 rows).
            return self
        return self.filter(**{f"{self.account_field}__in": Account.objects.visible_to(user).values("pk")})

    def editable_by(self, user: User | Any) -> AccountScopedQuerySet:
        from cartera.accounts.models import Account

        return self.filter(**{f"{self.account_field}__in": Account.objects.editable_by(user).values("pk")})

    def for_account(self, account: Any) -> AccountScopedQuerySet:
        return self.filter(**{self.account_field: account})


class ContactQuerySet(AccountScopedQuerySet):
    def active(self) -> ContactQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> ContactQuerySet:
        key = normalize(text)
        return self.filter(search_key__contains=key) if key else self
