"""REST endpoints for accounts and contacts: parse, call the service or the filter class, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.filtersets import AccountFilterSet, ContactFilterSet
from cartera.accounts.models import Account, Contact
from cartera.accounts.services import account_create, account_update, contact_create, contact_update
from cartera.api.etag import required_version, with_etag
from cartera.api.listing import (
    ObjectId,
    Text,
    get_visible,
    list_query,
    page_schema,
    paginate,
    read_flat,
    reject_fields,
    resource,
)
from cartera.api.problems import Problem, field_error
from cartera.core.filtersets import request_user
from cartera.coverage.models import Portfolio

router = Router(tags=["accounts"])


class AccountApiFilterSet(AccountFilterSet):
    """The UI's account filters; the region is any code (the page offers the regions it finds, a query
    the API cannot afford on every call)."""

    region = django_filters.CharFilter(label=_("Region"), method="filter_region")

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: HttpRequest | None = None,
        prefix: Any = None,
    ) -> None:
        visible = Account.objects.visible_to(request_user(request))
        base = visible if queryset is None else queryset.filter(pk__in=visible.values("pk"))
        django_filters.FilterSet.__init__(self, data, base, request=request, prefix=prefix)

    def filter_region(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(region=value.strip().upper())


class AccountOut(Schema):
    id: int
    legal_name: str
    trade_name: str
    country: str
    tax_id: str
    region: str
    city: str
    industry: str
    size_band: str
    language: str
    currency: str
    parent_id: int | None
    status: str
    strategic_fit: int | None
    strategic_fit_note: str
    portfolio_id: int | None
    territory_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountFields(Schema):
    model_config = ConfigDict(extra="forbid")

    trade_name: Text | None = Field(None, max_length=200)
    region: Text | None = Field(None, max_length=8)
    city: Text | None = Field(None, max_length=100)
    industry: Text | None = None
    size_band: Text | None = None
    language: Text | None = None
    currency: Text | None = Field(None, max_length=3)
    parent_id: ObjectId | None = None
    status: Text | None = None
    strategic_fit: int | None = Field(None, ge=1, le=5)
    strategic_fit_note: Text | None = Field(None, max_length=300)
    portfolio_id: ObjectId | None = None


class AccountCreate(AccountFields):
    legal_name: Text = Field(max_length=200)
    tax_id: Text = Field(max_length=32)
    country: Text = Field("CL", max_length=2)


class AccountUpdate(AccountFields):
    legal_name: Text | None = Field(None, max_length=200)
    tax_id: Text | None = Field(None, max_length=32)
    country: Text | None = Field(None, max_length=2)


# Who may set which field, beyond being allowed to edit the account at all.
ACCOUNT_FIELD_RULES = {"portfolio_id": lambda user: user.manages_everything}
ACCOUNT_ORDERING = ["legal_name", "trade_name", "created_at", "updated_at", "status", "region", "id"]
AccountListQuery = list_query("AccountListQuery", AccountApiFilterSet, ACCOUNT_ORDERING)


def _account_changes(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Body fields as service arguments: ids resolved among what the caller may see (else 422)."""
    reject_fields(request, fields, ACCOUNT_FIELD_RULES)
    changes = dict(fields)
    if changes.get("parent_id") is not None:
        parent = Account.objects.visible_to(request.user).filter(pk=changes.pop("parent_id")).first()
        if parent is None:
            raise Problem(422, errors=[field_error("body.parent_id", _("There is no such account."))])
        changes["parent"] = parent
    if changes.get("portfolio_id") is not None:
        portfolio = Portfolio.objects.visible_to(request.user).filter(pk=changes.pop("portfolio_id")).first()
        if portfolio is None:
            raise Problem(422, errors=[field_error("body.portfolio_id", _("There is no such portfolio."))])
        changes["portfolio"] = portfolio
    return changes


