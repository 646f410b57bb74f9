"""Service helpers shared by every domain: validated, audited, optimistic-locked writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from cartera.core.audit import audit_record, diff, snapshot
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord, VersionedModel

M = TypeVar("M", bound=models.Model)


def is_versioned(model: type[models.Model] | models.Model) -> bool:
    """Whether updates of this model must present the version they were made from."""
    return isinstance(model, VersionedModel) or (
        isinstance(model, type) and issubclass(model, VersionedModel)
    )


def model_create(*, actor: Any, instance: M, related: dict[str, Any] | None = None) -> M:
    """Validate, save and audit a new instance; `related` adds what the row alone does not show
    (an order's lines, an interaction's contacts) to the audit record. Joins the caller's transaction."""
    with transaction.atomic():
        instance.full_clean()
        instance.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            instance=instance,
            changes={**snapshot(instance), **(related or {})},
        )
    return instance


def models_bulk_create(
    *,
    actor: Any,
    instances: Sequence[M],
    source: str,
    changes: dict[str, Any] | None = None,
    batch_size: int = 2000,
) -> list[M]:
    """Insert many already-validated instances of one model at once (demo loader, imports); one audit
    record, naming the source, summarizes the batch. Returns the instances with their primary keys."""
    instance_list = list(instances)
    if not instance_list:
        return []
    model = type(instance_list[0])
    with transaction.atomic():
        created = model._default_manager.bulk_create(instance_list, batch_size=batch_size)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.BULK_CREATE,
            object_type=model._meta.label_lower,
            object_repr=source[:200],
            changes={"created": len(created), **(changes or {})},
        )
    return created


def model_update(
    *,
    actor: Any,
    instance: M,
    data: dict[str, Any],
    expected_version: int | None,
    exclude_from_validation: Iterable[str] = (),
) -> M:
    """Apply `data` to `instance` if nobody saved it since `expected_version`; audit the change.

    The stored row is locked and compared with `expected_version` (the instance's own version when
    None), and the UPDATE repeats the check in its WHERE, so two concurrent editors cannot both win.
    Writes the fields in `data` plus those that validation derived from them (a compacted tax id, a
    search key), and audits what really changed in the stored row as [old, new]. Raises ConflictError
    when the stored version moved on; on any failure the instance gets its previous values back.
    Models without a version (TimeStampedModel) are updated without the check. Joins the caller's
    transaction.
    """
    model = type(instance)
    versioned = is_versioned(model)
    previous = _values(instance)
    try:
        with transaction.atomic():
            stored = model._default_manager.select_for_update().filter(pk=instance.pk).first()
            version = expected_version if expected_version is not None else getattr(instance, "version", None)
            if stored is None or (versioned and stored.version != version):  # type: ignore[attr-defined]
                raise ConflictError(current_version=getattr(stored, "version", None))
            for field, value in data.items():
                setattr(instance, field, value)
            requested = _values(instance)
            instance.full_clean(exclude=list(exclude_from_validation))
            cleaned = _values(instance)
            written = {_attname(model, name) for name in data} | {
                name for name, value in cleaned.items() if value != requested[name]
            }
            values: dict[str, Any] = {name: cleaned[name] for name in written if name in cleaned}
            rows = model._default_manager.filter(pk=instance.pk)
            if versioned:
                values["version"] = F("version") + 1
                rows = rows.filter(version=version)
            if any(field.name == "updated_at" for field in model._meta.concrete_fields):
                values["updated_at"] = timezone.now()
            if rows.update(**values) != 1:
                current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True)
                raise ConflictError(current_version=current.first() if versioned else None)
            instance.refresh_from_db()
            changes = diff(snapshot(stored), snapshot(instance))
            if changes:
                audit_record(
                    actor=actor, action=AuditRecord.Action.UPDATE, instance=instance, changes=changes
                )
    except BaseException:
        _restore(instance, previous)
        raise
    return instance


def model_delete(*, actor: Any, instance: models.Model) -> None:
    """Delete and audit. Joins the caller's transaction."""
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditRecord.Action.DELETE, instance=instance, changes=snapshot(instance)
        )
        instance.delete()


def _values(instance: models.Model) -> dict[str, Any]:
    """Every concrete field's current value, by attname (foreign keys as ids)."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _restore(instance: models.Model, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(instance, name, value)


def _attname(model: type[models.Model], name: str) -> str:
    """`portfolio` -> `portfolio_id`; any other name unchanged."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field.attname
    return name
