"""The opportunities resource of the REST API: open, read, change with If-Match, move and close."""

from __future__ import annotations

import pytest

from cartera.pipeline.models import Opportunity, OpportunityContact, Stage
from cartera.pipeline.tests.factories import OpportunityFactory
from cartera.users.models import Role

pytestmark = pytest.mark.django_db


def new_deal(world, **overrides):
    return {
        "account_id": world.in_portfolio.pk,
        "name": "Licitación 2026",
        "amount": "1500000.00",
        "expected_close_date": "2026-09-30",
        **overrides,
    }


def test_an_executive_opens_a_deal_with_its_buying_center(api_client, world):
    contact = world.in_portfolio.contacts.get()
    response = api_client(Role.ACCOUNT_EXECUTIVE).post(
        "/api/v1/opportunities",
        new_deal(world, stage="proposal", contacts=[{"contact_id": contact.pk, "role": "economic_buyer"}]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    deal = Opportunity.objects.get()
    assert response["ETag"] == f'W/"opportunity-{deal.pk}-v1"'
    assert (body["stage"], body["amount"], body["probability"], body["purchase_type"], body["owner_id"]) == (
        "proposal",
        "1500000.00",
        50,
        "new_buy",
        world.executive.pk,
    )
    assert body["contacts"] == [{"contact_id": contact.pk, "role": "economic_buyer"}]
    assert deal.amount_cents == 1_500_000_00


def test_a_deal_on_a_hidden_account_or_with_a_contact_of_another_account_is_422(api_client, world):
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    hidden = client.post("/api/v1/opportunities", new_deal(world, account_id=world.elsewhere.pk))
    assert hidden.status_code == 422
    stranger = world.on_team.contacts.get()
    wrong = client.post(
        "/api/v1/opportunities", new_deal(world, contacts=[{"contact_id": stranger.pk, "role": "user"}])
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "body.contacts.0.contact_id"
    assert Opportunity.objects.count() == 0


def test_only_managers_choose_the_owner_and_read_only_roles_cannot_open_deals(api_client, world):
    refused = api_client(Role.ACCOUNT_EXECUTIVE).post(
        "/api/v1/opportunities", new_deal(world, owner_id=world.other_executive.pk)
    )
    assert refused.status_code == 403
    assert api_client(Role.SUPPORT_AGENT).post("/api/v1/opportunities", new_deal(world)).status_code == 403
    chosen = api_client(Role.SALES_MANAGER).post(
        "/api/v1/opportunities", new_deal(world, owner_id=world.executive.pk)
    )
    assert chosen.status_code == 201 and chosen.json()["owner_id"] == world.executive.pk
    assert Opportunity.objects.count() == 1


def test_changes_need_the_current_etag(api_client, world):
    deal = OpportunityFactory(account=world.in_portfolio)
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    url = f"/api/v1/opportunities/{deal.pk}"
    assert client.patch(url, {"name": "Otro"}).status_code == 428
    assert (
        client.patch(url, {"name": "Otro"}, headers={"If-Match": 'W/"opportunity-1-v9"'}).status_code == 412
    )
    etag = client.get(url)["ETag"]
    changed = client.patch(url, {"name": "Otro", "amount": "10.50"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] == f'W/"opportunity-{deal.pk}-v2"'
    assert (changed.json()["name"], changed.json()["amount"]) == ("Otro", "10.50")
    assert client.patch(url, {"name": "Tercero"}, headers={"If-Match": etag}).status_code == 412
    assert Opportunity.objects.get(pk=deal.pk).name == "Otro"


def test_move_and_close_through_the_api(api_client, world):
    deal = OpportunityFactory(account=world.in_portfolio)
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    etag = client.get(f"/api/v1/opportunities/{deal.pk}")["ETag"]
    moved = client.post(
        f"/api/v1/opportunities/{deal.pk}/move", {"stage": "negotiation"}, headers={"If-Match": etag}
    )
    assert moved.status_code == 200 and (moved.json()["stage"], moved.json()["probability"]) == (
        "negotiation",
        75,
    )
    to_won = client.post(
        f"/api/v1/opportunities/{deal.pk}/move", {"stage": "won"}, headers={"If-Match": moved["ETag"]}
    )
    assert to_won.status_code == 422
    lost = client.post(
        f"/api/v1/opportunities/{deal.pk}/close", {"outcome": "lost"}, headers={"If-Match": moved["ETag"]}
    )
    assert lost.status_code == 422 and lost.json()["errors"][0]["field"] == "close_reason"
    closed = client.post(
        f"/api/v1/opportunities/{deal.pk}/close",
        {"outcome": "lost", "reason": "price", "closed_on": "2026-02-01"},
        headers={"If-Match": moved["ETag"]},
    )
    assert closed.status_code == 200
    assert (closed.json()["stage"], closed.json()["close_reason"], closed.json()["closed_on"]) == (
        "lost",
        "price",
        "2026-02-01",
    )
    assert Opportunity.objects.get(pk=deal.pk).stage == Stage.LOST


def test_a_read_only_role_reads_but_cannot_move(api_client, world):
    deal = OpportunityFactory(account=world.in_portfolio)
    client = api_client(Role.MARKETING_ANALYST)
    read = client.get(f"/api/v1/opportunities/{deal.pk}")
    assert read.status_code == 200
    moved = client.post(
        f"/api/v1/opportunities/{deal.pk}/move", {"stage": "proposal"}, headers={"If-Match": read["ETag"]}
    )
    assert moved.status_code == 403
    assert Opportunity.objects.get(pk=deal.pk).version == 1


def test_the_list_filters_by_stage_and_replacing_the_buying_center(api_client, world):
    deal = OpportunityFactory(account=world.in_portfolio, stage=Stage.PROPOSAL, probability=50)
    OpportunityFactory(account=world.in_portfolio)
    contact = world.in_portfolio.contacts.get()
    OpportunityContact.objects.create(opportunity=deal, contact=contact, role="user")
    client = api_client(Role.SALES_MANAGER)
    listed = client.get("/api/v1/opportunities?stage=proposal").json()["items"]
    assert [(item["id"], item["contacts"]) for item in listed] == [
        (deal.pk, [{"contact_id": contact.pk, "role": "user"}])
    ]
    etag = client.get(f"/api/v1/opportunities/{deal.pk}")["ETag"]
    cleared = client.patch(f"/api/v1/opportunities/{deal.pk}", {"contacts": []}, headers={"If-Match": etag})
    assert cleared.status_code == 200 and cleared.json()["contacts"] == []
    assert OpportunityContact.objects.count() == 0


def test_the_list_query_budget_does_not_grow_with_the_page(api_client, world, django_assert_max_num_queries):
    for _n in range(40):
        deal = OpportunityFactory(account=world.in_portfolio)
        OpportunityContact.objects.create(
            opportunity=deal, contact=world.in_portfolio.contacts.get(), role="user"
        )
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/opportunities?page_size=40")
    assert len(response.json()["items"]) == 40


def test_an_executive_gets_404_for_every_action_on_a_deal_of_a_hidden_account(api_client, world):
    hidden = OpportunityFactory(account=world.elsewhere)
    mine = OpportunityFactory(account=world.in_portfolio)
    client = api_client(Role.ACCOUNT_EXECUTIVE)
    etag = {"If-Match": f'W/"opportunity-{hidden.pk}-v1"'}
    url = f"/api/v1/opportunities/{hidden.pk}"

    listed = client.get("/api/v1/opportunities").json()["items"]

    assert [item["id"] for item in listed] == [mine.pk]
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Otro"}, headers=etag).status_code == 404
    assert client.post(f"{url}/move", {"stage": "proposal"}, headers=etag).status_code == 404
    assert client.post(f"{url}/close", {"outcome": "won"}, headers=etag).status_code == 404
    assert Opportunity.objects.get(pk=hidden.pk).version == 1
