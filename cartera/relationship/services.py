"""Every write to interactions, commitments, referrals and feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import ensure_can_edit_account
from cartera.core.services import model_create, model_update, models_bulk_create
from cartera.insights.tasks import queue_insights_refresh
from cartera.relationship.models import (
    Commitment,
    CommitmentStatus,
    Feedback,
    Interaction,
    Referral,
)


def interaction_log(
    *,
    actor: Any,
    account: Account,
    kind: str,
    occurred_at: dt.datetime | None = None,
    summary: str = "",
    contacts: Iterable[Contact] = (),
    user: Any = None,
) -> Interaction:
    """Record a visit, call, meeting, email, event or support contact with an account."""
    contact_list = list(contacts)
    if any(contact.account_id != account.pk for contact in contact_list):
        raise ValidationError(
            {"contacts": ValidationError(_("Every contact must belong to the account."), code="invalid")}
        )
    when = occurred_at or timezone.now()
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        interaction = model_create(
            actor=actor,
            related={"contacts": [contact.pk for contact in contact_list]},
            instance=Interaction(
                account=account,
                kind=kind,
                occurred_at=when,
                occurred_on=timezone.localdate(when),
                summary=summary,
                user=user or (actor if getattr(actor, "pk", None) else None),
            ),
        )
        interaction.contacts.set(contact_list)
        queue_insights_refresh([account.pk], days=())
        return interaction


def interactions_bulk_log(
    *, actor: Any, entries: Sequence[tuple[Interaction, Sequence[Contact]]], source: str
) -> list[Interaction]:
    """Record many interactions at once (demo loader, imports), each with the contacts who took part;
    one audit record for the batch."""
    for interaction, contacts in entries:
        if any(contact.account_id != interaction.account_id for contact in contacts):
            raise ValidationError({"contacts": _("Every contact must belong to the account.")})
        interaction.occurred_on = timezone.localdate(interaction.occurred_at)
    with transaction.atomic():
        links = sum(len(contacts) for _interaction, contacts in entries)
        created = models_bulk_create(
            actor=actor,
            instances=[interaction for interaction, _contacts in entries],
            source=source,
            changes={"contact_links": links},
        )
        through = Interaction.contacts.through
        through.objects.bulk_create(
            (
                through(interaction_id=interaction.pk, contact_id=contact.pk)
                for interaction, (_unsaved, contacts) in zip(created, entries, strict=True)
                for contact in contacts
            ),
            batch_size=2000,
        )
        return created


def commitment_create(
    *,
    actor: Any,
    account: Account,
    description: str,
    due_date: dt.date,
    promised_by: Any = None,
    promised_to: Contact | None = None,
) -> Commitment:
    """Record a promise made to a client."""
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        if promised_to is not None and promised_to.account_id != account.pk:
            raise ValidationError({"promised_to": _("The contact must belong to the account.")})
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([account.pk], days=())
        return model_create(
            actor=actor,
            instance=Commitment(
                account=account,
                description=description,
                due_date=due_date,
                promised_by=promised_by or (actor if getattr(actor, "pk", None) else None),
                promised_to=promised_to,
            ),
        )


def commitment_resolve(
    *,
    actor: Any,
    commitment: Commitment,
    status: str,
    expected_version: int,
    resolved_on: dt.date | None = None,
) -> Commitment:
    """Close a commitment as kept, broken or cancelled."""
    if status not in {CommitmentStatus.KEPT, CommitmentStatus.BROKEN, CommitmentStatus.CANCELLED}:
        raise ValidationError({"status": _("A commitment is resolved as kept, broken or cancelled.")})
    with transaction.atomic():
        ensure_can_edit_account(actor, commitment.account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([commitment.account_id], days=())
        return model_update(
            actor=actor,
            instance=commitment,
            data={"status": status, "resolved_on": resolved_on or timezone.localdate()},
            expected_version=expected_version,
        )


def commitments_bulk_create(
    *, actor: Any, commitments: Sequence[Commitment], source: str
) -> list[Commitment]:
    """Record many promises at once, open or already resolved (demo loader, imports); one audit record."""
    for commitment in commitments:
        if commitment.promised_to is not None and commitment.promised_to.account_id != commitment.account_id:
            raise ValidationError({"promised_to": _("The contact must belong to the account.")})
        if (commitment.status == CommitmentStatus.OPEN) != (commitment.resolved_on is None):
            raise ValidationError(
                {"resolved_on": _("A resolved commitment has a resolution date, and an open one has none.")}
            )
    with transaction.atomic():
        return models_bulk_create(actor=actor, instances=commitments, source=source)


def referral_create(
    *,
    actor: Any,
    account: Account,
    date: dt.date,
    kind: str,
    referred_company: str = "",
    referred_account: Account | None = None,
    note: str = "",
) -> Referral:
    """Record that an account recommended us or gave a testimonial."""
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([account.pk], days=())
        return model_create(
            actor=actor,
            instance=Referral(
                account=account,
                date=date,
                kind=kind,
                referred_company=referred_company,
                referred_account=referred_account,
                note=note,
            ),
        )


def feedback_create(*, actor: Any, account: Account, kind: str, date: dt.date, **fields: Any) -> Feedback:
    """Record a complaint, suggestion, praise or survey score."""
    allowed = {
        "contact",
        "survey_type",
        "score",
        "category",
        "description",
        "root_cause",
        "corrective_action",
        "status",
    }
    if set(fields) - allowed:
        raise ValueError(f"feedback_create does not take {sorted(set(fields) - allowed)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([account.pk], days=())
        return model_create(actor=actor, instance=Feedback(account=account, kind=kind, date=date, **fields))


def feedback_update(*, actor: Any, feedback: Feedback, expected_version: int, **changes: Any) -> Feedback:
    """Record the root cause, corrective action or status of a piece of feedback."""
    allowed = {"category", "description", "root_cause", "corrective_action", "status", "score"}
    if set(changes) - allowed:
        raise ValueError(f"feedback_update does not take {sorted(set(changes) - allowed)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, feedback.account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([feedback.account_id], days=())
        return model_update(actor=actor, instance=feedback, data=changes, expected_version=expected_version)
