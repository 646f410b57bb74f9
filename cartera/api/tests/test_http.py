"""The API's HTTP conventions: problem+json for every error, ETag / If-Match, capped pages, ordering,
filters shared with the UI, and fields a role may not set."""

from __future__ import annotations

import pytest
from django.test import Client

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.users.models import Role

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == f"urn:cartera:problem:{kind}"
    return body


def test_a_read_carries_the_etag_of_the_version(api_client, world):
    response = api_client(Role.ACCOUNT_EXECUTIVE).get(f"/api/v1/accounts/{world.in_portfolio.pk}")
    assert response.status_code == 200
    assert response["ETag"] == f'W/"account-{world.in_portfolio.pk}-v1"'


def test_an_update_without_if_match_is_428_and_changes_nothing(api_client, world):
    response = api_client(Role.ACCOUNT_EXECUTIVE).patch(
        f"/api/v1/accounts/{world.in_portfolio.pk}", {"city": "Talca"}
    )
    assert_problem(response, 428, "precondition-required")
    assert Account.objects.get(pk=world.in_portfolio.pk).city == "Santiago"


def test_an_update_with_the_current_etag_applies_and_returns_the_next_one(api_client, world):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    etag = client.get(f"/api/v1/accounts/{world.in_portfolio.pk}")["ETag"]
    response = client.patch(
        f"/api/v1/accounts/{world.in_portfolio.pk}", {"city": "Talca"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.json()["city"] == "Talca"
    assert response.json()["version"] == 2
    assert response["ETag"] == f'W/"account-{world.in_portfolio.pk}-v2"'


def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(api_client, world):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    path = f"/api/v1/accounts/{world.in_portfolio.pk}"
    stale = client.get(path)["ETag"]
    assert client.patch(path, {"city": "Talca"}, headers={"If-Match": stale}).status_code == 200
    response = client.patch(path, {"city": "Rancagua"}, headers={"If-Match": stale})
    assert_problem(response, 412, "precondition-failed")
    assert response["ETag"] == f'W/"account-{world.in_portfolio.pk}-v2"'
    assert Account.objects.get(pk=world.in_portfolio.pk).city == "Talca"


def test_contacts_feedback_products_and_commitments_need_if_match_too(api_client, world, records):
    from cartera.commerce.models import Product
    from cartera.relationship.models import Commitment, Feedback

    client = api_client(Role.ADMINISTRATOR)
    contact_id = min(
        records.by_model[
            type(
                next(
                    iter(
                        Account.objects.get(pk=min(records.by_model[Account]["in_portfolio"])).contacts.all()
                    )
                )
            )
        ]["in_portfolio"]
    )
    answers = {
        "contact": client.patch(f"/api/v1/contacts/{contact_id}", {"job_title": "Gerente"}).status_code,
        "product": client.patch(f"/api/v1/products/{Product.objects.get().pk}", {"name": "X"}).status_code,
        "feedback": client.patch(
            f"/api/v1/feedback/{Feedback.objects.first().pk}", {"root_cause": "Atraso"}
        ).status_code,
        "commitment": client.post(
            f"/api/v1/commitments/{Commitment.objects.first().pk}/resolve", {"status": "kept"}
        ).status_code,
    }
    assert answers == {"contact": 428, "product": 428, "feedback": 428, "commitment": 428}


def test_a_page_larger_than_the_maximum_is_refused(api_client, world):
    response = api_client().get("/api/v1/accounts?page_size=201")
    body = assert_problem(response, 422, "validation")
    assert body["errors"] == [
        {
            "field": "query.page_size",
            "message": "Input should be less than or equal to 200",
            "code": "less_than_equal",
        }
    ]


def test_pages_link_to_the_next_and_previous_without_overlapping(api_client, world):
    AccountFactory.create_batch(3)
    client = api_client()
    first = client.get("/api/v1/accounts?page_size=3&ordering=id").json()
    second = client.get(first["next"]).json()
    assert [len(first["items"]), len(second["items"])] == [3, 3]
    assert first["previous"] is None
    assert second["next"] is None
    assert second["previous"] == "/api/v1/accounts?ordering=id&page=1&page_size=3"
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(Account.objects.values_list("pk", flat=True))


def test_ordering_takes_only_whitelisted_fields(api_client, world):
    client = api_client()
    descending = client.get("/api/v1/accounts?ordering=-legal_name").json()["items"]
    assert [item["legal_name"] for item in descending] == [
        "Minera Tamarugal SpA",
        "Ferretería Muñoz Limitada",
        "Constructora Los Álamos S.A.",
    ]
    body = assert_problem(client.get("/api/v1/accounts?ordering=tax_id"), 422, "validation")
    assert [error["field"] for error in body["errors"]] == ["query.ordering"]


def test_the_filters_are_the_uis(api_client, world):
    world.elsewhere.status = "prospect"
    world.elsewhere.save()
    client = api_client()
    by_status = client.get("/api/v1/accounts?status=prospect").json()["items"]
    by_search = client.get("/api/v1/accounts?q=munoz").json()["items"]
    by_portfolio = client.get(f"/api/v1/accounts?portfolio={world.in_portfolio.portfolio_id}").json()["items"]
    assert [item["id"] for item in by_status] == [world.elsewhere.pk]
    assert [item["id"] for item in by_search] == [world.in_portfolio.pk]
    assert [item["id"] for item in by_portfolio] == [world.in_portfolio.pk]
    body = assert_problem(client.get("/api/v1/accounts?status=unknown"), 422, "validation")
    assert [error["field"] for error in body["errors"]] == ["query.status"]


def test_an_executive_may_not_filter_by_a_portfolio_they_cannot_see(api_client, world):
    theirs = world.elsewhere.portfolio_id
    body = assert_problem(
        api_client(Role.ACCOUNT_EXECUTIVE).get(f"/api/v1/accounts?portfolio={theirs}"), 422, "validation"
    )
    assert [error["field"] for error in body["errors"]] == ["query.portfolio"]


def test_a_field_the_role_may_not_set_is_refused_by_name(api_client, world):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    path = f"/api/v1/accounts/{world.in_portfolio.pk}"
    etag = client.get(path)["ETag"]
    response = client.patch(
        path, {"city": "Talca", "portfolio_id": world.elsewhere.portfolio_id}, headers={"If-Match": etag}
    )
    body = assert_problem(response, 403, "forbidden")
    assert body["errors"] == [
        {
            "field": "body.portfolio_id",
            "message": "Your role may not set this field.",
            "code": "forbidden_field",
        }
    ]
    account = Account.objects.get(pk=world.in_portfolio.pk)
    assert (account.city, account.portfolio_id, account.version) == (
        "Santiago",
        world.in_portfolio.portfolio_id,
        1,
    )


def test_a_manager_may_set_the_portfolio(api_client, world):
    client = api_client(Role.SALES_MANAGER)
    path = f"/api/v1/accounts/{world.in_portfolio.pk}"
    response = client.patch(
        path, {"portfolio_id": world.elsewhere.portfolio_id}, headers={"If-Match": client.get(path)["ETag"]}
    )
    assert response.status_code == 200
    assert Account.objects.get(pk=world.in_portfolio.pk).portfolio_id == world.elsewhere.portfolio_id


def test_an_unknown_field_is_refused_by_name(api_client, world):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    path = f"/api/v1/accounts/{world.in_portfolio.pk}"
    response = client.patch(
        path, {"city": "Talca", "version": 9}, headers={"If-Match": client.get(path)["ETag"]}
    )
    body = assert_problem(response, 422, "validation")
    assert body["errors"] == [
        {"field": "body.version", "message": "Extra inputs are not permitted", "code": "extra_forbidden"}
    ]
    assert Account.objects.get(pk=world.in_portfolio.pk).city == "Santiago"


def test_a_read_only_role_may_not_write(api_client, world):
    client = api_client(Role.SUPPORT_AGENT)
    path = f"/api/v1/accounts/{world.in_portfolio.pk}"
    response = client.patch(path, {"city": "Talca"}, headers={"If-Match": client.get(path)["ETag"]})
    assert_problem(response, 403, "forbidden")
    assert Account.objects.get(pk=world.in_portfolio.pk).city == "Santiago"


def test_creating_an_account_returns_201_with_its_etag(api_client, world):
    response = api_client(Role.ACCOUNT_EXECUTIVE).post(
        "/api/v1/accounts", {"legal_name": "Viña del Valle SpA", "tax_id": "77.777.777-7", "region": "CL-VS"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tax_id"], body["region"], body["version"]) == ("777777777", "CL-VS", 1)
    assert response["ETag"] == f'W/"account-{body["id"]}-v1"'


@pytest.mark.parametrize(
    "status,kind",
    [
        (400, "bad-request"),
        (401, "unauthenticated"),
        (404, "not-found"),
        (405, "method-not-allowed"),
        (409, "conflict"),
        (422, "validation"),
    ],
)
def test_every_error_is_a_problem_document(api_client, world, status, kind):
    client = api_client(Role.ADMINISTRATOR)
    if status == 400:
        response = client.client.post(
            "/api/v1/accounts", data="{not json", content_type="application/json", headers=client.headers
        )
    elif status == 401:
        response = Client().get("/api/v1/accounts")
        assert response["WWW-Authenticate"] == 'Bearer realm="cartera"'
    elif status == 404:
        response = client.get("/api/v1/no-such-thing")
    elif status == 405:
        response = client.delete("/api/v1/accounts")
        assert response["Allow"] == "POST, GET" or response["Allow"] == "GET, POST"
    elif status == 409:
        response = client.post(
            "/api/v1/accounts", {"legal_name": "Copia", "tax_id": world.in_portfolio.tax_id}
        )
    else:
        response = client.post("/api/v1/accounts", {"legal_name": "Sin RUT", "tax_id": "12.345.678-0"})
    body = assert_problem(response, status, kind)
    if status == 422:
        assert [error["field"] for error in body["errors"]] == ["tax_id"]


def test_an_unhandled_error_is_a_500_problem_without_the_stack_trace(api_client, world, monkeypatch):
    def explode(*args, **kwargs):  # a bug anywhere below the endpoint
        raise RuntimeError("secret internals")

    monkeypatch.setattr("cartera.accounts.api.read_flat", explode)
    response = api_client().get(f"/api/v1/accounts/{world.in_portfolio.pk}")
    body = assert_problem(response, 500, "server-error")
    assert body == {
        "type": "urn:cartera:problem:server-error",
        "title": "Something went wrong on our side.",
        "status": 500,
        "detail": "Something went wrong on our side.",
    }
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_a_session_write_without_csrf_is_a_403_problem(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.administrator)
    response = client.post("/api/v1/accounts", data={}, content_type="application/json")
    assert_problem(response, 403, "forbidden")


def test_the_docs_page_serves_swagger_from_this_server(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content
    assert b"cdn." not in page.content
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "cartera API"
    assert "/api/v1/orders/bulk" in schema["paths"]


def test_a_list_has_a_query_budget(api_client, records, django_assert_max_num_queries):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/accounts?status=client").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/orders").status_code == 200


def test_flat_reads_give_the_json_the_schemas_give(api_client, records):
    import json

    from ninja.responses import NinjaJSONEncoder

    from cartera.accounts.api import AccountOut
    from cartera.commerce.api import ProductOut
    from cartera.commerce.models import Product
    from cartera.costs.api import ServiceCostOut
    from cartera.costs.models import ServiceCost

    client = api_client()
    for schema, instance, path in [
        (AccountOut, Account.objects.first(), "/api/v1/accounts/{}"),
        (ProductOut, Product.objects.first(), "/api/v1/products/{}"),
        (ServiceCostOut, ServiceCost.objects.first(), "/api/v1/service-costs/{}"),
    ]:
        expected = json.loads(json.dumps(schema.from_orm(instance).model_dump(), cls=NinjaJSONEncoder))
        assert client.get(path.format(instance.pk)).json() == expected
