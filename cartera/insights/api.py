"""REST reads of each account's insights: metrics, loyalty tier and its history, segment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Router, Schema

from cartera.accounts.models import Account
from cartera.api.etag import with_etag
from cartera.api.listing import ObjectId, get_visible, resource
from cartera.api.problems import Problem
from cartera.insights.models import TierChange
from cartera.insights.selectors import insights_visible_to

router = Router(tags=["insights"])


class SegmentOut(Schema):
    id: int
    name: str
    service_model: str
    max_days_without_contact: int

    @staticmethod
    def resolve_service_model(obj: Any) -> str:
        return obj.service_model.name

    @staticmethod
    def resolve_max_days_without_contact(obj: Any) -> int:
        return int(obj.service_model.max_days_without_contact)


class InsightOut(Schema):
    account_id: int
    as_of: dt.date
    revenue_12m: Decimal
    cogs_12m: Decimal
    gross_margin_12m: Decimal
    cost_to_serve_12m: Decimal
    marketing_spend_12m: Decimal
    net_profit_12m: Decimal
    orders_total: int
    orders_12m: int
    recency_days: int | None
    tenure_days: int | None
    avg_discount_pct: Decimal | None
    tier: str
    tier_since: dt.date | None
    profit_class: str
    segment: SegmentOut | None
    last_interaction_date: dt.date | None
    days_without_contact: int | None
    is_disconnected: bool
    trust_score: Decimal | None
    churn_risk: int
    churn_factors: dict[str, Any]


class TierChangeOut(Schema):
    date: dt.date
    from_tier: str
    to_tier: str


@router.get(
    "/accounts/{int:account_id}/insights",
    response=InsightOut,
    summary="An account's metrics, tier and segment",
)
@resource(Account)
def get_account_insights(request: HttpRequest, response: HttpResponse, account_id: ObjectId) -> Any:
    rows = insights_visible_to(request.user).select_related("segment__service_model")
    insight = rows.filter(account_id=account_id).first()
    if insight is None:
        get_visible(Account.objects.visible_to(request.user), account_id)  # 404 when not visible
        raise Problem(404, _("This account's insights have not been computed yet."))
    response["Last-Modified"] = http_date(insight.updated_at.timestamp())
    return insight


@router.get(
    "/accounts/{int:account_id}/tier-history",
    response=list[TierChangeOut],
    summary="An account's moves on the ladder",
)
@resource(Account)
def get_tier_history(request: HttpRequest, response: HttpResponse, account_id: ObjectId) -> Any:
    account = get_visible(Account.objects.visible_to(request.user), account_id)
    with_etag(response, account)
    return list(TierChange.objects.filter(account=account).order_by("date", "id"))
