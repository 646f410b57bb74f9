"""Writing audit records from services, inside the service's own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from cartera.core.models import AuditRecord


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The current values of an instance's concrete fields (foreign keys as ids)."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    ignored = {"updated_at", "created_at", "version", "search_key"}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in ignored and before.get(key) != value
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    object_type: str | None = None,
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one audit record. Call it inside the transaction of the write it describes."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    return AuditRecord.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
    )
