"""REST endpoints for opportunities: list, read, open, change (If-Match), move and close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.api import visible_account_or_422
from cartera.accounts.models import Account, BuyingRole, Contact
from cartera.api.etag import required_version, with_etag
from cartera.api.listing import (
    ObjectId,
    Text,
    get_visible,
    list_query,
    page_schema,
    paginate,
    reject_fields,
    resource,
)
from cartera.api.problems import Problem, field_error
from cartera.commerce.api import Money, Percent
from cartera.commerce.models import ProductLine, PurchaseType
from cartera.pipeline.filtersets import OpportunityFilterSet
from cartera.pipeline.forms import to_cents
from cartera.pipeline.models import CloseReason, Opportunity, OpportunityContact, Stage
from cartera.pipeline.services import (
    opportunity_close,
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from cartera.users.models import ROLES_EDITING, User

router = Router(tags=["pipeline"])

Currency = Text  # three capital letters, checked by the schema's pattern
OpenStage = Literal["qualification", "discovery", "proposal", "negotiation"]


class DealContactOut(Schema):
    contact_id: int
    role: str


class OpportunityOut(Schema):
    id: int
    account_id: int
    name: str
    product_line_id: int | None
    stage: str
    amount: Decimal
    currency: str
    discount_pct: Decimal
    probability: int
    expected_close_date: dt.date
    owner_id: int | None
    purchase_type: str
    close_reason: str
    close_note: str
    closed_on: dt.date | None
    contacts: list[DealContactOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_contacts(obj: Opportunity) -> list[DealContactOut]:
        return [
            DealContactOut(contact_id=link.contact_id, role=link.role) for link in obj.contact_roles.all()
        ]


class DealContactIn(Schema):
    model_config = ConfigDict(extra="forbid")

    contact_id: ObjectId
    role: BuyingRole


class OpportunityFields(Schema):
    model_config = ConfigDict(extra="forbid")

    product_line_id: ObjectId | None = None
    discount_pct: Percent | None = None
    probability: int | None = Field(
        None, ge=0, le=100, description="The stage's usual probability when absent."
    )
    owner_id: ObjectId | None = Field(None, description="Managers only; others own what they open.")
    purchase_type: PurchaseType | None = Field(
        None, description="Suggested from the account's history of the product line when absent."
    )
    currency: Currency | None = Field(None, pattern=r"^[A-Z]{3}$", description="The account's when absent.")
    contacts: list[DealContactIn] | None = Field(
        None,
        max_length=100,
        description="The buying center of the deal: contacts of the account and their roles.",
    )


class OpportunityCreate(OpportunityFields):
    account_id: ObjectId
    name: Text = Field(min_length=1, max_length=200)
    amount: Money = Field(max_digits=16)
    expected_close_date: dt.date
    stage: OpenStage = "qualification"


class OpportunityUpdate(OpportunityFields):
    name: Text | None = Field(None, min_length=1, max_length=200)
    amount: Money | None = Field(None, max_digits=16)
    expected_close_date: dt.date | None = None


class OpportunityMove(Schema):
    model_config = ConfigDict(extra="forbid")

    stage: OpenStage


class OpportunityClose(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["won", "lost"]
    reason: CloseReason | Literal[""] = Field("", description="Required when lost.")
    note: Text = Field("", max_length=300)
    closed_on: dt.date | None = Field(None, description="Today when absent.")


OPPORTUNITY_ORDERING = [
    "expected_close_date",
    "amount_cents",
    "probability",
    "created_at",
    "updated_at",
    "id",
]
OpportunityListQuery = list_query("OpportunityListQuery", OpportunityFilterSet, OPPORTUNITY_ORDERING)
FIELD_RULES = {"owner_id": lambda user: user.manages_everything}


def _with_contacts(queryset: Any) -> Any:
    return queryset.prefetch_related(
        Prefetch("contact_roles", queryset=OpportunityContact.objects.order_by("id"))
    )


def _arguments(request: HttpRequest, fields: dict[str, Any], account: Account) -> dict[str, Any]:
    """Body fields as service arguments: ids resolved among what the caller may see (else 422)."""
    reject_fields(request, fields, FIELD_RULES)
    arguments = dict(fields)
    if "product_line_id" in arguments:
        line_id = arguments.pop("product_line_id")
        line = ProductLine.objects.filter(pk=line_id).first() if line_id is not None else None
        if line_id is not None and line is None:
            raise Problem(
                422, errors=[field_error("body.product_line_id", _("There is no such product line."))]
            )
        arguments["product_line"] = line
    if "owner_id" in arguments:
        owner_id = arguments.pop("owner_id")
        owner = (
            User.objects.filter(pk=owner_id, is_active=True, role__in=ROLES_EDITING).first()
            if owner_id
            else None
        )
        if owner_id is not None and owner is None:
            raise Problem(
                422, errors=[field_error("body.owner_id", _("There is no such user who may own a deal."))]
            )
        arguments["owner"] = owner
    if arguments.get("amount") is not None:
        arguments["amount_cents"] = to_cents(arguments.pop("amount"))
    if "contacts" in arguments:
        entries = arguments.pop("contacts")
        if entries is not None:
            arguments["buying_center"] = _buying_center(request, account, entries)
    return {
        name: value
        for name, value in arguments.items()
        if value is not None or name in {"product_line", "owner"}
    }


def _buying_center(
    request: HttpRequest, account: Account, entries: list[dict[str, Any]]
) -> dict[Contact, str]:
    """The roles of the account's contacts on the deal; contacts not named are taken off it."""
    named = {entry["contact_id"]: entry["role"] for entry in entries}
    contacts = {
        contact.pk: contact for contact in Contact.objects.visible_to(request.user).filter(account=account)
    }
    for index, entry in enumerate(entries):
        if entry["contact_id"] not in contacts:
            raise Problem(
                422,
                errors=[
                    field_error(
                        f"body.contacts.{index}.contact_id", _("There is no such contact at the account.")
                    )
                ],
            )
    return {contact: str(named.get(pk, "")) for pk, contact in contacts.items()}


