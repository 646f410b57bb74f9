"""Domain events: services say what happened; integrations listen.

The domain never imports its listeners. They are modules named in settings.CARTERA_EVENT_LISTENERS, each
with `wants(name) -> bool` (cheap: lets a bulk write skip building thousands of payloads nobody listens
to) and `on_event(name, payload)`, called inside the writing transaction; a listener that acts outside
the database does so after commit.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings


@cache
def _listeners() -> tuple[ModuleType, ...]:
    return tuple(import_module(path) for path in getattr(settings, "CARTERA_EVENT_LISTENERS", []))


def wanted(name: str) -> bool:
    """Whether any listener wants events called `name` right now."""
    return any(listener.wants(name) for listener in _listeners())


def emit_event(name: str, payload: dict[str, Any]) -> None:
    """Tell every listener that wants it that `name` happened, with `payload`."""
    for listener in _listeners():
        if listener.wants(name):
            listener.on_event(name, payload)


def emit_events(name: str, payloads: list[dict[str, Any]]) -> None:
    """The same event for many objects, asking each listener once whether it wants them."""
    for listener in _listeners():
        if listener.wants(name):
            for payload in payloads:
                listener.on_event(name, payload)
