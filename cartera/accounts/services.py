"""Every write to accounts and contacts: validated, atomic, audited, optimistic-locked.

Validation and canonical forms (tax id, region, phone, search keys, corporate-group cycles) live in the
models' clean(), which model_create and model_update run; these services add who may write, the
duplicate check with its helpful error, and the account team.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.core.errors import PermissionDeniedError
from cartera.core.events import emit_event
from cartera.core.services import model_create, model_update, models_bulk_create
from cartera.core.taxid import clean_tax_id, tax_id_label
from cartera.core.text import normalize_company_name

ACCOUNT_EDITABLE_FIELDS = {
    "legal_name",
    "trade_name",
    "country",
    "tax_id",
    "region",
    "city",
    "industry",
    "size_band",
    "language",
    "currency",
    "parent",
    "parent_id",
    "status",
    "strategic_fit",
    "strategic_fit_note",
    "portfolio",
    "portfolio_id",
}
CONTACT_EDITABLE_FIELDS = {
    "first_name",
    "last_name",
    "job_title",
    "buying_role",
    "email",
    "phone",
    "language",
    "consents_to_email",
    "consents_to_calls",
    "is_active",
}


class DuplicateAccountError(ValidationError):
    """The tax id is already held by another account; `existing` is that account."""

    def __init__(self, existing: Account) -> None:
        self.existing = existing
        super().__init__(
            _("An account with %(label)s %(tax_id)s already exists: %(name)s."),
            code="duplicate_tax_id",
            params={"label": existing.tax_id_label, "tax_id": existing.tax_id_display, "name": existing},
        )


def ensure_can_write(actor: Any) -> None:
    """Refuse writes by read-only roles (support agents, marketing analysts) and by anonymous users."""
    if actor is None:  # system writes: demo loader, imports run by an operator
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.is_read_only:
        raise PermissionDeniedError


def ensure_can_edit_account(actor: Any, account: Account) -> None:
    """Refuse writes on (or under) an account the actor may not change."""
    if actor is None:  # system writes: demo loader, imports run by an operator
        return
    if not Account.objects.editable_by(actor).filter(pk=account.pk).exists():
        raise PermissionDeniedError


def _refuse_taken_tax_id(country: str, tax_id: str, exclude_pk: int | None = None) -> None:
    """Raise DuplicateAccountError when another account of `country` holds `tax_id`."""
    try:
        compact = clean_tax_id(country, tax_id)
    except ValidationError:
        return  # full_clean reports the invalid tax id on its field
    existing = (
        Account.objects.filter(country=(country or "").upper(), tax_id=compact).exclude(pk=exclude_pk).first()
    )
    if existing is not None:
        raise DuplicateAccountError(existing)


def account_create(
    *,
    actor: Any,
    legal_name: str,
    tax_id: str,
    country: str = "CL",
    responsible: Any = None,
    **fields: Any,
) -> Account:
    """Create an account with a validated tax id; its responsible salesperson joins its team."""
    from cartera.coverage.models import AccountTeamMember, TeamRole

    unknown = set(fields) - ACCOUNT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"account_create does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_write(actor)
        _refuse_taken_tax_id(country, tax_id)
        account = Account(
            legal_name=legal_name, tax_id=tax_id, country=country, created_by=_user_or_none(actor), **fields
        )
        model_create(actor=actor, instance=account)
        if responsible is None and account.portfolio is not None:
            responsible = account.portfolio.owner
        if responsible is not None:
            # Not team_member_add: until this member exists, the creator may not be able to see the account.
            model_create(
                actor=actor,
                instance=AccountTeamMember(account=account, user=responsible, role=TeamRole.RESPONSIBLE),
            )
        emit_event("account.created", {"id": account.pk, "version": account.version})
    return account


def accounts_bulk_create(*, actor: Any, rows: Iterable[dict[str, Any]], source: str) -> list[Account]:
    """Create many accounts at once (demo loader, imports) as account_create would one by one.

    Each row holds account_create's keyword arguments. Account.clean() validates each one and derives
    its canonical tax id, territory and search keys; tax ids already stored or repeated in the batch are
    refused; each responsible salesperson (else the portfolio's owner) joins the account's team. One
    audit record per model summarizes the batch.
    """
    from cartera.coverage.models import AccountTeamMember, TeamRole

    ensure_can_write(actor)
    accounts: list[Account] = []
    responsibles: list[Any] = []
    for row in rows:
        fields = dict(row)
        responsible = fields.pop("responsible", None)
        unknown = set(fields) - ACCOUNT_EDITABLE_FIELDS - {"legal_name", "tax_id", "country"}
        if unknown:
            raise ValueError(f"accounts_bulk_create does not take {sorted(unknown)}")
        account = Account(created_by=_user_or_none(actor), **fields)
        _clean_new(account)
        accounts.append(account)
        responsibles.append(
            responsible if responsible is not None else getattr(account.portfolio, "owner", None)
        )
    with transaction.atomic():
        _refuse_taken_tax_ids(accounts)
        created = models_bulk_create(actor=actor, instances=accounts, source=source)
        models_bulk_create(
            actor=actor,
            instances=[
                AccountTeamMember(account=account, user=user, role=TeamRole.RESPONSIBLE)
                for account, user in zip(created, responsibles, strict=True)
                if user is not None
            ],
            source=source,
        )
    return created


def _clean_new(instance: Account | Contact) -> None:
    """What full_clean() checks on a new row, less the per-row queries a bulk insert cannot afford:
    foreign keys and unique constraints are left to the database (and tax ids to the batch check)."""
    relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def _refuse_taken_tax_ids(accounts: list[Account]) -> None:
    """Raise DuplicateAccountError for a tax id already stored; ValidationError for one repeated in the batch."""
    seen: dict[tuple[str, str], Account] = {}
    for account in accounts:
        key = (account.country, account.tax_id)
        if key in seen:
            raise ValidationError(
                _("%(tax_id)s is given twice: for %(first)s and for %(second)s."),
                code="duplicate_tax_id_in_batch",
                params={"tax_id": account.tax_id_display, "first": seen[key], "second": account},
            )
        seen[key] = account
    by_country: dict[str, list[str]] = {}
    for country, tax_id in seen:
        by_country.setdefault(country, []).append(tax_id)
    for country, tax_ids in by_country.items():
        for start in range(0, len(tax_ids), 500):
            existing = Account.objects.filter(
                country=country, tax_id__in=tax_ids[start : start + 500]
            ).first()
            if existing is not None:
                raise DuplicateAccountError(existing)


def account_update(*, actor: Any, account: Account, expected_version: int, **changes: Any) -> Account:
    """Change an account's fields if it has not been saved by someone else since `expected_version`.
    An account moved to another portfolio gets that portfolio's owner as its responsible salesperson,
    as when a manager assigns it (coverage.services.responsible_follows_portfolio)."""
    from cartera.coverage.services import responsible_follows_portfolio

    unknown = set(changes) - ACCOUNT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"account_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        if "tax_id" in changes or "country" in changes:
            _refuse_taken_tax_id(
                changes.get("country", account.country),
                changes.get("tax_id", account.tax_id),
                exclude_pk=account.pk,
            )
        old_portfolio = account.portfolio if account.portfolio_id else None
        account = model_update(actor=actor, instance=account, data=changes, expected_version=expected_version)
        if account.portfolio_id != getattr(old_portfolio, "pk", None) and account.portfolio is not None:
            responsible_follows_portfolio(
                moves=[(account.pk, getattr(old_portfolio, "owner_id", None))],
                new_owner_id=account.portfolio.owner_id,
            )
        emit_event("account.updated", {"id": account.pk, "version": account.version})
        return account


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def find_duplicate_accounts(
    *, legal_name: str, country: str, tax_id: str = "", exclude_pk: int | None = None
) -> list[Account]:
    """Accounts that look like the same company: same tax id, or the same normalized name."""
    country = (country or "").upper()
    key = normalize_company_name(legal_name)
    matches = Account.objects.filter(country=country, name_key=key) if key else Account.objects.none()
    if tax_id:
        try:
            compact = clean_tax_id(country, tax_id)
        except ValidationError:
            compact = ""
        if compact:
            matches = matches | Account.objects.filter(country=country, tax_id=compact)
    return list(matches.exclude(pk=exclude_pk).distinct()[:10])


def contact_create(
    *, actor: Any, account: Account, first_name: str, last_name: str, **fields: Any
) -> Contact:
    """Add a person to an account."""
    unknown = set(fields) - CONTACT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"contact_create does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        contact = Contact(account=account, first_name=first_name, last_name=last_name, **_strip_email(fields))
        return model_create(actor=actor, instance=contact)


def contacts_bulk_create(*, actor: Any, rows: Iterable[dict[str, Any]], source: str) -> list[Contact]:
    """Add many people to their accounts at once (demo loader, imports), each row holding
    contact_create's keyword arguments; Contact.clean() stores phones in E.164 and fills the search key.
    One audit record summarizes the batch."""
    ensure_can_write(actor)
    contacts = []
    for row in rows:
        fields = dict(row)
        account = fields.pop("account")
        unknown = set(fields) - CONTACT_EDITABLE_FIELDS - {"first_name", "last_name"}
        if unknown:
            raise ValueError(f"contacts_bulk_create does not take {sorted(unknown)}")
        contact = Contact(account=account, **_strip_email(fields))
        _clean_new(contact)
        contacts.append(contact)
    with transaction.atomic():
        return models_bulk_create(actor=actor, instances=contacts, source=source)


def contact_update(*, actor: Any, contact: Contact, expected_version: int, **changes: Any) -> Contact:
    """Change a contact if nobody saved it since `expected_version`."""
    unknown = set(changes) - CONTACT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"contact_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, contact.account)
        return model_update(
            actor=actor, instance=contact, data=_strip_email(changes), expected_version=expected_version
        )


def _strip_email(fields: dict[str, Any]) -> dict[str, Any]:
    # Before validation: the email validator would refuse the surrounding spaces people paste.
    if "email" in fields:
        return {**fields, "email": (fields["email"] or "").strip()}
    return fields


__all__ = [
    "DuplicateAccountError",
    "account_create",
    "account_update",
    "accounts_bulk_create",
    "contact_create",
    "contact_update",
    "contacts_bulk_create",
    "ensure_can_edit_account",
    "ensure_can_write",
    "find_duplicate_accounts",
    "tax_id_label",
]
