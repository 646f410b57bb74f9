"""Reads for consumers, their purchases and profiles, including rule evaluation in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Count, FilteredRelation, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from cartera.commerce.amounts import to_cents
from cartera.profiles.rules import AT_MOST, IN, parse_rule

if TYPE_CHECKING:
    from cartera.users.models import User

# DESIGN.md's window: the 365 days up to D, that is D − 365 < d ≤ D.
WINDOW_DAYS = 365

BEHAVIOUR_ANNOTATIONS = (
    "last_purchase_on",
    "first_purchase_on",
    "orders_12m",
    "spend_12m_cents",
    "cost_12m_cents",
    "orders_previous_12m",
)
# The join to a consumer's purchases dated ≤ D that every behaviour annotation aggregates.
PURCHASES_TO_DATE = "purchases_to_date"
# The annotations each rule field is evaluated on.
ANNOTATION_OF_FIELD = {
    "recency_days": "last_purchase_on",
    "tenure_days": "first_purchase_on",
    "orders_12m": "orders_12m",
    "spend_12m": "spend_12m_cents",
}


def window_start(as_of: dt.date, windows_back: int = 0) -> dt.date:
    """The exclusive start of the window ending at D (`windows_back` windows earlier)."""
    return as_of - dt.timedelta(days=WINDOW_DAYS * (windows_back + 1))


Q_ = TypeVar("Q_", bound=models.QuerySet)


def _visible_to_staff(queryset: Q_, user: Any) -> Q_:
    """B2C data is anonymous and measured only in groups: every signed-in staff user may read it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset


class ConsumerQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> ConsumerQuerySet:
        return _visible_to_staff(self, user)

    def with_behaviour(
        self, as_of: dt.date, annotations: Iterable[str] = BEHAVIOUR_ANNOTATIONS
    ) -> ConsumerQuerySet:
        """Each consumer annotated, as of D, with any of: `last_purchase_on` and `first_purchase_on`
        (dates of the last and first purchase dated ≤ D, or NULL); `orders_12m`, `spend_12m_cents` and
        `cost_12m_cents` (count, revenue and cost of the purchases in the window, 0 when none); and
        `orders_previous_12m` (purchases in the window before, D − 730 < d ≤ D − 365).

        All are aggregates over one join to the consumer's purchases dated ≤ D, grouped by consumer: a
        single pass over the purchases that PostgreSQL and SQLite both plan as a join and a grouping,
        rather than one lookup per consumer and figure. Conditions on them become HAVING clauses, and
        count() or aggregate() wrap the grouped query, so it still reads as one row per consumer.
        Calling it again adds only missing annotations, over the same join: use one D per queryset.
        """
        purchases = PURCHASES_TO_DATE
        queryset = self
        if purchases not in getattr(self.query, "_filtered_relations", {}):
            queryset = self.annotate(
                **{purchases: FilteredRelation("orders", condition=Q(orders__date__lte=as_of))}
            )
        current = Q(**{f"{purchases}__date__gt": window_start(as_of)})
        previous = Q(**{f"{purchases}__date__gt": window_start(as_of, windows_back=1)}) & Q(
            **{f"{purchases}__date__lte": window_start(as_of)}
        )
        zero = Value(0)
        expressions = {
            "last_purchase_on": Max(f"{purchases}__date"),
            "first_purchase_on": Min(f"{purchases}__date"),
            "orders_12m": Count(f"{purchases}__id", filter=current),
            "spend_12m_cents": Coalesce(Sum(f"{purchases}__revenue_cents", filter=current), zero),
            "cost_12m_cents": Coalesce(Sum(f"{purchases}__cost_cents", filter=current), zero),
            "orders_previous_12m": Count(f"{purchases}__id", filter=previous),
        }
        wanted = {name: expressions[name] for name in annotations if name not in self.query.annotations}
        return queryset.annotate(**wanted) if wanted else queryset

    def known_as_of(self, as_of: dt.date) -> ConsumerQuerySet:
        """Consumers who had bought at least once on or before D: the population as of D."""
        return self.with_behaviour(as_of, ["last_purchase_on"]).filter(last_purchase_on__isnull=False)

    def matching(self, rule: Any, as_of: dt.date) -> ConsumerQuerySet:
        """The consumers known as of D that meet every condition of `rule`, evaluated in SQL.

        Attribute conditions go to WHERE, behaviour ones to HAVING. Recency and tenure are compared as
        dates (recency_days ≤ 30 is: last purchase ≥ D − 30), which needs no date arithmetic in SQL and
        so reads the same on every database. Consumers with no purchase dated ≤ D meet no rule.
        """
        conditions = parse_rule(rule)
        needed = {"last_purchase_on"} | {
            ANNOTATION_OF_FIELD[c.field] for c in conditions if c.field in ANNOTATION_OF_FIELD
        }
        queryset = self.with_behaviour(as_of, [name for name in BEHAVIOUR_ANNOTATIONS if name in needed])
        where = Q(last_purchase_on__isnull=False)
        for condition in conditions:
            value = condition.value
            lookup = "lte" if condition.op == AT_MOST else "gte"
            if isinstance(value, tuple):
                membership = Q(**{f"{condition.field}__in": value})
                where &= membership if condition.op == IN else ~membership
            elif condition.field in ("recency_days", "tenure_days"):
                # More days since the purchase means an earlier date: the comparison turns around.
                date_lookup = "gte" if condition.op == AT_MOST else "lte"
                boundary = as_of - dt.timedelta(days=int(value))
                where &= Q(**{f"{ANNOTATION_OF_FIELD[condition.field]}__{date_lookup}": boundary})
            elif condition.field == "spend_12m":
                where &= Q(**{f"spend_12m_cents__{lookup}": to_cents(Decimal(value))})
            else:
                where &= Q(**{f"{condition.field}__{lookup}": value})
        return queryset.filter(where)


class ConsumerOrderQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> ConsumerOrderQuerySet:
        return _visible_to_staff(self, user)

    def dated_between(self, start: dt.date, end: dt.date) -> ConsumerOrderQuerySet:
        """Purchases with start < date ≤ end."""
        return self.filter(date__gt=start, date__lte=end)


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> ProfileQuerySet:
        return _visible_to_staff(self, user)

    def active(self) -> ProfileQuerySet:
        return self.filter(is_active=True)
