"""Every write to B2C consumers, their purchases and profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cartera.core.audit import audit_record
from cartera.core.errors import PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.core.services import model_create, model_update
from cartera.profiles.models import Consumer, ConsumerOrder, Profile
from cartera.profiles.rules import normalize_rule

if TYPE_CHECKING:
    from cartera.profiles.suggest import ProfileSuggestion

PROFILE_EDITABLE_FIELDS = {"name", "description", "rule", "priority", "is_active"}


def ensure_can_manage_profiles(actor: Any) -> None:
    """Profiles are marketing's tool: administrators, sales managers and marketing analysts define them."""
    from cartera.users.models import Role

    if actor is None:  # system writes: demo loader, commands run by an operator
        return
    allowed = getattr(actor, "is_superuser", False) or getattr(actor, "role", None) in {
        Role.ADMINISTRATOR,
        Role.SALES_MANAGER,
        Role.MARKETING_ANALYST,
    }
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False) and allowed):
        raise PermissionDeniedError


def _cleaned_rule(rule: Any) -> Any:
    """The canonical form of a valid rule; an invalid one is left for full_clean to report."""
    try:
        return normalize_rule(rule)
    except ValidationError:
        return rule


def profile_create(
    *,
    actor: Any,
    name: str,
    rule: dict[str, Any],
    description: str = "",
    priority: int = 100,
    is_active: bool = True,
) -> Profile:
    """Define a profile; its rule is validated and stored in canonical form."""
    ensure_can_manage_profiles(actor)
    with transaction.atomic():
        profile = Profile(
            name=name.strip(),
            description=description,
            rule=_cleaned_rule(rule),
            priority=priority,
            is_active=is_active,
        )
        return model_create(actor=actor, instance=profile)


def profile_update(*, actor: Any, profile: Profile, expected_version: int, **changes: Any) -> Profile:
    """Change a profile's name, description, rule, priority or activity, if nobody saved it meanwhile."""
    unknown = set(changes) - PROFILE_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"profile_update does not take {sorted(unknown)}")
    ensure_can_manage_profiles(actor)
    if "rule" in changes:
        changes["rule"] = _cleaned_rule(changes["rule"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    with transaction.atomic():
        return model_update(actor=actor, instance=profile, data=changes, expected_version=expected_version)


def profiles_adopt_suggestions(*, actor: Any, suggestions: Iterable[ProfileSuggestion]) -> list[Profile]:
    """Create suggested profiles as inactive ones, for a marketer to review and switch on.

    A name already in use gets a number: "Frequent buyers (2)".
    """
    ensure_can_manage_profiles(actor)
    created: list[Profile] = []
    with transaction.atomic():
        taken = set(Profile.objects.values_list("name", flat=True))
        for suggestion in suggestions:
            name, number = suggestion.name, 1
            while name in taken:
                number += 1
                name = f"{suggestion.name} ({number})"
            taken.add(name)
            created.append(
                profile_create(
                    actor=actor,
                    name=name,
                    rule=suggestion.rule,
                    description=suggestion.description,
                    priority=200 + len(created),
                    is_active=False,
                )
            )
    return created


def consumers_bulk_create(
    *, actor: Any, consumers: list[Consumer], source: str, batch_size: int = 5000
) -> int:
    """Insert many consumers at once (demo loader, imports); one audit record summarizes the batch.

    Each is validated field by field; uniqueness of customer numbers is left to the database.
    """
    for consumer in consumers:
        consumer.region = consumer.region.upper()
        consumer.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        Consumer.objects.bulk_create(consumers, batch_size=batch_size)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.BULK_CREATE,
            object_type="profiles.consumer",
            object_repr=source[:200],
            changes={"consumers": len(consumers)},
        )
    return len(consumers)


def consumer_orders_bulk_create(
    *, actor: Any, orders: list[ConsumerOrder], source: str, batch_size: int = 5000
) -> int:
    """Insert many purchases at once; each must carry its saved `consumer`. One audit record per batch."""
    for order in orders:
        order.consumer_id = order.consumer.pk
        order.full_clean(exclude=["consumer"], validate_unique=False, validate_constraints=False)
        order.compute_amounts()
    with transaction.atomic():
        ConsumerOrder.objects.bulk_create(orders, batch_size=batch_size)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.BULK_CREATE,
            object_type="profiles.consumerorder",
            object_repr=source[:200],
            changes={"orders": len(orders)},
        )
    return len(orders)
