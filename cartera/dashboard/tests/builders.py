"""A small company for the dashboard's tests, on top of the `world` fixture, dated relative to today.

- in_portfolio (the executive's portfolio, territory Norte, segment Estratégicos): orders of 1.000 and
  800 in the window, 500 in the previous window, a service cost of 100 in the window; moved from
  frequent to sporadic 30 days ago; an overdue commitment; disconnected; churn risk up from 20 to 45.
- on_team (the executive is on its team; territory Sur, no segment): one order of 300 in the window;
  moved from sporadic to frequent 20 days ago and back 5 days ago (no net move).
- elsewhere (another executive's portfolio, territory Norte, segment Estratégicos): an order of 3.000 in
  the window and one of 2.000 exactly 365 days ago (the previous window); moved from sporadic to frequent
  10 days ago and had its first tier 200 days ago; an overdue commitment; disconnected; churn risk up
  from 10 to 60 (more recently than in_portfolio's).
Every order costs 60 % of its price. Money in pesos (CLP).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cartera.accounts.models import Account
from cartera.costs.tests.factories import ServiceCostFactory
from cartera.coverage.models import Territory
from cartera.coverage.tests.factories import TerritoryFactory
from cartera.insights.models import AccountInsight, Segment, ServiceModel, TierChange
from cartera.insights.services import insights_recompute_all
from cartera.insights.tests.builders import buy
from cartera.relationship.models import Commitment
from cartera.relationship.tests.factories import CommitmentFactory


@dataclass
class DashboardWorld:
    world: object
    today: dt.date
    north: Territory
    south: Territory
    strategic: Segment
    overdue_mine: Commitment
    overdue_elsewhere: Commitment


def _order(account: Account, on: dt.date, price: str) -> None:
    buy(account, on, price=price, cost=str((Decimal(price) * Decimal("0.6")).quantize(Decimal("0.01"))))


def build_dashboard_world(world) -> DashboardWorld:
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    north, south = TerritoryFactory(name="Norte"), TerritoryFactory(name="Sur")
    Account.objects.filter(pk__in=[world.in_portfolio.pk, world.elsewhere.pk]).update(territory=north)
    Account.objects.filter(pk=world.on_team.pk).update(territory=south)

    _order(world.in_portfolio, ago(10), "1000.00")
    _order(world.in_portfolio, ago(100), "800.00")
    _order(world.in_portfolio, ago(400), "500.00")
    ServiceCostFactory(account=world.in_portfolio, date=ago(50), amount=Decimal("100.00"))
    _order(world.on_team, ago(30), "300.00")
    _order(world.elsewhere, ago(20), "3000.00")
    _order(world.elsewhere, ago(365), "2000.00")
    insights_recompute_all(as_of=today, full=True)

    # Exact moves, segments, alerts and churn, written directly: nothing below queues a refresh.
    TierChange.objects.all().delete()
    moves = [
        (world.in_portfolio, 30, "frequent", "sporadic"),
        (world.on_team, 20, "sporadic", "frequent"),
        (world.on_team, 5, "frequent", "sporadic"),
        (world.elsewhere, 200, "", "buyer"),
        (world.elsewhere, 10, "sporadic", "frequent"),
    ]
    for account, days, from_tier, to_tier in moves:
        TierChange.objects.create(account=account, date=ago(days), from_tier=from_tier, to_tier=to_tier)
    strategic = Segment.objects.create(
        name="Estratégicos",
        priority=1,
        service_model=ServiceModel.objects.create(
            name="Ejecutivo dedicado",
            coverage="dedicated",
            max_days_without_contact=30,
            first_response_hours=4,
            resolution_hours=48,
            review_cadence_days=30,
        ),
    )
    insights = AccountInsight.objects
    insights.filter(account__in=[world.in_portfolio, world.elsewhere]).update(segment=strategic)
    insights.filter(account=world.on_team).update(segment=None, is_disconnected=False, days_overdue=0)
    insights.filter(account=world.in_portfolio).update(
        tier="sporadic",
        is_disconnected=True,
        days_without_contact=50,
        days_overdue=20,
        churn_risk=45,
        churn_risk_previous=20,
        churn_risk_changed_on=ago(3),
    )
    insights.filter(account=world.on_team).update(tier="sporadic", churn_risk=10, churn_risk_previous=30)
    insights.filter(account=world.elsewhere).update(
        tier="frequent",
        is_disconnected=True,
        days_without_contact=70,
        days_overdue=40,
        churn_risk=60,
        churn_risk_previous=10,
        churn_risk_changed_on=ago(1),
    )
    return DashboardWorld(
        world=world,
        today=today,
        north=north,
        south=south,
        strategic=strategic,
        overdue_mine=CommitmentFactory(
            account=world.in_portfolio,
            description="Enviar cotización",
            due_date=ago(6),
            promised_by=world.executive,
        ),
        overdue_elsewhere=CommitmentFactory(
            account=world.elsewhere,
            description="Visita técnica",
            due_date=ago(12),
            promised_by=world.other_executive,
        ),
    )
