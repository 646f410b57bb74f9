"""Who is calling: a personal API token (integrations) or the browser's session (the docs page, the UI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from cartera.api.models import ApiToken
from cartera.api.services import token_digest

# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an active token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_digest=token_digest(token.strip()), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class BrowserSessionAuth(SessionAuth):
    """Django's session, with the CSRF check on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
