"""The figures of B2C profiles and of the whole consumer base, as of a reference date D.

For the consumers of a profile as of D (those known as of D that meet its rule, see
ConsumerQuerySet.matching), over DESIGN.md's window D − 365 < d ≤ D:

- `consumers`: how many they are;
- `buyers_12m`: how many bought in the window;
- `orders_12m`, `revenue_12m`, `cost_12m`: their purchases in the window, and those purchases' revenue
  and cost of goods; `margin_12m` = revenue_12m − cost_12m;
- `average_frequency`: orders_12m / buyers_12m (purchases per buyer), None without buyers;
- `retention`: of the members who bought in the previous window (D − 730 < d ≤ D − 365), the share who
  bought again in the current one; None when nobody bought in the previous window.

Nothing dated after D counts. Profiles overlap, so their figures do not add up to the whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from cartera.commerce.amounts import from_cents, to_cents
from cartera.profiles.models import Consumer, Profile
from cartera.profiles.querysets import ANNOTATION_OF_FIELD, ConsumerQuerySet
from cartera.profiles.rules import AT_MOST, IN, parse_rule

FREQUENCY_PLACES = Decimal("0.01")
RETENTION_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ProfileFigures:
    """The figures of one profile (or of every consumer when `profile` is None) as of a date."""

    profile: Profile | None
    as_of: dt.date
    consumers: int
    buyers_12m: int
    orders_12m: int
    revenue_12m: Decimal
    cost_12m: Decimal
    margin_12m: Decimal
    average_frequency: Decimal | None
    previous_buyers: int
    retained_buyers: int
    retention: Decimal | None


def profile_consumers(profile: Profile, as_of: dt.date) -> ConsumerQuerySet:
    """The consumers of `profile` as of D."""
    return Consumer.objects.matching(profile.rule, as_of)


def profile_figures(profile: Profile, as_of: dt.date) -> ProfileFigures:
    """The figures of one profile as of D (active or not)."""
    return _figures(profile_consumers(profile, as_of), as_of, profile)


def profiles_figures(as_of: dt.date) -> list[ProfileFigures]:
    """The figures of every active profile as of D, by priority then name."""
    return [profile_figures(profile, as_of) for profile in Profile.objects.active()]


def consumers_figures(as_of: dt.date) -> ProfileFigures:
    """The same figures for the whole B2C base: every consumer known as of D."""
    return _figures(Consumer.objects.known_as_of(as_of), as_of, None)


def _ratio(numerator: int, denominator: int, places: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _figures(members: ConsumerQuerySet, as_of: dt.date, profile: Profile | None) -> ProfileFigures:
    """One query: each member's purchases grouped into its window figures, then summed over members."""
    annotated = members.with_behaviour(
        as_of, ["orders_12m", "spend_12m_cents", "cost_12m_cents", "orders_previous_12m"]
    )
    totals = annotated.aggregate(
        consumers=Count("pk"),
        buyers=Count("pk", filter=Q(orders_12m__gt=0)),
        orders=Sum("orders_12m"),
        revenue_cents=Sum("spend_12m_cents"),
        cost_cents=Sum("cost_12m_cents"),
        previous_buyers=Count("pk", filter=Q(orders_previous_12m__gt=0)),
        retained_buyers=Count("pk", filter=Q(orders_previous_12m__gt=0, orders_12m__gt=0)),
    )
    revenue = from_cents(int(totals["revenue_cents"] or 0))
    cost = from_cents(int(totals["cost_cents"] or 0))
    orders = int(totals["orders"] or 0)
    return ProfileFigures(
        profile=profile,
        as_of=as_of,
        consumers=totals["consumers"],
        buyers_12m=totals["buyers"],
        orders_12m=orders,
        revenue_12m=revenue,
        cost_12m=cost,
        margin_12m=revenue - cost,
        average_frequency=_ratio(orders, totals["buyers"], FREQUENCY_PLACES),
        previous_buyers=totals["previous_buyers"],
        retained_buyers=totals["retained_buyers"],
        retention=_ratio(totals["retained_buyers"], totals["previous_buyers"], RETENTION_PLACES),
    )


