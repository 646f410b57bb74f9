"""Every write to API tokens and webhook subscriptions: validated, atomic, audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.api.models import ApiToken, WebhookEvent, WebhookSubscription
from cartera.api.urlsafety import ensure_deliverable_url
from cartera.core.errors import PermissionDeniedError
from cartera.core.services import model_create, model_delete, model_update

TOKEN_PREFIX = "crt_"


def token_digest(key: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are long and random, so a fast hash is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal token for the actor; returns it with the key, which is never shown again."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = model_create(
            actor=actor,
            instance=ApiToken(user=actor, name=name.strip(), prefix=key[:12], key_digest=token_digest(key)),
        )
    return token, key


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's tokens (administrators may revoke anyone's); requests with it are refused."""
    if actor is None or (token.user_id != actor.pk and not actor.manages_everything):
        raise PermissionDeniedError
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        return model_update(
            actor=actor, instance=token, data={"revoked_at": timezone.now()}, expected_version=None
        )


def ensure_can_manage_webhooks(actor: Any) -> None:
    """Webhook subscriptions send company data out: administrators and sales managers only."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.manages_everything:
        raise PermissionDeniedError


def _clean_events(events: list[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [event for event in chosen if event not in WebhookEvent.values]
    if not chosen or unknown:
        raise ValidationError(
            {"events": ValidationError(_("Choose one or more of the known events."), code="invalid_events")}
        )
    return chosen


def webhook_subscription_create(
    *, actor: Any, url: str, events: list[str], description: str = ""
) -> WebhookSubscription:
    """Subscribe an address to events; it gets a new signing secret."""
    ensure_can_manage_webhooks(actor)
    ensure_deliverable_url(url)
    with transaction.atomic():
        subscription = WebhookSubscription(
            url=url,
            events=_clean_events(events),
            description=description,
            secret=secrets.token_hex(32),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        return model_create(actor=actor, instance=subscription)


def webhook_subscription_update(
    *, actor: Any, subscription: WebhookSubscription, expected_version: int, **changes: Any
) -> WebhookSubscription:
    """Change a subscription's address, events, description or whether it is active."""
    allowed = {"url", "events", "description", "is_active"}
    if set(changes) - allowed:
        raise ValueError(f"webhook_subscription_update does not take {sorted(set(changes) - allowed)}")
    ensure_can_manage_webhooks(actor)
    if "url" in changes:
        ensure_deliverable_url(changes["url"])
    if "events" in changes:
        changes["events"] = _clean_events(changes["events"])
    with transaction.atomic():
        return model_update(
            actor=actor, instance=subscription, data=changes, expected_version=expected_version
        )


def webhook_subscription_delete(*, actor: Any, subscription: WebhookSubscription) -> None:
    """Remove a subscription and its delivery log."""
    ensure_can_manage_webhooks(actor)
    with transaction.atomic():
        model_delete(actor=actor, instance=subscription)
