"""Fixtures of the API tests: a token per role, and one record of every resource on each world account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from cartera.api.services import api_token_create
from cartera.commerce.tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductLineFactory,
)
from cartera.costs.tests.factories import MarketingSpendFactory, ServiceCostFactory
from cartera.coverage.models import AccountTeamMember, Portfolio
from cartera.coverage.tests.factories import TerritoryFactory
from cartera.insights.services import snapshot_recompute
from cartera.pipeline.tests.factories import OpportunityFactory
from cartera.relationship.tests.factories import (
    CommitmentFactory,
    FeedbackFactory,
    InteractionFactory,
    ReferralFactory,
)
from cartera.users.models import Role

ACCOUNT_KEYS = ("in_portfolio", "on_team", "elsewhere")


class ApiClient:
    """The Django test client with a bearer token on every request."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        # Messages in English, whatever the user's language (the API speaks the user's language).
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.headers = {"Authorization": f"Bearer {key}"}

    def _call(self, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._call("get", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("post", path, data if data is not None else {}, **kwargs)

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("patch", path, data if data is not None else {}, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self._call("delete", path, **kwargs)


@pytest.fixture
def api_client(world):
    """api_client(role) -> a client authenticated with a fresh token of that role's world user."""

    def make(role: str = Role.ADMINISTRATOR) -> ApiClient:
        _token, key = api_token_create(actor=world.user(role), name="tests")
        return ApiClient(key)

    return make


@dataclass
class Records:
    """The pk of every record, keyed by model and by what decides who sees it: an account of the world
    ("in_portfolio", "on_team", "elsewhere"), a portfolio ("mine", "theirs") or "catalog"."""

    by_model: dict[type, dict[str, set[int]]] = field(default_factory=dict)

    def add(self, instance: Any, key: str) -> None:
        self.by_model.setdefault(type(instance), {}).setdefault(key, set()).add(instance.pk)


@pytest.fixture
def records(world) -> Records:
    found = Records()
    line = ProductLineFactory(code="FER", name="Ferretería")
    product = ProductFactory(product_line=line)
    found.add(line, "catalog")
    found.add(product, "catalog")
    found.add(TerritoryFactory(name="Zona Centro"), "catalog")
    for portfolio in Portfolio.objects.all():
        found.add(portfolio, "mine" if portfolio.owner_id == world.executive.pk else "theirs")
    for key in ACCOUNT_KEYS:
        account = getattr(world, key)
        found.add(account, key)
        for contact in account.contacts.all():
            found.add(contact, key)
        for member in AccountTeamMember.objects.filter(account=account):
            found.add(member, key)
        order = OrderFactory(account=account)
        OrderLineFactory(order=order, product=product)
        found.add(order, key)
        for factory in (
            InteractionFactory,
            CommitmentFactory,
            ReferralFactory,
            FeedbackFactory,
            ServiceCostFactory,
            MarketingSpendFactory,
            OpportunityFactory,
        ):
            found.add(factory(account=account), key)
    snapshot_recompute()
    return found
