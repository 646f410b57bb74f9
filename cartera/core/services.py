"""Service helpers shared by every domain: validated, audited, optimistic-locked writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F

from cartera.core.audit import audit_record, diff, snapshot
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord

M = TypeVar("M", bound=models.Model)


def model_create(*, actor: Any, instance: M) -> M:
    """Validate, save and audit a new instance. Call inside the caller's transaction."""
    instance.full_clean()
    instance.save(force_insert=True)
    audit_record(actor=actor, action=AuditRecord.Action.CREATE, instance=instance, changes=snapshot(instance))
    return instance


def model_update(
    *,
    actor: Any,
    instance: M,
    data: dict[str, Any],
    expected_version: int | None,
    exclude_from_validation: Iterable[str] = (),
) -> M:
    """Apply `data` to `instance` if nobody saved it since `expected_version`; audit the change.

    The version check and the increment happen in one UPDATE ... WHERE version = expected, so two
    concurrent editors cannot both win. Raises ConflictError when the stored version moved on.
    Call inside the caller's transaction.
    """
    model = type(instance)
    before = snapshot(instance)
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean(exclude=list(exclude_from_validation))
    values = {field.attname: getattr(instance, field.attname) for field in _changed_fields(instance, data)}
    version = expected_version if expected_version is not None else instance.version  # type: ignore[attr-defined]
    values["version"] = F("version") + 1
    updated_at_field = getattr(model, "updated_at", None)
    if updated_at_field is not None:
        from django.utils import timezone

        values["updated_at"] = timezone.now()
    rows = model._default_manager.filter(pk=instance.pk, version=version).update(**values)
    if rows != 1:
        current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConflictError(current_version=current)
    instance.refresh_from_db()
    changes = diff(before, snapshot(instance))
    if changes:
        audit_record(actor=actor, action=AuditRecord.Action.UPDATE, instance=instance, changes=changes)
    return instance


def model_delete(*, actor: Any, instance: models.Model) -> None:
    """Delete and audit. Call inside the caller's transaction."""
    audit_record(actor=actor, action=AuditRecord.Action.DELETE, instance=instance, changes=snapshot(instance))
    instance.delete()


def _changed_fields(instance: models.Model, data: dict[str, Any]) -> list[models.Field]:
    names = set(data)
    return [f for f in instance._meta.concrete_fields if f.name in names or f.attname in names]
