"""Background entry points of webhooks: one attempt per task run, the next one scheduled on failure."""

from __future__ import annotations

from django_tasks import task

from cartera.api.models import DeliveryStatus
from cartera.api.webhooks import attempt_delivery, deliveries_due


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Attempt one delivery; on failure, enqueue the retry for its backoff time when the backend can defer
    tasks (otherwise `retry_due_webhooks` picks it up)."""
    delivery = attempt_delivery(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.PENDING and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery.pk)
    return str(delivery.status)


@task()
def retry_due_webhooks() -> int:
    """Attempt every pending delivery whose next attempt time has come; returns how many were tried."""
    due = deliveries_due()
    for delivery_id in due:
        attempt_delivery(delivery_id)
    return len(due)
