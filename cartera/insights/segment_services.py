"""Writes of segments and their service models: validated, audited, version-checked; every change
re-segments the accounts (and refreshes the contact alerts and churn risk that depend on the segment)
after commit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from cartera.core.errors import PermissionDeniedError
from cartera.core.services import model_create, model_delete, model_update
from cartera.insights.models import AccountInsight, Segment, ServiceModel
from cartera.insights.services_support import lock_snapshot

SERVICE_MODEL_FIELDS = frozenset(
    {
        "name",
        "coverage",
        "max_days_without_contact",
        "first_response_hours",
        "resolution_hours",
        "review_cadence_days",
    }
)
SEGMENT_FIELDS = frozenset({"name", "description", "priority", "rule", "is_default", "service_model"})


def may_manage_segments(user: Any) -> bool:
    """Segments and service models are set by administrators, sales managers and marketing analysts."""
    from cartera.users.models import Role

    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and (
            getattr(user, "is_superuser", False)
            or getattr(user, "role", None) in {Role.ADMINISTRATOR, Role.SALES_MANAGER, Role.MARKETING_ANALYST}
        )
    )


def ensure_can_manage_segments(actor: Any) -> None:
    """Refuse a write by a user who may not manage segments; None is the system (demo, commands)."""
    if actor is not None and not may_manage_segments(actor):
        raise PermissionDeniedError


def service_model_check(service_model: ServiceModel) -> None:
    """What the fields alone cannot say: an account must be allowed at least a day without contact, a
    review cadence of at least a day, and a case must be answered before it can be resolved."""
    errors: dict[str, list[ValidationError]] = {}
    if service_model.max_days_without_contact is not None and service_model.max_days_without_contact < 1:
        errors["max_days_without_contact"] = [
            ValidationError(_("Allow at least one day without contact."), code="min_value")
        ]
    if service_model.review_cadence_days is not None and service_model.review_cadence_days < 1:
        errors["review_cadence_days"] = [
            ValidationError(_("Review at least every day, not every 0 days."), code="min_value")
        ]
    if service_model.first_response_hours is not None and service_model.first_response_hours < 1:
        errors["first_response_hours"] = [
            ValidationError(_("Allow at least one hour for the first response."), code="min_value")
        ]
    if (
        service_model.first_response_hours is not None
        and service_model.resolution_hours is not None
        and service_model.resolution_hours < service_model.first_response_hours
    ):
        errors["resolution_hours"] = [
            ValidationError(
                _("The resolution time cannot be shorter than the first response time."),
                code="resolution_before_response",
            )
        ]
    if errors:
        raise ValidationError(errors)


def segment_check(segment: Segment) -> None:
    """A valid rule; the default segment, which takes every account no other segment matches, has an
    empty rule; and there is only one default segment."""
    from cartera.insights.segments import validate_rule

    try:
        validate_rule(segment.rule)
    except ValidationError as error:
        raise ValidationError({"rule": [error]}) from None
    if segment.is_default and segment.rule and segment.rule.get("all"):
        raise ValidationError(
            {
                "rule": [
                    ValidationError(
                        _(
                            "The default segment takes every account that no other segment matches: "
                            "leave its rule empty."
                        ),
                        code="default_with_rule",
                    )
                ]
            }
        )
    if segment.is_default:
        current = Segment.objects.filter(is_default=True).exclude(pk=segment.pk).first()
        if current is not None:
            raise ValidationError(
                {
                    "is_default": [
                        ValidationError(
                            _("%(segment)s is already the default segment: there can be only one."),
                            code="second_default",
                            params={"segment": current.name},
                        )
                    ]
                }
            )


def _check_changes(changes: dict[str, Any], allowed: frozenset[str], service: str) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"{service} does not take {sorted(unknown)}")


def service_model_create(
    *,
    actor: Any,
    name: str,
    coverage: str,
    max_days_without_contact: int,
    first_response_hours: int,
    resolution_hours: int,
    review_cadence_days: int,
) -> ServiceModel:
    """Create a service model: who serves a segment, how long it may go without contact, its case SLA
    and how often it is reviewed."""
    ensure_can_manage_segments(actor)
    service_model = ServiceModel(
        name=name,
        coverage=coverage,
        max_days_without_contact=max_days_without_contact,
        first_response_hours=first_response_hours,
        resolution_hours=resolution_hours,
        review_cadence_days=review_cadence_days,
    )
    with transaction.atomic():
        service_model_check(service_model)
        return model_create(actor=actor, instance=service_model)


def service_model_update(
    *, actor: Any, service_model: ServiceModel, expected_version: int, **changes: Any
) -> ServiceModel:
    """Change a service model (version-checked, audited); its segments' accounts are re-evaluated after
    commit, since their contact limit may have changed."""
    ensure_can_manage_segments(actor)
    _check_changes(changes, SERVICE_MODEL_FIELDS, "service_model_update")
    with transaction.atomic():
        candidate = ServiceModel(**{**_field_values(service_model), **changes})
        service_model_check(candidate)
        updated = model_update(
            actor=actor, instance=service_model, data=changes, expected_version=expected_version
        )
        queue_segments_reassign()
    return updated


def service_model_delete(*, actor: Any, service_model: ServiceModel) -> None:
    """Delete a service model that no segment uses (audited)."""
    ensure_can_manage_segments(actor)
    with transaction.atomic():
        used_by = list(service_model.segments.order_by("priority", "pk").values_list("name", flat=True))
        if used_by:
            raise ValidationError(
                _("%(model)s is the service model of %(segments)s: give them another one first."),
                code="service_model_in_use",
                params={"model": service_model.name, "segments": ", ".join(used_by)},
            )
        model_delete(actor=actor, instance=service_model)


def segment_create(
    *,
    actor: Any,
    name: str,
    priority: int,
    service_model: ServiceModel,
    rule: dict[str, Any] | None = None,
    description: str = "",
    is_default: bool = False,
    reassign: bool = True,
) -> Segment:
    """Create a segment (rule validated, audited); accounts are re-segmented after commit, unless
    `reassign` is False because the caller queues one re-segmentation for a batch of segments."""
    ensure_can_manage_segments(actor)
    segment = Segment(
        name=name,
        priority=priority,
        service_model=service_model,
        rule={"all": []} if rule is None else rule,
        description=description,
        is_default=is_default,
    )
    with transaction.atomic():
        segment_check(segment)
        model_create(actor=actor, instance=segment)
        if reassign:
            queue_segments_reassign()
    return segment


def segment_update(*, actor: Any, segment: Segment, expected_version: int, **changes: Any) -> Segment:
    """Change a segment (rule validated, version-checked, audited); accounts are re-segmented after
    commit."""
    ensure_can_manage_segments(actor)
    _check_changes(changes, SEGMENT_FIELDS, "segment_update")
    with transaction.atomic():
        candidate = Segment(pk=segment.pk, **{**_field_values(segment), **changes})
        segment_check(candidate)
        updated = model_update(actor=actor, instance=segment, data=changes, expected_version=expected_version)
        queue_segments_reassign()
    return updated


def segment_delete(*, actor: Any, segment: Segment) -> None:
    """Delete a segment (audited); its accounts are re-segmented after commit."""
    ensure_can_manage_segments(actor)
    with transaction.atomic():
        model_delete(actor=actor, instance=segment)
        queue_segments_reassign()


def _field_values(instance: Any) -> dict[str, Any]:
    """The editable field values of a model instance, by field name (foreign keys as objects)."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        if field.is_relation:
            values[field.name] = getattr(instance, field.name) if getattr(instance, field.attname) else None
        else:
            values[field.name] = getattr(instance, field.attname)
    return values


def queue_segments_reassign() -> None:
    """After the current transaction commits, queue the re-segmentation of every account."""
    from cartera.insights.tasks import reassign_segments

    transaction.on_commit(lambda: reassign_segments.enqueue())


def segments_reassign() -> int:
    """Give every account its segment under the current rules, then refresh what depends on the segment:
    contact alerts and churn risk (each account as of its own snapshot date). Returns the accounts seen."""
    from cartera.insights.dependents import dependents_refresh

    with transaction.atomic(), connection.cursor() as cursor:
        lock_snapshot(cursor)
        days = list(AccountInsight.objects.order_by("as_of").values_list("as_of", flat=True).distinct())
        if len(days) == 1:
            dependents_refresh(cursor, as_of=days[0])
        else:
            from cartera.insights.services import CHUNK

            for day in days:
                ids = list(AccountInsight.objects.filter(as_of=day).values_list("account_id", flat=True))
                for start in range(0, len(ids), CHUNK):
                    dependents_refresh(cursor, as_of=day, account_ids=ids[start : start + CHUNK])
        return AccountInsight.objects.count()
