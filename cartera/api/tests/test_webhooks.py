"""Outbound webhooks: emitted after commit, signed with HMAC-SHA256, retried with exponential backoff,
and only ever sent to allowed addresses (here, a server of the test on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cartera.accounts.services import account_create
from cartera.api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from cartera.api.services import webhook_subscription_create
from cartera.api.webhooks import MAX_ATTEMPTS, attempt_delivery, backoff, emit_event
from cartera.users.models import Role


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the next queued status."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.CARTERA_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = Receiver()
    yield server
    server.close()


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_an_account_created_is_delivered_signed_after_commit(
    world, receiver, django_capture_on_commit_callbacks
):
    subscription = webhook_subscription_create(
        actor=world.administrator, url=receiver.url, events=["account.created", "order.created"]
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        account = account_create(actor=world.manager, legal_name="Viña del Valle SpA", tax_id="77.777.777-7")
        assert receiver.requests == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["X-Cartera-Event"] == "account.created"
    assert headers["X-Cartera-Signature"] == expected_signature(
        subscription.secret, headers["X-Cartera-Timestamp"], body
    )
    envelope = json.loads(body)
    assert envelope["event"] == "account.created"
    assert envelope["data"] == {"id": account.pk, "version": 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        204,
    )


def test_a_signature_with_another_secret_does_not_verify(world, receiver, django_capture_on_commit_callbacks):
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["account.created"])
    with django_capture_on_commit_callbacks(execute=True):
        account_create(actor=world.manager, legal_name="Otra SpA", tax_id="77.777.777-7")
    [request] = receiver.requests
    forged = expected_signature("0" * 64, request["headers"]["X-Cartera-Timestamp"], request["body"])
    assert request["headers"]["X-Cartera-Signature"] != forged


def test_nothing_is_sent_when_the_transaction_rolls_back(world, receiver, django_capture_on_commit_callbacks):
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["account.created"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        account_create(actor=world.manager, legal_name="Sin RUT", tax_id="12.345.678-0")
    assert (len(callbacks), receiver.requests, WebhookDelivery.objects.count()) == (0, [], 0)


def test_a_failed_delivery_is_retried_with_exponential_backoff(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503]
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["order.created"])
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("order.created", {"id": 7, "account_id": world.in_portfolio.pk, "number": "OC-7"})
    delivery = WebhookDelivery.objects.get()
    first_due = delivery.next_attempt_at - WebhookAttempt.objects.get(number=1).attempted_at
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert dt.timedelta(seconds=29) < first_due <= dt.timedelta(seconds=30)
    attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    second_due = delivery.next_attempt_at - WebhookAttempt.objects.get(number=2).attempted_at
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 2, 503)
    assert dt.timedelta(seconds=59) < second_due <= dt.timedelta(seconds=60)
    attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        3,
        204,
    )
    assert list(WebhookAttempt.objects.values_list("number", "status_code")) == [(1, 500), (2, 503), (3, 204)]
    assert len(receiver.requests) == 3
    assert {request["headers"]["X-Cartera-Delivery"] for request in receiver.requests} == {str(delivery.pk)}
    assert attempt_delivery(delivery.pk) is None  # delivered: never sent again


def test_a_delivery_gives_up_after_the_last_attempt(world, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500] * MAX_ATTEMPTS
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["order.created"])
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("order.created", {"id": 7})
    delivery = WebhookDelivery.objects.get()
    for _ in range(MAX_ATTEMPTS - 1):
        attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        None,
    )
    assert [backoff(n).total_seconds() for n in range(1, MAX_ATTEMPTS)] == [30, 60, 120, 240, 480]


def test_orders_pushed_in_bulk_emit_one_event_each(
    api_client, world, receiver, django_capture_on_commit_callbacks
):
    from cartera.commerce.tests.factories import ProductFactory

    product = ProductFactory()
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["order.created"])
    orders = [
        {"account_id": world.in_portfolio.pk, "number": f"ERP-{n}", "date": "2026-03-01",
         "lines": [{"product_id": product.pk, "quantity": "1"}]}
        for n in range(3)
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(Role.ACCOUNT_EXECUTIVE).post("/api/v1/orders/bulk", {"orders": orders})
    assert response.status_code == 201
    numbers = sorted(json.loads(request["body"])["data"]["number"] for request in receiver.requests)
    assert numbers == ["ERP-0", "ERP-1", "ERP-2"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hook",
        "http://localhost:8000/hook",
        "ftp://127.0.0.1/hook",
        "http://user:pw@127.0.0.1/",
    ],
)
def test_subscriptions_only_go_to_allowed_addresses(world, settings, url):
    settings.CARTERA_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_create(actor=world.administrator, url=url, events=["account.created"])
    assert list(refused.value.message_dict) == ["url"]


def test_without_an_allow_list_private_and_loopback_addresses_are_refused(world, settings):
    settings.CARTERA_WEBHOOK_ALLOWED_HOSTS = None
    for url in ("http://127.0.0.1:9/hook", "http://192.168.1.10/hook", "http://[::1]/hook"):
        with pytest.raises(ValidationError):
            webhook_subscription_create(actor=world.administrator, url=url, events=["account.created"])


def test_case_opened_is_accepted_and_unknown_events_are_not(world, receiver):
    subscription = webhook_subscription_create(
        actor=world.administrator, url=receiver.url, events=["case.opened"]
    )
    assert subscription.events == ["case.opened"]
    with pytest.raises(ValidationError):
        webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["account.deleted"])


def test_only_administrators_and_managers_see_the_webhooks_page(
    world, receiver, django_capture_on_commit_callbacks
):
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["account.created"])
    with django_capture_on_commit_callbacks(execute=True):
        account_create(actor=world.manager, legal_name="Viña del Valle SpA", tax_id="77.777.777-7")
    manager, executive = Client(), Client()
    manager.force_login(world.manager)
    executive.force_login(world.executive)
    page = manager.get("/api/webhooks/")
    assert page.status_code == 200
    assert receiver.url.encode() in page.content
    assert list(page.context["deliveries"]) == list(WebhookDelivery.objects.all())
    assert executive.get("/api/webhooks/").status_code == 403
    delivery = WebhookDelivery.objects.get()
    detail = manager.get(f"/api/webhooks/deliveries/{delivery.pk}/")
    assert [attempt.status_code for attempt in detail.context["attempts"]] == [204]


def test_a_manager_subscribes_from_the_page(world, receiver):
    client = Client()
    client.force_login(world.manager)
    response = client.post(
        "/api/webhooks/new/",
        {"url": receiver.url, "events": ["order.created", "tier.changed"], "is_active": "on"},
    )
    assert response.status_code == 302
    from cartera.api.models import WebhookSubscription

    subscription = WebhookSubscription.objects.get()
    assert (subscription.url, subscription.events, len(subscription.secret)) == (
        receiver.url,
        ["order.created", "tier.changed"],
        64,
    )


def test_a_tier_change_is_delivered(world, receiver, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from cartera.commerce.tests.factories import OrderFactory, OrderLineFactory
    from cartera.insights.services import insights_refresh_accounts, snapshot_recompute

    account = world.in_portfolio
    snapshot_recompute()  # every account starts as a prospect
    webhook_subscription_create(actor=world.administrator, url=receiver.url, events=["tier.changed"])
    OrderLineFactory(order=OrderFactory(account=account, date=timezone.localdate() - dt.timedelta(days=3)))
    with django_capture_on_commit_callbacks(execute=True):
        insights_refresh_accounts(account_ids=[account.pk])
    [request] = receiver.requests
    assert json.loads(request["body"])["data"] == {
        "account_id": account.pk,
        "date": timezone.localdate().isoformat(),
        "from_tier": "prospect",
        "to_tier": "buyer",
    }
