"""REST endpoints for portfolios, territories and account teams: parse, call, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.api import visible_account_or_422
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
from cartera.commerce.filtersets import product_lines_visible_to
from cartera.coverage.filtersets import AccountTeamMemberFilterSet, PortfolioFilterSet, TerritoryFilterSet
from cartera.coverage.models import AccountTeamMember, Portfolio, Territory
from cartera.coverage.services import (
    portfolio_create,
    portfolio_reassign,
    team_member_add,
    team_member_remove,
    territory_create,
)

router = Router(tags=["coverage"])


def active_user_or_422(user_id: int | None, field: str) -> Any:
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Problem(422, errors=[field_error(field, _("There is no such active user."))])
    return user


class PortfolioOut(Schema):
    id: int
    name: str
    owner_id: int
    description: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PortfolioCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=120)
    owner_id: ObjectId
    description: Text = ""


class PortfolioReassign(Schema):
    model_config = ConfigDict(extra="forbid")

    owner_id: ObjectId
    reason: Text = Field("", max_length=300)


PORTFOLIO_ORDERING = ["name", "created_at", "id"]
PortfolioListQuery = list_query("PortfolioListQuery", PortfolioFilterSet, PORTFOLIO_ORDERING)


@router.get("/portfolios", response=page_schema(PortfolioOut), summary="List portfolios")
@resource(Portfolio)
def list_portfolios(request: HttpRequest, query: Query[PortfolioListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        PortfolioFilterSet,
        ordering=PORTFOLIO_ORDERING,
        default_ordering=["name"],
        flat=PortfolioOut,
    )


@router.get("/portfolios/{int:portfolio_id}", response=PortfolioOut, summary="Read a portfolio")
@resource(Portfolio)
def get_portfolio(request: HttpRequest, portfolio_id: ObjectId) -> Any:
    return read_flat(Portfolio.objects.visible_to(request.user), portfolio_id, PortfolioOut)


@router.post("/portfolios", response={201: PortfolioOut}, summary="Create a portfolio")
def create_portfolio(request: HttpRequest, response: HttpResponse, payload: PortfolioCreate) -> Any:
    owner = active_user_or_422(payload.owner_id, "body.owner_id")
    portfolio = portfolio_create(
        actor=request.user, name=payload.name, owner=owner, description=payload.description
    )
    with_etag(response, portfolio)
    return Status(201, portfolio)


@router.post(
    "/portfolios/{int:portfolio_id}/reassign",
    response=PortfolioOut,
    summary="Hand a portfolio to another salesperson (needs If-Match)",
)
def reassign_portfolio(
    request: HttpRequest, response: HttpResponse, portfolio_id: ObjectId, payload: PortfolioReassign
) -> Any:
    portfolio = get_visible(Portfolio.objects.visible_to(request.user).select_related("owner"), portfolio_id)
    version = required_version(request, portfolio)
    owner = active_user_or_422(payload.owner_id, "body.owner_id")
    portfolio = portfolio_reassign(
        actor=request.user,
        portfolio=portfolio,
        new_owner=owner,
        expected_version=version,
        reason=payload.reason,
    )
    with_etag(response, portfolio)
    return portfolio


class TerritoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    responsible_id: int | None
    regions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_regions(obj: Territory) -> list[str]:
        return [item.region for item in obj.regions.all()]


class TerritoryCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=120)
    regions: list[Text] = Field(default_factory=list, max_length=500)
    responsible_id: ObjectId | None = None
    parent_id: ObjectId | None = None


TERRITORY_ORDERING = ["name", "created_at", "id"]
TerritoryListQuery = list_query("TerritoryListQuery", TerritoryFilterSet, TERRITORY_ORDERING)


def _with_regions(queryset: Any) -> Any:
    return queryset.prefetch_related("regions")


@router.get("/territories", response=page_schema(TerritoryOut), summary="List territories")
@resource(Territory)
def list_territories(request: HttpRequest, query: Query[TerritoryListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        TerritoryFilterSet,
        ordering=TERRITORY_ORDERING,
        default_ordering=["name"],
        prepare=_with_regions,
    )


@router.get("/territories/{int:territory_id}", response=TerritoryOut, summary="Read a territory")
@resource(Territory)
def get_territory(request: HttpRequest, response: HttpResponse, territory_id: ObjectId) -> Any:
    territory = get_visible(_with_regions(Territory.objects.visible_to(request.user)), territory_id)
    with_etag(response, territory)
    return territory


@router.post("/territories", response={201: TerritoryOut}, summary="Create a territory over regions")
def create_territory(request: HttpRequest, response: HttpResponse, payload: TerritoryCreate) -> Any:
    parent = None
    if payload.parent_id is not None:
        parent = Territory.objects.visible_to(request.user).filter(pk=payload.parent_id).first()
        if parent is None:
            raise Problem(422, errors=[field_error("body.parent_id", _("There is no such territory."))])
    territory = territory_create(
        actor=request.user,
        name=payload.name,
        regions=payload.regions,
        responsible=active_user_or_422(payload.responsible_id, "body.responsible_id"),
        parent=parent,
    )
    with_etag(response, territory)
    return Status(201, territory)


class TeamMemberOut(Schema):
    id: int
    account_id: int
    user_id: int
    role: str
    product_line_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TeamMemberCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    user_id: ObjectId
    role: Text = "responsible"
    product_line_id: ObjectId | None = None


TEAM_ORDERING = ["role", "created_at", "id"]
TeamMemberListQuery = list_query("TeamMemberListQuery", AccountTeamMemberFilterSet, TEAM_ORDERING)


@router.get("/team-members", response=page_schema(TeamMemberOut), summary="List account-team members")
@resource(AccountTeamMember)
def list_team_members(request: HttpRequest, query: Query[TeamMemberListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        AccountTeamMemberFilterSet,
        ordering=TEAM_ORDERING,
        default_ordering=["account_id", "id"],
        flat=TeamMemberOut,
    )


@router.get("/team-members/{int:member_id}", response=TeamMemberOut, summary="Read an account-team member")
@resource(AccountTeamMember)
def get_team_member(request: HttpRequest, member_id: ObjectId) -> Any:
    return read_flat(AccountTeamMember.objects.visible_to(request.user), member_id, TeamMemberOut)


@router.post("/team-members", response={201: TeamMemberOut}, summary="Put a user on an account's team")
def add_team_member(request: HttpRequest, response: HttpResponse, payload: TeamMemberCreate) -> Any:
    account = visible_account_or_422(request, payload.account_id)
    product_line = None
    if payload.product_line_id is not None:
        product_line = product_lines_visible_to(request.user).filter(pk=payload.product_line_id).first()
        if product_line is None:
            raise Problem(
                422, errors=[field_error("body.product_line_id", _("There is no such product line."))]
            )
    member = team_member_add(
        actor=request.user,
        account=account,
        user=active_user_or_422(payload.user_id, "body.user_id"),
        role=payload.role,
        product_line=product_line,
    )
    with_etag(response, member)
    return Status(201, member)


@router.delete(
    "/team-members/{int:member_id}", response={204: None}, summary="Take a user off an account's team"
)
def remove_team_member(request: HttpRequest, member_id: ObjectId) -> Any:
    member = get_visible(
        AccountTeamMember.objects.visible_to(request.user).select_related("account"), member_id
    )
    team_member_remove(actor=request.user, member=member)
    return Status(204, None)
