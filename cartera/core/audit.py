"""Writing audit records from services, inside the service's own transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from cartera.core.models import AuditRecord

# Never copied into an audit record, even as a hash.
SECRET_FIELDS = frozenset({"password"})


def _plain(value: Any, field: models.Field | None = None) -> Any:
    """A JSON-safe form of a field value; decimals at the field's scale, so 600 and 600.00 compare equal."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        if isinstance(field, models.DecimalField) and value.is_finite():
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def audited_fields(model: type[models.Model] | models.Model) -> list[models.Field]:
    """The concrete fields an audit record shows: what people edit, not derived keys, stamps or secrets."""
    return [
        field
        for field in model._meta.concrete_fields
        if (field.editable or field.primary_key) and field.name not in SECRET_FIELDS
    ]


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The current values of an instance's audited fields (foreign keys as ids), JSON-safe."""
    chosen = audited_fields(instance)
    if fields:
        chosen = [f for f in chosen if f.name in fields or f.attname in fields]
    return {field.attname: _plain(getattr(instance, field.attname), field) for field in chosen}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The keys whose value changed, each as [old, new]."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


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
