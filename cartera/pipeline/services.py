"""Every write to opportunities and the contacts involved in them: validated, atomic, audited, versioned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import ensure_can_edit_account
from cartera.commerce.models import ProductLine
from cartera.core.services import model_create, model_delete, model_update, models_bulk_create
from cartera.pipeline.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    STAGE_PROBABILITY,
    Opportunity,
    OpportunityContact,
    Stage,
)

OPPORTUNITY_EDITABLE_FIELDS = {
    "name",
    "product_line",
    "amount_cents",
    "currency",
    "discount_pct",
    "probability",
    "expected_close_date",
    "owner",
    "purchase_type",
}


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def opportunity_create(
    *,
    actor: Any,
    account: Account,
    name: str,
    expected_close_date: dt.date,
    amount_cents: int = 0,
    product_line: ProductLine | None = None,
    stage: str = Stage.QUALIFICATION,
    probability: int | None = None,
    owner: Any = None,
    purchase_type: str | None = None,
    discount_pct: Decimal | None = None,
    currency: str | None = None,
    buying_center: dict[Contact, str] | None = None,
) -> Opportunity:
    """Open an opportunity on an account; the probability defaults to the stage's, the currency to the
    account's, the owner to the actor, the expected discount to the one of the account's last purchase of
    the line, and the purchase type to the one the account's history suggests.
    `buying_center` gives the role of each contact on the deal ("" leaves them out)."""
    from cartera.pipeline.selectors import suggest_purchase_type

    if stage not in OPEN_STAGES:
        raise ValidationError({"stage": _("A new opportunity starts in an open stage.")}, code="invalid")
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        if purchase_type is None or discount_pct is None:
            suggestion = suggest_purchase_type(
                account=account, product_line=product_line, discount_pct=discount_pct
            )
            if discount_pct is None:
                discount_pct = suggestion.last_discount_pct or Decimal(0)
            if purchase_type is None:
                purchase_type = suggestion.purchase_type
        opportunity = Opportunity(
            account=account,
            name=name,
            product_line=product_line,
            stage=stage,
            amount_cents=amount_cents,
            currency=currency or account.currency,
            discount_pct=discount_pct,
            probability=STAGE_PROBABILITY[Stage(stage)] if probability is None else probability,
            expected_close_date=expected_close_date,
            owner=owner if owner is not None else _user_or_none(actor),
            purchase_type=purchase_type,
            created_by=_user_or_none(actor),
        )
        model_create(actor=actor, instance=opportunity)
        if buying_center:
            _buying_center_set(actor=actor, opportunity=opportunity, roles=buying_center)
        return opportunity


def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    expected_version: int,
    buying_center: dict[Contact, str] | None = None,
    **changes: Any,
) -> Opportunity:
    """Change what an opportunity is about (name, line, amount, terms, probability, dates, owner, type)
    and, when given, the role of each contact on it; the stage changes only through opportunity_move
    and opportunity_close. The whole change is refused if the version is stale."""
    unknown = set(changes) - OPPORTUNITY_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"opportunity_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, opportunity.account)
        model_update(actor=actor, instance=opportunity, data=changes, expected_version=expected_version)
        if buying_center is not None:
            _buying_center_set(actor=actor, opportunity=opportunity, roles=buying_center)
        return opportunity


def opportunity_move(
    *, actor: Any, opportunity: Opportunity, stage: str, expected_version: int
) -> Opportunity:
    """Move an opportunity to another open stage, taking that stage's probability; a closed one moved back
    to an open stage is reopened. Refused (ConflictError) when someone changed it since `expected_version`."""
    if stage not in OPEN_STAGES:
        raise ValidationError(
            {"stage": _("Close the opportunity as won or lost to move it out of the open stages.")},
            code="closed_stage",
        )
    data: dict[str, Any] = {"stage": stage, "probability": STAGE_PROBABILITY[Stage(stage)]}
    if opportunity.stage in CLOSED_STAGES:
        data.update(closed_on=None, close_reason="", close_note="")
    with transaction.atomic():
        ensure_can_edit_account(actor, opportunity.account)
        return model_update(actor=actor, instance=opportunity, data=data, expected_version=expected_version)


def opportunity_close(
    *,
    actor: Any,
    opportunity: Opportunity,
    won: bool,
    expected_version: int,
    reason: str = "",
    note: str = "",
    closed_on: dt.date | None = None,
) -> Opportunity:
    """Close an opportunity as won or lost (a lost one must say why), on `closed_on` (today by default)."""
    stage = Stage.WON if won else Stage.LOST
    data = {
        "stage": stage,
        "probability": STAGE_PROBABILITY[stage],
        "close_reason": reason,
        "close_note": note,
        "closed_on": closed_on or timezone.localdate(),
    }
    with transaction.atomic():
        ensure_can_edit_account(actor, opportunity.account)
        return model_update(actor=actor, instance=opportunity, data=data, expected_version=expected_version)


def opportunity_contact_set(
    *, actor: Any, opportunity: Opportunity, contact: Contact, role: str
) -> OpportunityContact:
    """Put a contact of the account on the deal with the role they play in it (or change that role)."""
    with transaction.atomic():
        ensure_can_edit_account(actor, opportunity.account)
        existing = (
            OpportunityContact.objects.select_for_update()
            .filter(opportunity=opportunity, contact=contact)
            .first()
        )
        if existing is None:
            return model_create(
                actor=actor, instance=OpportunityContact(opportunity=opportunity, contact=contact, role=role)
            )
        return model_update(actor=actor, instance=existing, data={"role": role}, expected_version=None)


def _buying_center_set(*, actor: Any, opportunity: Opportunity, roles: dict[Contact, str]) -> None:
    """Give each contact its role on the deal, and take off those whose role is empty."""
    current = dict(
        OpportunityContact.objects.filter(opportunity=opportunity).values_list("contact_id", "role")
    )
    for contact, role in roles.items():
        if role and current.get(contact.pk) != role:
            opportunity_contact_set(actor=actor, opportunity=opportunity, contact=contact, role=role)
        elif not role and contact.pk in current:
            opportunity_contact_remove(actor=actor, opportunity=opportunity, contact=contact)


def opportunity_contact_remove(*, actor: Any, opportunity: Opportunity, contact: Contact) -> None:
    """Take a contact off the deal."""
    with transaction.atomic():
        ensure_can_edit_account(actor, opportunity.account)
        for link in OpportunityContact.objects.filter(opportunity=opportunity, contact=contact):
            model_delete(actor=actor, instance=link)


def opportunities_bulk_create(
    *,
    actor: Any,
    entries: Sequence[tuple[Opportunity, Iterable[tuple[Contact, str]]]],
    source: str,
) -> list[Opportunity]:
    """Create many already-built opportunities at once (demo loader, imports), each with the contacts on
    the deal and their roles; every row is validated first, and one audit record summarizes the batch."""
    entry_list = [(opportunity, list(contacts)) for opportunity, contacts in entries]
    for opportunity, contacts in entry_list:
        # Foreign keys and constraints are left to the database: per-row queries a bulk insert cannot afford.
        relations = [field.name for field in opportunity._meta.concrete_fields if field.is_relation]
        opportunity.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        if any(contact.account_id != opportunity.account_id for contact, _role in contacts):
            raise ValidationError({"contacts": _("Every contact must belong to the account.")})
    with transaction.atomic():
        created = models_bulk_create(
            actor=actor,
            instances=[opportunity for opportunity, _contacts in entry_list],
            source=source,
            changes={"contact_links": sum(len(contacts) for _opportunity, contacts in entry_list)},
        )
        links = [
            OpportunityContact(opportunity_id=opportunity.pk, contact=contact, role=role)
            for opportunity, (_unsaved, contacts) in zip(created, entry_list, strict=True)
            for contact, role in contacts
        ]
        OpportunityContact.objects.bulk_create(links, batch_size=2000)
        return created
