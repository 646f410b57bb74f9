"""Every write to accounts and contacts: validated, atomic, audited, optimistic-locked."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, Contact
from cartera.core.errors import PermissionDeniedError
from cartera.core.phones import clean_phone
from cartera.core.regions import is_valid_region
from cartera.core.services import model_create, model_update
from cartera.core.taxid import clean_tax_id, tax_id_label
from cartera.core.text import normalize, normalize_company_name

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


def _account_search_key(legal_name: str, trade_name: str, tax_id: str) -> str:
    return " | ".join(part for part in (normalize(legal_name), normalize(trade_name), tax_id.lower()) if part)


def ensure_can_edit_account(actor: Any, account: Account) -> None:
    if actor is None:  # system writes: demo loader, imports run by an operator
        return
    if not Account.objects.editable_by(actor).filter(pk=account.pk).exists():
        raise PermissionDeniedError


def _derived_account_fields(data: dict[str, Any], current: Account | None = None) -> dict[str, Any]:
    """Validate tax id and region for the country, and compute search keys and territory."""
    from cartera.coverage.selectors import territory_for_region

    def value(name: str) -> Any:
        return data[name] if name in data else getattr(current, name, "")

    country = (value("country") or "").upper()
    derived: dict[str, Any] = {"country": country}
    errors: dict[str, list[ValidationError]] = {}
    try:
        derived["tax_id"] = clean_tax_id(country, value("tax_id"))
    except ValidationError as error:
        errors["tax_id"] = [error]
    region = (value("region") or "").upper()
    if region and not is_valid_region(country, region):
        errors["region"] = [
            ValidationError(
                _("%(region)s is not a region of %(country)s."),
                code="invalid_region",
                params={"region": region, "country": country},
            )
        ]
    if errors:
        raise ValidationError(errors)
    derived["region"] = region
    derived["territory"] = territory_for_region(region) if region else None
    derived["search_key"] = _account_search_key(value("legal_name"), value("trade_name"), derived["tax_id"])
    derived["name_key"] = normalize_company_name(value("legal_name"))[:200]
    return derived


def _check_tax_id_free(country: str, tax_id: str, exclude_pk: int | None = None) -> None:
    existing = Account.objects.filter(country=country, tax_id=tax_id).exclude(pk=exclude_pk).first()
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
    from cartera.coverage.services import team_member_add

    unknown = set(fields) - ACCOUNT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"account_create does not take {sorted(unknown)}")
    data = {"legal_name": legal_name, "tax_id": tax_id, "country": country, **fields}
    with transaction.atomic():
        data.update(_derived_account_fields(data))
        _check_tax_id_free(data["country"], data["tax_id"])
        account = model_create(actor=actor, instance=Account(created_by=_user_or_none(actor), **data))
        if responsible is None and account.portfolio is not None:
            responsible = account.portfolio.owner
        if responsible is not None:
            team_member_add(actor=None, account=account, user=responsible, role="responsible")
    return account


def account_update(*, actor: Any, account: Account, expected_version: int, **changes: Any) -> Account:
    """Change an account's fields if it has not been saved by someone else since `expected_version`."""
    unknown = set(changes) - ACCOUNT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"account_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        changes.update(_derived_account_fields(changes, current=account))
        if changes["tax_id"] != account.tax_id or changes["country"] != account.country:
            _check_tax_id_free(changes["country"], changes["tax_id"], exclude_pk=account.pk)
        parent = changes.get("parent")
        if parent is not None and _would_create_cycle(account, parent):
            raise ValidationError(
                {"parent": _("An account cannot belong to its own corporate group below it.")}
            )
        return model_update(actor=actor, instance=account, data=changes, expected_version=expected_version)


def _would_create_cycle(account: Account, parent: Account) -> bool:
    seen = set()
    node: Account | None = parent
    while node is not None and node.pk not in seen:
        if node.pk == account.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def find_duplicate_accounts(*, legal_name: str, country: str, tax_id: str = "") -> list[Account]:
    """Accounts that look like the same company: same tax id, or the same normalized name."""
    key = normalize_company_name(legal_name)
    matches = Account.objects.filter(country=country.upper(), name_key=key) if key else Account.objects.none()
    if tax_id:
        try:
            compact = clean_tax_id(country, tax_id)
        except ValidationError:
            compact = ""
        if compact:
            matches = matches | Account.objects.filter(country=country.upper(), tax_id=compact)
    return list(matches.distinct()[:10])


def _contact_derived(
    data: dict[str, Any], account: Account, current: Contact | None = None
) -> dict[str, Any]:
    def value(name: str) -> Any:
        return data[name] if name in data else getattr(current, name, "")

    derived: dict[str, Any] = {}
    if "phone" in data:
        try:
            derived["phone"] = clean_phone(data["phone"], account.country)
        except ValidationError as error:
            raise ValidationError({"phone": [error]}) from None
    if "email" in data:
        derived["email"] = (data["email"] or "").strip().lower()
    email = derived.get("email", value("email"))
    derived["search_key"] = " | ".join(
        part for part in (normalize(f"{value('first_name')} {value('last_name')}"), email) if part
    )
    return derived


def contact_create(
    *, actor: Any, account: Account, first_name: str, last_name: str, **fields: Any
) -> Contact:
    """Add a person to an account."""
    unknown = set(fields) - CONTACT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"contact_create does not take {sorted(unknown)}")
    data = {"first_name": first_name.strip(), "last_name": last_name.strip(), **fields}
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        data.update(_contact_derived(data, account))
        return model_create(actor=actor, instance=Contact(account=account, **data))


def contact_update(*, actor: Any, contact: Contact, expected_version: int, **changes: Any) -> Contact:
    """Change a contact if nobody saved it since `expected_version`."""
    unknown = set(changes) - CONTACT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"contact_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_edit_account(actor, contact.account)
        changes.update(_contact_derived(changes, contact.account, current=contact))
        return model_update(actor=actor, instance=contact, data=changes, expected_version=expected_version)


__all__ = [
    "DuplicateAccountError",
    "account_create",
    "account_update",
    "contact_create",
    "contact_update",
    "find_duplicate_accounts",
    "tax_id_label",
]