def _rule_filter(rule: Any, as_of: dt.date) -> Q:
    """The filter over behaviour-annotated consumers that selects the members of `rule` as of D: the
    conditions of ConsumerQuerySet.matching, as one Q, so several profiles can share one query."""
    where = Q(last_purchase_on__isnull=False)
    for condition in parse_rule(rule):
        value = condition.value
        lookup = "lte" if condition.op == AT_MOST else "gte"
        if isinstance(value, tuple):
            membership = Q(**{f"{condition.field}__in": value})
            where &= membership if condition.op == IN else ~membership
        elif condition.field in ("recency_days", "tenure_days"):
            date_lookup = "gte" if condition.op == AT_MOST else "lte"
            boundary = as_of - dt.timedelta(days=int(value))
            where &= Q(**{f"{ANNOTATION_OF_FIELD[condition.field]}__{date_lookup}": boundary})
        elif condition.field == "spend_12m":
            where &= Q(**{f"spend_12m_cents__{lookup}": to_cents(Decimal(value))})
        else:
            where &= Q(**{f"{condition.field}__{lookup}": value})
    return where


def profiles_figures_table(
    profiles: Sequence[Profile], as_of: dt.date
) -> tuple[list[ProfileFigures], ProfileFigures]:
    """The figures of each of `profiles` (active or not) and of the whole consumer base as of D, in
    one query: every consumer's behaviour is computed once, and each profile's sums are taken over the
    consumers its rule selects (the same members and figures as profile_figures)."""
    annotated = Consumer.objects.with_behaviour(as_of)
    scopes: dict[str, Q] = {"all": Q(last_purchase_on__isnull=False)}
    for profile in profiles:
        scopes[f"p{profile.pk}"] = _rule_filter(profile.rule, as_of)
    aggregates: dict[str, Any] = {}
    for key, scope in scopes.items():
        buyer, previous = Q(orders_12m__gt=0), Q(orders_previous_12m__gt=0)
        aggregates[f"{key}_consumers"] = Count("pk", filter=scope)
        aggregates[f"{key}_buyers"] = Count("pk", filter=scope & buyer)
        aggregates[f"{key}_orders"] = Sum("orders_12m", filter=scope)
        aggregates[f"{key}_revenue"] = Sum("spend_12m_cents", filter=scope)
        aggregates[f"{key}_cost"] = Sum("cost_12m_cents", filter=scope)
        aggregates[f"{key}_previous"] = Count("pk", filter=scope & previous)
        aggregates[f"{key}_retained"] = Count("pk", filter=scope & previous & buyer)
    totals = annotated.aggregate(**aggregates)

    def figures(key: str, profile: Profile | None) -> ProfileFigures:
        revenue = from_cents(int(totals[f"{key}_revenue"] or 0))
        cost = from_cents(int(totals[f"{key}_cost"] or 0))
        orders, buyers = int(totals[f"{key}_orders"] or 0), totals[f"{key}_buyers"]
        previous, retained = totals[f"{key}_previous"], totals[f"{key}_retained"]
        return ProfileFigures(
            profile=profile,
            as_of=as_of,
            consumers=totals[f"{key}_consumers"],
            buyers_12m=buyers,
            orders_12m=orders,
            revenue_12m=revenue,
            cost_12m=cost,
            margin_12m=revenue - cost,
            average_frequency=_ratio(orders, buyers, FREQUENCY_PLACES),
            previous_buyers=previous,
            retained_buyers=retained,
            retention=_ratio(retained, previous, RETENTION_PLACES),
        )

    return [figures(f"p{profile.pk}", profile) for profile in profiles], figures("all", None)
