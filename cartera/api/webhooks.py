"""Outbound webhooks: a listener of the domain events, signing, and delivery with retries.

Services announce what happened through cartera.core.events, which calls this module's `wants` and
`on_event` (settings.CARTERA_EVENT_LISTENERS); nothing is queued unless the transaction commits. Each subscription to the event gets a delivery row, sent by a background task that
records every attempt and retries failures with exponential backoff (docs/api.md, "Webhooks").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cartera.api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from cartera.api.urlsafety import ensure_deliverable_url

SIGNATURE_HEADER = "X-Cartera-Signature"
TIMESTAMP_HEADER = "X-Cartera-Timestamp"
EVENT_HEADER = "X-Cartera-Event"
DELIVERY_HEADER = "X-Cartera-Delivery"
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
TIMEOUT_SECONDS = 5


def emit_event(name: str, payload: dict[str, Any]) -> None:
    """After the current transaction commits, queue `name` with `payload` to every active subscription."""
    if name not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {name!r}")
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    transaction.on_commit(lambda: _queue_deliveries(name, body))


def wants(name: str) -> bool:
    """Listener interface (cartera.core.events): is any active subscription waiting for `name`?"""
    return name in WebhookEvent.values and bool(_subscribed(name))


def on_event(name: str, payload: dict[str, Any]) -> None:
    """Listener interface (cartera.core.events): queue deliveries of `name` after commit."""
    emit_event(name, payload)


def _subscribed(name: str) -> list[WebhookSubscription]:
    # Few rows: filtered here, since JSON containment is not portable to SQLite.
    return [sub for sub in WebhookSubscription.objects.filter(is_active=True) if name in sub.events]


def _queue_deliveries(name: str, payload: dict[str, Any]) -> None:
    from cartera.api.tasks import deliver_webhook

    subscriptions = _subscribed(name)
    if not subscriptions:
        return
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription=sub, event=name, payload=payload, next_attempt_at=timezone.now())
        for sub in subscriptions
    )
    for delivery in deliveries:
        deliver_webhook.enqueue(delivery_id=delivery.pk)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def delivery_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead to an address the subscription check would refuse


_opener = urllib.request.build_opener(_NoRedirects)


def backoff(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt number `attempt` (1-based): 30 s, 1 min, 2 min, 4 min..."""
    return dt.timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))


def attempt_delivery(delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a pending delivery and record it; schedules the next one on failure.

    Returns the delivery, or None when it is no longer pending (already delivered, given up, deleted).
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    number = delivery.attempts + 1
    status_code, error, elapsed_ms = _post(delivery)
    succeeded = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=status_code,
            error=error[:300],
            duration_ms=elapsed_ms,
        )
        delivery.attempts = number
        delivery.last_status_code = status_code
        if succeeded:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED,
                now,
                None,
            )
        elif number >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + backoff(number)
        delivery.save(
            update_fields=["attempts", "last_status_code", "status", "delivered_at", "next_attempt_at"]
        )
    return delivery


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    subscription = delivery.subscription
    started = time.monotonic()
    try:
        ensure_deliverable_url(subscription.url)  # again: the name may resolve elsewhere by now
    except ValidationError:
        return None, "address refused", 0
    body = delivery_body(delivery)
    timestamp = int(time.time())
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "cartera-webhooks/1",
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.pk),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
        },
    )
    timeout = getattr(settings, "CARTERA_WEBHOOK_TIMEOUT", TIMEOUT_SECONDS)
    try:
        with _opener.open(request, timeout=timeout) as response:
            code, error = response.status, ""
    except urllib.error.HTTPError as failure:
        code, error = failure.code, str(failure.reason)
    except (urllib.error.URLError, OSError) as failure:
        code, error = None, str(getattr(failure, "reason", failure))
    return code, error, int((time.monotonic() - started) * 1000)


def deliveries_due(now: dt.datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt time has come (for backends that cannot defer a task)."""
    moment = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=moment)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
