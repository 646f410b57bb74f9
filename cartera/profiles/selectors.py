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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from cartera.commerce.amounts import from_cents
from cartera.profiles.models import Consumer, Profile
from cartera.profiles.querysets import ConsumerQuerySet

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
