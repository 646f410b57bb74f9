"""Every read endpoint, for every role: exactly the records the role may see come back, and the others
are 404. The routes are read from the API itself, so a new endpoint cannot escape this test."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cartera.accounts.models import Account
from cartera.api.main import api
from cartera.coverage.models import Portfolio
from cartera.users.models import Role

ALL_ACCOUNTS = {"in_portfolio", "on_team", "elsewhere"}
# What each role sees, as the keys of conftest.Records: the world's accounts, portfolios and the catalog.
VISIBLE = {
    Role.ADMINISTRATOR: ALL_ACCOUNTS | {"mine", "theirs", "catalog"},
    Role.SALES_MANAGER: ALL_ACCOUNTS | {"mine", "theirs", "catalog"},
    Role.SUPPORT_AGENT: ALL_ACCOUNTS | {"mine", "theirs", "catalog"},
    Role.MARKETING_ANALYST: ALL_ACCOUNTS | {"mine", "theirs", "catalog"},
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team", "mine", "catalog"},
    Role.SPECIALIST: {"on_team", "catalog"},
}
ROLES = list(VISIBLE)


def read_operations() -> list[tuple[str, Any]]:
    """(path, view function) of every GET operation registered on the API."""
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if "GET" in operation.methods:
                    found.append(("/api/v1" + prefix + path, operation.view_func))
    return found


OPERATIONS = read_operations()
LISTS = [(path, view) for path, view in OPERATIONS if "{" not in path]
DETAILS = [(path, view) for path, view in OPERATIONS if "{" in path]


def test_the_api_has_the_read_endpoints_of_every_resource():
    models = {view._cartera_resource.__name__ for _path, view in OPERATIONS}
    assert len(LISTS) == 15
    assert len(DETAILS) == 17
    assert models == {
        "Account", "Contact", "Portfolio", "Territory", "AccountTeamMember", "ProductLine", "Product", "Order",
        "Interaction", "Commitment", "Referral", "Feedback", "ServiceCost", "MarketingSpend", "Opportunity",
    }  # fmt: skip


@pytest.mark.parametrize("path,view", OPERATIONS, ids=[path for path, _view in OPERATIONS])
def test_every_read_endpoint_declares_the_resource_it_returns(path, view):
    assert isinstance(getattr(view, "_cartera_resource", None), type)


def _expected(records, model: type, role: str) -> set[int]:
    keys = records.by_model[model]
    return {pk for key, pks in keys.items() if key in VISIBLE[role] for pk in pks}


@pytest.mark.parametrize("path,view", LISTS, ids=[path for path, _view in LISTS])
def test_a_list_returns_exactly_what_each_role_may_see(api_client, records, path, view):
    returned = {}
    for role in ROLES:
        response = api_client(role).get(f"{path}?page_size=200")
        assert response.status_code == 200
        returned[role] = {item["id"] for item in response.json()["items"]}
    assert returned == {role: _expected(records, view._cartera_resource, role) for role in ROLES}


@pytest.mark.parametrize("path,view", DETAILS, ids=[path for path, _view in DETAILS])
def test_a_detail_is_found_when_visible_and_404_otherwise(api_client, records, path, view):
    model = view._cartera_resource
    every = {pk for pks in records.by_model[model].values() for pk in pks}
    answers: dict[str, dict[int, int]] = {}
    for role in ROLES:
        client = api_client(role)
        answers[role] = {}
        for pk in every:
            response = client.get(re.sub(r"\{[^}]+\}", str(pk), path))
            answers[role][pk] = response.status_code
            if response.status_code == 404:
                assert response["Content-Type"] == "application/problem+json"
    assert answers == {
        role: {pk: 200 if pk in _expected(records, model, role) else 404 for pk in every} for role in ROLES
    }


def test_the_world_has_something_each_role_may_not_see(records):
    # Guards the matrix itself: without hidden records, the 404 half would prove nothing.
    assert records.by_model[Account]["elsewhere"] and records.by_model[Portfolio]["theirs"]
