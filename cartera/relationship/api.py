"""REST endpoints for interactions, commitments, referrals and feedback: parse, call, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.api import visible_account_or_422
from cartera.accounts.models import Contact
from cartera.api.etag import required_version, with_etag
from cartera.api.listing import (
    ObjectId,
    Text,
    get_visible,
    list_query,
    page_schema,
    paginate,
    read_flat,
    resource,
)
from cartera.api.problems import Problem, field_error
from cartera.relationship.filtersets import (
    CommitmentFilterSet,
    FeedbackFilterSet,
    InteractionFilterSet,
    ReferralFilterSet,
)
from cartera.relationship.models import (
    Commitment,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Interaction,
    InteractionKind,
    Referral,
    ReferralKind,
    SurveyType,
)
from cartera.relationship.services import (
    commitment_create,
    commitment_resolve,
    feedback_create,
    feedback_update,
    interaction_log,
    referral_create,
)

router = Router(tags=["relationship"])


def _contact_or_422(request: HttpRequest, contact_id: int | None, field: str) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.visible_to(request.user).filter(pk=contact_id).first()
    if contact is None:
        raise Problem(422, errors=[field_error(field, _("There is no such contact."))])
    return contact


class InteractionOut(Schema):
    id: int
    account_id: int
    user_id: int | None
    kind: str
    occurred_at: dt.datetime
    occurred_on: dt.date
    summary: str
    contact_ids: list[int]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_contact_ids(obj: Interaction) -> list[int]:
        return sorted(contact.pk for contact in obj.contacts.all())


class InteractionCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    kind: InteractionKind
    occurred_at: dt.datetime | None = None
    summary: Text = Field("", max_length=10000)
    contact_ids: list[ObjectId] = Field(default_factory=list, max_length=100)


INTERACTION_ORDERING = ["occurred_at", "created_at", "id"]
InteractionListQuery = list_query("InteractionListQuery", InteractionFilterSet, INTERACTION_ORDERING)


def _with_contacts(queryset: Any) -> Any:
    return queryset.prefetch_related("contacts")


@router.get("/interactions", response=page_schema(InteractionOut), summary="List interactions")
@resource(Interaction)
def list_interactions(request: HttpRequest, query: Query[InteractionListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        InteractionFilterSet,
        ordering=INTERACTION_ORDERING,
        default_ordering=["-occurred_at"],
        prepare=_with_contacts,
    )


@router.get("/interactions/{int:interaction_id}", response=InteractionOut, summary="Read an interaction")
@resource(Interaction)
def get_interaction(request: HttpRequest, response: HttpResponse, interaction_id: ObjectId) -> Any:
    interaction = get_visible(_with_contacts(Interaction.objects.visible_to(request.user)), interaction_id)
    with_etag(response, interaction)
    return interaction


@router.post("/interactions", response={201: InteractionOut}, summary="Record an interaction")
def create_interaction(request: HttpRequest, response: HttpResponse, payload: InteractionCreate) -> Any:
    account = visible_account_or_422(request, payload.account_id)
    contacts = [
        _contact_or_422(request, contact_id, f"body.contact_ids.{index}")
        for index, contact_id in enumerate(payload.contact_ids)
    ]
    interaction = interaction_log(
        actor=request.user,
        account=account,
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        summary=payload.summary,
        contacts=[contact for contact in contacts if contact is not None],
    )
    with_etag(response, interaction)
    return Status(201, interaction)


class CommitmentOut(Schema):
    id: int
    account_id: int
    promised_by_id: int | None
    promised_to_id: int | None
    description: str
    due_date: dt.date
    status: str
    resolved_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CommitmentCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    description: Text = Field(min_length=1, max_length=300)
    due_date: dt.date
    promised_to_id: ObjectId | None = None


class CommitmentResolve(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Text = Field(description="kept, broken or cancelled")
    resolved_on: dt.date | None = None


COMMITMENT_ORDERING = ["due_date", "created_at", "id"]
CommitmentListQuery = list_query("CommitmentListQuery", CommitmentFilterSet, COMMITMENT_ORDERING)


@router.get("/commitments", response=page_schema(CommitmentOut), summary="List commitments")
@resource(Commitment)
def list_commitments(request: HttpRequest, query: Query[CommitmentListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        CommitmentFilterSet,
        ordering=COMMITMENT_ORDERING,
        default_ordering=["due_date"],
        flat=CommitmentOut,
    )


@router.get("/commitments/{int:commitment_id}", response=CommitmentOut, summary="Read a commitment")
@resource(Commitment)
def get_commitment(request: HttpRequest, commitment_id: ObjectId) -> Any:
    return read_flat(Commitment.objects.visible_to(request.user), commitment_id, CommitmentOut)


@router.post("/commitments", response={201: CommitmentOut}, summary="Record a promise made to a client")
def create_commitment(request: HttpRequest, response: HttpResponse, payload: CommitmentCreate) -> Any:
    commitment = commitment_create(
        actor=request.user,
        account=visible_account_or_422(request, payload.account_id),
        description=payload.description,
        due_date=payload.due_date,
        promised_to=_contact_or_422(request, payload.promised_to_id, "body.promised_to_id"),
    )
    with_etag(response, commitment)
    return Status(201, commitment)


@router.post(
    "/commitments/{int:commitment_id}/resolve",
    response=CommitmentOut,
    summary="Close a commitment as kept, broken or cancelled (needs If-Match)",
)
def resolve_commitment(
    request: HttpRequest, response: HttpResponse, commitment_id: ObjectId, payload: CommitmentResolve
) -> Any:
    commitment = get_visible(
        Commitment.objects.visible_to(request.user).select_related("account"), commitment_id
    )
    version = required_version(request, commitment)
    commitment = commitment_resolve(
        actor=request.user,
        commitment=commitment,
        status=payload.status,
        expected_version=version,
        resolved_on=payload.resolved_on,
    )
    with_etag(response, commitment)
    return commitment


class ReferralOut(Schema):
    id: int
    account_id: int
    date: dt.date
    kind: str
    referred_company: str
    referred_account_id: int | None
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ReferralCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    date: dt.date
    kind: ReferralKind = ReferralKind.REFERRAL
    referred_company: Text = Field("", max_length=200)
    referred_account_id: ObjectId | None = None
    note: Text = Field("", max_length=300)


REFERRAL_ORDERING = ["date", "created_at", "id"]
ReferralListQuery = list_query("ReferralListQuery", ReferralFilterSet, REFERRAL_ORDERING)


@router.get("/referrals", response=page_schema(ReferralOut), summary="List referrals and testimonials")
@resource(Referral)
def list_referrals(request: HttpRequest, query: Query[ReferralListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        ReferralFilterSet,
        ordering=REFERRAL_ORDERING,
        default_ordering=["-date"],
        flat=ReferralOut,
    )


@router.get("/referrals/{int:referral_id}", response=ReferralOut, summary="Read a referral")
@resource(Referral)
def get_referral(request: HttpRequest, referral_id: ObjectId) -> Any:
    return read_flat(Referral.objects.visible_to(request.user), referral_id, ReferralOut)


@router.post("/referrals", response={201: ReferralOut}, summary="Record a referral or testimonial")
def create_referral(request: HttpRequest, response: HttpResponse, payload: ReferralCreate) -> Any:
    referred = None
    if payload.referred_account_id is not None:
        referred = visible_account_or_422(request, payload.referred_account_id, "body.referred_account_id")
    referral = referral_create(
        actor=request.user,
        account=visible_account_or_422(request, payload.account_id),
        date=payload.date,
        kind=payload.kind,
        referred_company=payload.referred_company,
        referred_account=referred,
        note=payload.note,
    )
    with_etag(response, referral)
    return Status(201, referral)


class FeedbackOut(Schema):
    id: int
    account_id: int
    contact_id: int | None
    date: dt.date
    kind: str
    survey_type: str
    score: int | None
    category: str
    description: str
    root_cause: str
    corrective_action: str
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class FeedbackFields(Schema):
    model_config = ConfigDict(extra="forbid")

    score: int | None = Field(None, ge=0, le=10)
    category: Text | None = Field(None, max_length=100)
    description: Text | None = Field(None, max_length=10000)
    root_cause: Text | None = Field(None, max_length=200)
    corrective_action: Text | None = Field(None, max_length=300)
    status: FeedbackStatus | None = None


class FeedbackCreate(FeedbackFields):
    account_id: ObjectId
    kind: FeedbackKind
    date: dt.date
    contact_id: ObjectId | None = None
    survey_type: SurveyType | None = None


FEEDBACK_ORDERING = ["date", "created_at", "id"]
FeedbackListQuery = list_query("FeedbackListQuery", FeedbackFilterSet, FEEDBACK_ORDERING)


@router.get("/feedback", response=page_schema(FeedbackOut), summary="List feedback")
@resource(Feedback)
def list_feedback(request: HttpRequest, query: Query[FeedbackListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        FeedbackFilterSet,
        ordering=FEEDBACK_ORDERING,
        default_ordering=["-date"],
        flat=FeedbackOut,
    )


@router.get("/feedback/{int:feedback_id}", response=FeedbackOut, summary="Read a piece of feedback")
@resource(Feedback)
def get_feedback(request: HttpRequest, feedback_id: ObjectId) -> Any:
    return read_flat(Feedback.objects.visible_to(request.user), feedback_id, FeedbackOut)


@router.post("/feedback", response={201: FeedbackOut}, summary="Record feedback")
def create_feedback(request: HttpRequest, response: HttpResponse, payload: FeedbackCreate) -> Any:
    fields = payload.model_dump(exclude_unset=True, exclude={"account_id", "kind", "date", "contact_id"})
    fields = {name: value for name, value in fields.items() if value is not None}
    feedback = feedback_create(
        actor=request.user,
        account=visible_account_or_422(request, payload.account_id),
        kind=payload.kind,
        date=payload.date,
        contact=_contact_or_422(request, payload.contact_id, "body.contact_id"),
        **fields,
    )
    with_etag(response, feedback)
    return Status(201, feedback)


@router.patch("/feedback/{int:feedback_id}", response=FeedbackOut, summary="Change feedback (needs If-Match)")
def update_feedback(
    request: HttpRequest, response: HttpResponse, feedback_id: ObjectId, payload: FeedbackFields
) -> Any:
    feedback = get_visible(Feedback.objects.visible_to(request.user).select_related("account"), feedback_id)
    version = required_version(request, feedback)
    feedback = feedback_update(
        actor=request.user,
        feedback=feedback,
        expected_version=version,
        **payload.model_dump(exclude_unset=True),
    )
    with_etag(response, feedback)
    return feedback
