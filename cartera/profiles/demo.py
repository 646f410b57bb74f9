"""Demo B2C data: anonymous Chilean consumers with three years of purchases, and default profiles.

The consumers fall in behaviour groups a marketer would recognise — frequent high spenders, regular and
occasional buyers, lapsed buyers who stopped a year or more ago, and new buyers of the last months — so
that profiles and suggested profiles have something to find. Everything comes from the given
random.Random, so the same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from cartera.profiles.choices import AgeBand, ConsumerChannel
from cartera.profiles.models import Consumer, ConsumerOrder, Profile
from cartera.profiles.services import consumer_orders_bulk_create, consumers_bulk_create, profile_create

HISTORY_DAYS = 3 * 365
CHUNK_SIZE = 2000

# Share of consumers by region, roughly as Chile's population is spread.
REGION_WEIGHTS = {
    "CL-RM": 40.0,
    "CL-VS": 10.0,
    "CL-BI": 8.5,
    "CL-ML": 6.0,
    "CL-AR": 5.5,
    "CL-LI": 5.0,
    "CL-LL": 5.0,
    "CL-CO": 4.5,
    "CL-AN": 3.5,
    "CL-NB": 2.5,
    "CL-LR": 2.0,
    "CL-TA": 2.0,
    "CL-AT": 1.5,
    "CL-AP": 1.3,
    "CL-MA": 1.0,
    "CL-AI": 0.5,
}


@dataclass(frozen=True)
class BehaviourGroup:
    """How the consumers of one group buy: when they started and stopped, how often, how much."""

    key: str
    share: float
    first_purchase_days_back: tuple[int, int]  # the first purchase falls this many days before D
    stopped_days_back: tuple[int, int]  # no purchases after this many days before D (0: still buying)
    mean_days_between: float
    median_ticket: float
    ages: dict[str, float]
    channels: dict[str, float]


GROUPS = (
    BehaviourGroup(
        key="frequent_high",
        share=0.12,
        first_purchase_days_back=(HISTORY_DAYS - 1, 420),
        stopped_days_back=(0, 0),
        mean_days_between=20,
        median_ticket=72_000,
        ages={AgeBand.AGE_35_44: 4, AgeBand.AGE_45_54: 4, AgeBand.AGE_25_34: 2, AgeBand.AGE_55_64: 2},
        channels={ConsumerChannel.ONLINE: 5, ConsumerChannel.STORE: 4, ConsumerChannel.PHONE: 1},
    ),
    BehaviourGroup(
        key="regular",
        share=0.23,
        first_purchase_days_back=(HISTORY_DAYS - 1, 365),
        stopped_days_back=(0, 0),
        mean_days_between=70,
        median_ticket=38_000,
        ages={AgeBand.AGE_25_34: 3, AgeBand.AGE_35_44: 3, AgeBand.AGE_45_54: 2, AgeBand.AGE_55_64: 1},
        channels={ConsumerChannel.STORE: 5, ConsumerChannel.ONLINE: 3, ConsumerChannel.MARKETPLACE: 2},
    ),
    BehaviourGroup(
        key="occasional",
        share=0.30,
        first_purchase_days_back=(HISTORY_DAYS - 1, 200),
        stopped_days_back=(0, 0),
        mean_days_between=170,
        median_ticket=24_000,
        ages={
            AgeBand.AGE_18_24: 2,
            AgeBand.AGE_25_34: 3,
            AgeBand.AGE_35_44: 2,
            AgeBand.AGE_65_PLUS: 1,
            AgeBand.UNKNOWN: 1,
        },
        channels={ConsumerChannel.MARKETPLACE: 4, ConsumerChannel.STORE: 4, ConsumerChannel.ONLINE: 2},
    ),
    BehaviourGroup(
        key="lapsed",
        share=0.23,
        first_purchase_days_back=(HISTORY_DAYS - 1, 700),
        stopped_days_back=(820, 400),
        mean_days_between=45,
        median_ticket=31_000,
        ages={AgeBand.AGE_35_44: 2, AgeBand.AGE_45_54: 2, AgeBand.AGE_55_64: 2, AgeBand.AGE_65_PLUS: 2},
        channels={ConsumerChannel.STORE: 6, ConsumerChannel.PHONE: 2, ConsumerChannel.ONLINE: 2},
    ),
    BehaviourGroup(
        key="new",
        share=0.12,
        first_purchase_days_back=(110, 1),
        stopped_days_back=(0, 0),
        mean_days_between=30,
        median_ticket=29_000,
        ages={AgeBand.AGE_18_24: 4, AgeBand.AGE_25_34: 4, AgeBand.AGE_35_44: 1},
        channels={ConsumerChannel.ONLINE: 5, ConsumerChannel.MARKETPLACE: 4, ConsumerChannel.STORE: 1},
    ),
)


@dataclass(frozen=True)
class GeneratedConsumers:
    """What generate_consumers wrote."""

    consumers: int
    orders: int


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _purchase_dates(rng: random.Random, group: BehaviourGroup, as_of: dt.date) -> list[dt.date]:
    first_back = rng.randint(group.first_purchase_days_back[1], group.first_purchase_days_back[0])
    stop_back = rng.randint(group.stopped_days_back[1], group.stopped_days_back[0])
    day, last = as_of - dt.timedelta(days=first_back), as_of - dt.timedelta(days=min(stop_back, first_back))
    dates = []
    while day <= last:
        dates.append(day)
        day += dt.timedelta(days=max(1, round(rng.expovariate(1 / group.mean_days_between))))
    return dates


def _purchase(rng: random.Random, consumer: Consumer, group: BehaviourGroup, date: dt.date) -> ConsumerOrder:
    revenue = Decimal(round(rng.lognormvariate(math.log(group.median_ticket), 0.45), -1))
    cost = Decimal(round(revenue * Decimal(str(round(rng.uniform(0.52, 0.68), 3)))))
    return ConsumerOrder(consumer=consumer, date=date, revenue=revenue, cost=cost)


def generate_consumers(
    *, rng: random.Random, as_of: dt.date, count: int, actor: Any = None, chunk_size: int = CHUNK_SIZE
) -> GeneratedConsumers:
    """Write `count` anonymous consumers and their purchases of the three years up to `as_of`.

    Customer numbers continue after the consumers already stored (C0000001, C0000002, ...); writes go
    through the bulk services in chunks, one audit record per chunk and kind.
    """
    groups = list(GROUPS)
    shares = [group.share for group in groups]
    first_number = Consumer.objects.count() + 1
    written_orders = 0
    for start in range(0, count, chunk_size):
        consumers: list[Consumer] = []
        plans: list[tuple[Consumer, BehaviourGroup]] = []
        for offset in range(start, min(start + chunk_size, count)):
            group = rng.choices(groups, weights=shares)[0]
            consumer = Consumer(
                customer_number=f"C{first_number + offset:07d}",
                region=_pick(rng, REGION_WEIGHTS),
                age_band=_pick(rng, group.ages),
                channel=_pick(rng, group.channels),
            )
            consumers.append(consumer)
            plans.append((consumer, group))
        orders = [
            _purchase(rng, consumer, group, date)
            for consumer, group in plans
            for date in _purchase_dates(rng, group, as_of)
        ]
        consumers_bulk_create(actor=actor, consumers=consumers, source="demo consumers")
        written_orders += consumer_orders_bulk_create(
            actor=actor, orders=orders, source="demo consumer orders"
        )
    return GeneratedConsumers(consumers=count, orders=written_orders)


def default_profiles() -> list[dict[str, Any]]:
    """Four profiles most B2C businesses start with (amounts in the demo's Chilean pesos)."""
    return [
        {
            "name": gettext("Frequent high-value"),
            "description": gettext(
                "Eight or more purchases and 600,000 or more spent in the last 12 months."
            ),
            "priority": 10,
            "rule": {
                "all": [
                    {"field": "orders_12m", "op": ">=", "value": 8},
                    {"field": "spend_12m", "op": ">=", "value": "600000"},
                ]
            },
        },
        {
            "name": gettext("Occasional"),
            "description": gettext("One to three purchases in the last 12 months."),
            "priority": 20,
            "rule": {
                "all": [
                    {"field": "orders_12m", "op": ">=", "value": 1},
                    {"field": "orders_12m", "op": "<=", "value": 3},
                ]
            },
        },
        {
            "name": gettext("At risk of leaving"),
            "description": gettext("Last purchase between six and eighteen months ago."),
            "priority": 30,
            "rule": {
                "all": [
                    {"field": "recency_days", "op": ">=", "value": 180},
                    {"field": "recency_days", "op": "<=", "value": 540},
                ]
            },
        },
        {
            "name": gettext("New"),
            "description": gettext("First purchase in the last 90 days."),
            "priority": 40,
            "rule": {"all": [{"field": "tenure_days", "op": "<=", "value": 90}]},
        },
    ]


def create_default_profiles(actor: Any) -> list[Profile]:
    """Create the default profiles whose names are not taken yet; returns the ones created."""
    taken = set(Profile.objects.values_list("name", flat=True))
    return [
        profile_create(actor=actor, **definition)
        for definition in default_profiles()
        if definition["name"] not in taken
    ]
