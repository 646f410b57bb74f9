"""Who is calling: a personal API token (integrations) or the browser's session (the docs page, the UI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja.security import HttpBearer, SessionAuth

from cartera.api.models import ApiToken
from cartera.api.services import token_digest

# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _aware(value: Any) -> dt.datetime | None:
    """A raw query's datetime column: SQLite gives text, and naive values are in UTC (USE_TZ)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an active token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        # One query, on every API call: written in SQL because compiling the equivalent ORM query (a join
        # and two annotations) costs more than running it.
        user_model = get_user_model()
        rows = user_model.objects.raw(
            f"SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at "
            f"FROM {user_model._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
            "WHERE t.key_digest = %s AND t.revoked_at IS NULL AND u.is_active",
            [token_digest(token.strip())],
        )
        user = next(iter(rows), None)
        if user is None:
            return None
        now = timezone.now()
        last_used = _aware(user.token_last_used_at)  # type: ignore[attr-defined]
        if last_used is None or now - last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)  # type: ignore[attr-defined]
        request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """Django's session, with the CSRF check on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
