"""REST endpoints for service costs and marketing spend: parse, call, return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from cartera.accounts.api import visible_account_or_422
from cartera.api.etag import with_etag
from cartera.api.listing import (
    ObjectId,
    Text,
    list_query,
    page_schema,
    paginate,
    read_flat,
    resource,
)
from cartera.costs.filtersets import MarketingSpendFilterSet, ServiceCostFilterSet
from cartera.costs.models import MarketingSpend, ServiceCost, ServiceCostKind
from cartera.costs.services import marketing_spend_record, service_cost_record

router = Router(tags=["costs"])

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]
ORDERING = ["date", "amount", "created_at", "id"]


class ServiceCostOut(Schema):
    id: int
    account_id: int
    date: dt.date
    kind: str
    amount: Decimal
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ServiceCostCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    date: dt.date
    kind: ServiceCostKind
    amount: Money
    note: Text = Field("", max_length=300)


ServiceCostListQuery = list_query("ServiceCostListQuery", ServiceCostFilterSet, ORDERING)


@router.get("/service-costs", response=page_schema(ServiceCostOut), summary="List service costs")
@resource(ServiceCost)
def list_service_costs(request: HttpRequest, query: Query[ServiceCostListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        ServiceCostFilterSet,
        ordering=ORDERING,
        default_ordering=["-date"],
        flat=ServiceCostOut,
    )


@router.get("/service-costs/{int:cost_id}", response=ServiceCostOut, summary="Read a service cost")
@resource(ServiceCost)
def get_service_cost(request: HttpRequest, cost_id: ObjectId) -> Any:
    return read_flat(ServiceCost.objects.visible_to(request.user), cost_id, ServiceCostOut)


@router.post("/service-costs", response={201: ServiceCostOut}, summary="Record a cost of serving an account")
def create_service_cost(request: HttpRequest, response: HttpResponse, payload: ServiceCostCreate) -> Any:
    fields = payload.model_dump(exclude={"account_id"})
    cost = service_cost_record(
        actor=request.user, account=visible_account_or_422(request, payload.account_id), **fields
    )
    with_etag(response, cost)
    return Status(201, cost)


class MarketingSpendOut(Schema):
    id: int
    account_id: int
    date: dt.date
    campaign: str
    amount: Decimal
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MarketingSpendCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    account_id: ObjectId
    date: dt.date
    campaign: Text = Field(min_length=1, max_length=200)
    amount: Money
    note: Text = Field("", max_length=300)


MarketingSpendListQuery = list_query("MarketingSpendListQuery", MarketingSpendFilterSet, ORDERING)


@router.get("/marketing-spend", response=page_schema(MarketingSpendOut), summary="List marketing spend")
@resource(MarketingSpend)
def list_marketing_spend(request: HttpRequest, query: Query[MarketingSpendListQuery]) -> Any:  # type: ignore[valid-type]
    return paginate(
        request,
        query,
        MarketingSpendFilterSet,
        ordering=ORDERING,
        default_ordering=["-date"],
        flat=MarketingSpendOut,
    )


@router.get("/marketing-spend/{int:spend_id}", response=MarketingSpendOut, summary="Read a marketing spend")
@resource(MarketingSpend)
def get_marketing_spend(request: HttpRequest, spend_id: ObjectId) -> Any:
    return read_flat(MarketingSpend.objects.visible_to(request.user), spend_id, MarketingSpendOut)


@router.post(
    "/marketing-spend", response={201: MarketingSpendOut}, summary="Record marketing spend on an account"
)
def create_marketing_spend(
    request: HttpRequest, response: HttpResponse, payload: MarketingSpendCreate
) -> Any:
    fields = payload.model_dump(exclude={"account_id"})
    spend = marketing_spend_record(
        actor=request.user, account=visible_account_or_422(request, payload.account_id), **fields
    )
    with_etag(response, spend)
    return Status(201, spend)