@router.get("/opportunities", response=page_schema(OpportunityOut), summary="List opportunities")
@resource(Opportunity)
def list_opportunities(request: HttpRequest, query: Query[OpportunityListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        OpportunityFilterSet,
        ordering=OPPORTUNITY_ORDERING,
        default_ordering=["expected_close_date"],
        prepare=_with_contacts,
    )


@router.get("/opportunities/{int:opportunity_id}", response=OpportunityOut, summary="Read an opportunity")
@resource(Opportunity)
def get_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: ObjectId) -> Any:
    opportunity = get_visible(_with_contacts(Opportunity.objects.visible_to(request.user)), opportunity_id)
    with_etag(response, opportunity)
    return opportunity


@router.post("/opportunities", response={201: OpportunityOut}, summary="Open an opportunity")
def create_opportunity(request: HttpRequest, response: HttpResponse, payload: OpportunityCreate) -> Any:
    account = visible_account_or_422(request, payload.account_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"account_id"})
    arguments = _arguments(request, fields, account)
    opportunity = opportunity_create(actor=request.user, account=account, **arguments)
    opportunity = _with_contacts(Opportunity.objects.all()).get(pk=opportunity.pk)
    with_etag(response, opportunity)
    return Status(201, opportunity)


def _changed(request: HttpRequest, response: HttpResponse, opportunity: Opportunity) -> Opportunity:
    fresh = _with_contacts(Opportunity.objects.visible_to(request.user)).get(pk=opportunity.pk)
    with_etag(response, fresh)
    return fresh


@router.patch(
    "/opportunities/{int:opportunity_id}",
    response=OpportunityOut,
    summary="Change an opportunity (needs If-Match)",
)
def update_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: ObjectId, payload: OpportunityUpdate
) -> Any:
    opportunity = get_visible(
        Opportunity.objects.visible_to(request.user).select_related("account"), opportunity_id
    )
    version = required_version(request, opportunity)
    arguments = _arguments(request, payload.model_dump(exclude_unset=True), opportunity.account)
    opportunity_update(actor=request.user, opportunity=opportunity, expected_version=version, **arguments)
    return _changed(request, response, opportunity)


@router.post(
    "/opportunities/{int:opportunity_id}/move",
    response=OpportunityOut,
    summary="Move an opportunity to another open stage (needs If-Match)",
)
def move_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: ObjectId, payload: OpportunityMove
) -> Any:
    opportunity = get_visible(
        Opportunity.objects.visible_to(request.user).select_related("account"), opportunity_id
    )
    version = required_version(request, opportunity)
    opportunity_move(
        actor=request.user, opportunity=opportunity, stage=payload.stage, expected_version=version
    )
    return _changed(request, response, opportunity)


@router.post(
    "/opportunities/{int:opportunity_id}/close",
    response=OpportunityOut,
    summary="Close an opportunity as won or lost (needs If-Match; a lost one needs a reason)",
)
def close_opportunity(
    request: HttpRequest, response: HttpResponse, opportunity_id: ObjectId, payload: OpportunityClose
) -> Any:
    opportunity = get_visible(
        Opportunity.objects.visible_to(request.user).select_related("account"), opportunity_id
    )
    version = required_version(request, opportunity)
    opportunity_close(
        actor=request.user,
        opportunity=opportunity,
        won=payload.outcome == Stage.WON,
        reason=str(payload.reason),
        note=payload.note,
        closed_on=payload.closed_on,
        expected_version=version,
    )
    return _changed(request, response, opportunity)