@router.get("/accounts", response=page_schema(AccountOut), summary="List accounts")
@resource(Account)
def list_accounts(request: HttpRequest, query: Query[AccountListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        AccountApiFilterSet,
        ordering=ACCOUNT_ORDERING,
        default_ordering=["legal_name", "id"],
        flat=AccountOut,
    )


@router.get("/accounts/{int:account_id}", response=AccountOut, summary="Read an account")
@resource(Account)
def get_account(request: HttpRequest, account_id: ObjectId) -> Any:
    return read_flat(Account.objects.visible_to(request.user), account_id, AccountOut)


@router.post("/accounts", response={201: AccountOut}, summary="Create an account")
def create_account(request: HttpRequest, response: HttpResponse, payload: AccountCreate) -> Any:
    fields = payload.model_dump(exclude_unset=True)
    base = {name: fields.pop(name) for name in ("legal_name", "tax_id", "country") if name in fields}
    account = account_create(actor=request.user, **base, **_account_changes(request, fields))
    with_etag(response, account)
    return Status(201, account)


@router.patch("/accounts/{int:account_id}", response=AccountOut, summary="Change an account (needs If-Match)")
def update_account(
    request: HttpRequest, response: HttpResponse, account_id: ObjectId, payload: AccountUpdate
) -> Any:
    account = get_visible(Account.objects.visible_to(request.user), account_id)
    version = required_version(request, account)
    changes = _account_changes(request, payload.model_dump(exclude_unset=True))
    account = account_update(actor=request.user, account=account, expected_version=version, **changes)
    with_etag(response, account)
    return account


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    job_title: str
    buying_role: str
    email: str
    phone: str
    language: str
    consents_to_email: bool
    consents_to_calls: bool
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactFields(Schema):
    model_config = ConfigDict(extra="forbid")

    job_title: Text | None = Field(None, max_length=150)
    buying_role: Text | None = None
    email: Text | None = Field(None, max_length=254)
    phone: Text | None = Field(None, max_length=40)
    language: Text | None = None
    consents_to_email: bool | None = None
    consents_to_calls: bool | None = None
    is_active: bool | None = None


class ContactCreate(ContactFields):
    account_id: ObjectId
    first_name: Text = Field(max_length=100)
    last_name: Text = Field(max_length=100)


class ContactUpdate(ContactFields):
    first_name: Text | None = Field(None, max_length=100)
    last_name: Text | None = Field(None, max_length=100)


CONTACT_ORDERING = ["last_name", "first_name", "created_at", "updated_at", "id"]
ContactListQuery = list_query("ContactListQuery", ContactFilterSet, CONTACT_ORDERING)


@router.get("/contacts", response=page_schema(ContactOut), summary="List contacts")
@resource(Contact)
def list_contacts(request: HttpRequest, query: Query[ContactListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        ContactFilterSet,
        ordering=CONTACT_ORDERING,
        default_ordering=["last_name", "id"],
        flat=ContactOut,
    )


@router.get("/contacts/{int:contact_id}", response=ContactOut, summary="Read a contact")
@resource(Contact)
def get_contact(request: HttpRequest, contact_id: ObjectId) -> Any:
    return read_flat(Contact.objects.visible_to(request.user), contact_id, ContactOut)


@router.post("/contacts", response={201: ContactOut}, summary="Add a contact to an account")
def create_contact(request: HttpRequest, response: HttpResponse, payload: ContactCreate) -> Any:
    fields = payload.model_dump(exclude_unset=True)
    account = visible_account_or_422(request, fields.pop("account_id"))
    contact = contact_create(actor=request.user, account=account, **fields)
    with_etag(response, contact)
    return Status(201, contact)


@router.patch("/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact (needs If-Match)")
def update_contact(
    request: HttpRequest, response: HttpResponse, contact_id: ObjectId, payload: ContactUpdate
) -> Any:
    contact = get_visible(Contact.objects.visible_to(request.user).select_related("account"), contact_id)
    version = required_version(request, contact)
    contact = contact_update(
        actor=request.user,
        contact=contact,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    with_etag(response, contact)
    return contact


def visible_account_or_422(request: HttpRequest, account_id: int, field: str = "body.account_id") -> Account:
    """The account a body names, among those the caller may see; a 422 naming the field otherwise."""
    account = Account.objects.visible_to(request.user).filter(pk=account_id).first()
    if account is None:
        raise Problem(422, errors=[field_error(field, _("There is no such account."))])
    return account
