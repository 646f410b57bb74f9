"""The base of every list's filter class: it starts from what the request's user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest


def request_user(request: HttpRequest | None) -> Any:
    return getattr(request, "user", None)


def visible_accounts(request: HttpRequest | None) -> QuerySet[Any]:
    """The accounts a filter on `account` offers: those the user may see."""
    from cartera.accounts.models import Account

    return Account.objects.visible_to(request_user(request)).only("pk", "legal_name", "trade_name")


class VisibleFilterSet(django_filters.FilterSet):
    """Filters over `Meta.model.objects.visible_to(request.user)`, so no caller can forget visibility."""

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        visible = self.visible(request_user(request))
        base = visible if queryset is None else queryset.filter(pk__in=visible.values("pk"))
        super().__init__(data, base, request=request, prefix=prefix)

    @classmethod
    def visible(cls, user: Any) -> QuerySet[Any]:
        return cls._meta.model._default_manager.visible_to(user)
