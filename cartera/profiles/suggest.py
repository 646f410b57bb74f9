"""Suggested B2C profiles: k-means on the consumers' recency, frequency and spend, told in words.

Consumers who bought in the last three years (D − 1095 < d ≤ D) are described by the same behaviour the
rule language measures: days since the last purchase, purchases in the last 12 months and spend in the
last 12 months. The three are log-scaled (they are long-tailed: a few consumers buy far more than the
rest) and standardized, then grouped with scikit-learn's KMeans. Each group becomes a suggestion with its
size, its centroid in plain units, a rule whose thresholds come from the group's own 10th and 90th
percentiles, and a sentence a marketer reads. The same data and random_state give the same suggestions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cartera.profiles.models import Consumer
from cartera.profiles.numbers import format_money, format_number
from cartera.profiles.querysets import WINDOW_DAYS
from cartera.profiles.rules import AT_LEAST, AT_MOST, Condition, build_rule, describe_rule

if TYPE_CHECKING:
    import numpy as np

LOOKBACK_DAYS = 3 * 365
MIN_K, MAX_K = 2, 12
# Consumers used to fit the clusters; every consumer is then assigned to its nearest centroid.
FIT_SAMPLE_SIZE = 50_000
# A threshold joins the rule only when it leaves out at least this share of all consumers.
DISCRIMINATING_SHARE = 0.10
LOW_QUANTILE, HIGH_QUANTILE = 0.10, 0.90
# The words for the groups: cut-offs on the centroid, in plain units.
FREQUENT_PER_YEAR = 8.0
REGULAR_PER_YEAR = 3.0
RECENT_DAYS = 120
LAPSED_DAYS = 365
NEW_TENURE_DAYS = 180


@dataclass(frozen=True)
class ProfileSuggestion:
    """One group of consumers found by clustering, ready to be adopted as a profile."""

    name: str
    description: str
    size: int
    share: Decimal
    recency_days: int
    purchases_per_year: Decimal
    spend_per_year: Decimal
    tenure_days: int
    rule: dict[str, Any]

    @property
    def rule_text(self) -> str:
        return describe_rule(self.rule)


@dataclass
class _Behaviour:
    """Per consumer, in plain units: recency and tenure in days, purchases and spend in the window."""

    recency: np.ndarray
    tenure: np.ndarray
    orders: np.ndarray
    spend: np.ndarray


def _behaviour(as_of: dt.date) -> _Behaviour:
    import numpy as np

    rows = list(
        Consumer.objects.with_behaviour(
            as_of, ["last_purchase_on", "first_purchase_on", "orders_12m", "spend_12m_cents"]
        )
        .filter(last_purchase_on__gt=as_of - dt.timedelta(days=LOOKBACK_DAYS))
        .order_by("pk")
        .values_list("last_purchase_on", "first_purchase_on", "orders_12m", "spend_12m_cents")
    )
    return _Behaviour(
        recency=np.array([(as_of - last).days for last, _first, _n, _s in rows], dtype=float),
        tenure=np.array([(as_of - first).days for _last, first, _n, _s in rows], dtype=float),
        orders=np.array([n for _last, _first, n, _s in rows], dtype=float),
        spend=np.array([int(s) / 100 for _last, _first, _n, s in rows], dtype=float),
    )


@dataclass
class _Group:
    """One cluster: which consumers, and its centroid (and median tenure) in plain units."""

    members: np.ndarray
    recency: float
    orders: float
    spend: float
    tenure: float

    @property
    def is_new(self) -> bool:
        return self.tenure <= NEW_TENURE_DAYS and self.recency <= RECENT_DAYS


def suggest_profiles(
    *, k: int, as_of: dt.date, random_state: int = 0, fit_sample_size: int = FIT_SAMPLE_SIZE
) -> list[ProfileSuggestion]:
    """k suggested profiles for the consumers who bought in the three years up to D, highest spend first.

    Raises ValidationError when k is out of range or there are too few distinct consumers to form k groups.
    """
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if not MIN_K <= k <= MAX_K:
        raise ValidationError(
            _("Ask for between %(min)s and %(max)s profiles."),
            code="k_out_of_range",
            params={"min": MIN_K, "max": MAX_K},
        )
    behaviour = _behaviour(as_of)
    features = np.log1p(np.column_stack([behaviour.recency, behaviour.orders, behaviour.spend]))
    if len(np.unique(features, axis=0)) < k:
        raise ValidationError(
            _(
                "Too few consumers with different behaviour bought in the last three years to form %(k)s groups."
            ),
            code="too_few_consumers",
            params={"k": k},
        )
    scaler = StandardScaler().fit(features)
    scaled = scaler.transform(features)
    fit_rows = scaled
    if len(scaled) > fit_sample_size:
        sample = np.random.default_rng(random_state).choice(len(scaled), fit_sample_size, replace=False)
        fit_rows = scaled[np.sort(sample)]
    # One thread: the data are small (three columns), and OpenMP's worker threads can spin for seconds
    # when the cores are busy (measured on the demo: 4 to 8 s with the default threads on two loaded
    # cores, 0.04 s with one), which a web request cannot afford.
    with threadpool_limits(limits=1):
        model = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(fit_rows)
        labels = model.predict(scaled)
    centroids = np.expm1(scaler.inverse_transform(model.cluster_centers_))

    buyer_spend = behaviour.spend[behaviour.orders > 0]
    high_spend = float(np.quantile(buyer_spend, 0.75)) if len(buyer_spend) else math.inf
    groups = []
    for cluster in range(k):
        members = labels == cluster
        if not members.any():
            continue
        recency, orders, spend = (max(float(value), 0.0) for value in centroids[cluster])
        groups.append(
            _Group(
                members=members,
                recency=recency,
                orders=orders,
                spend=spend,
                tenure=float(np.median(behaviour.tenure[members])),
            )
        )
    groups.sort(key=lambda group: (-group.spend, group.recency, -group.orders))
    suggestions = []
    seen: dict[str, int] = {}
    for group in groups:
        name = str(_group_name(group, high_spend))
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        size = int(group.members.sum())
        suggestions.append(
            ProfileSuggestion(
                name=name,
                description=_description(name, group),
                size=size,
                share=(Decimal(size) / Decimal(len(labels))).quantize(Decimal("0.0001")),
                recency_days=round(group.recency),
                purchases_per_year=Decimal(str(round(group.orders, 1))),
                spend_per_year=Decimal(round(group.spend)),
                tenure_days=round(group.tenure),
                rule=_rule_for(group, behaviour),
            )
        )
    return suggestions


def _group_name(group: _Group, high_spend: float) -> Any:
    """The words for a group, from where its centroid sits."""
    if group.recency > LAPSED_DAYS:
        return _("Lapsed buyers")
    if group.is_new:
        return _("New buyers")
    if group.recency > RECENT_DAYS:
        return _("Buyers at risk of leaving")
    is_high = group.spend >= high_spend
    if group.orders >= FREQUENT_PER_YEAR:
        return _("Frequent high spenders") if is_high else _("Frequent buyers")
    if group.orders >= REGULAR_PER_YEAR:
        return _("Regular high spenders") if is_high else _("Regular buyers")
    return _("Occasional high spenders") if is_high else _("Occasional buyers")


def _approximately(amount: float) -> Decimal:
    """Two significant digits, for amounts written with "~": 1234567 -> 1200000."""
    if amount < 1:
        return Decimal(0)
    exponent = math.floor(math.log10(amount)) - 1
    return Decimal(round(amount / 10**exponent)).scaleb(exponent)


def _description(name: str, group: _Group) -> str:
    """In words: "Frequent high spenders: buy every ~3 weeks, spend ~$1.200.000 a year, last purchase 12
    days ago". New buyers have not been around a year, so they are told by their purchases so far."""
    phrases = []
    if group.is_new:
        count = max(1, round(group.orders))
        phrases.append(
            ngettext("~%(count)s purchase so far", "~%(count)s purchases so far", count) % {"count": count}
        )
        if group.spend >= 1:
            amount = format_money(_approximately(group.spend))
            phrases.append(gettext("spent ~%(amount)s so far") % {"amount": amount})
    else:
        phrases.append(_how_often(group.orders))
        if group.orders >= 0.2 and group.spend >= 1:
            amount = format_money(_approximately(group.spend))
            phrases.append(gettext("spend ~%(amount)s a year") % {"amount": amount})
    phrases.append(_days_ago(group.recency, last=True))
    if group.is_new:
        phrases.append(_days_ago(group.tenure, last=False))
    return gettext("%(name)s: %(habits)s") % {"name": name, "habits": gettext(", ").join(phrases)}


def _how_often(orders_per_year: float) -> str:
    if orders_per_year < 0.2:
        return gettext("no purchases in the last 12 months")
    if orders_per_year < 1.5:
        return gettext("buy about once a year")
    days = 365 / orders_per_year
    if days < 14:
        count = round(days)
        return ngettext("buy every ~%(count)s day", "buy every ~%(count)s days", count) % {"count": count}
    if days < 61:
        count = round(days / 7)
        return ngettext("buy every ~%(count)s week", "buy every ~%(count)s weeks", count) % {"count": count}
    count = round(days / 30.4)
    return ngettext("buy every ~%(count)s month", "buy every ~%(count)s months", count) % {"count": count}


def _days_ago(days: float, *, last: bool) -> str:
    if days < 60:
        count = round(days)
        if last:
            return ngettext("last purchase %(count)s day ago", "last purchase %(count)s days ago", count) % {
                "count": count
            }
        return ngettext("first purchase %(count)s day ago", "first purchase %(count)s days ago", count) % {
            "count": count
        }
    count = round(days / 30.4)
    if last:
        return ngettext(
            "last purchase ~%(count)s month ago", "last purchase ~%(count)s months ago", count
        ) % {"count": count}
    return ngettext("first purchase ~%(count)s month ago", "first purchase ~%(count)s months ago", count) % {
        "count": count
    }


def _rule_for(group: _Group, behaviour: _Behaviour) -> dict[str, Any]:
    """Bounds at the group's 10th and 90th percentiles, kept only where they leave out many consumers."""
    import numpy as np

    conditions: list[Condition] = []

    def bounds(field: str, values: np.ndarray, *, lower: bool = True, upper: bool = True) -> None:
        own = values[group.members]
        low = float(np.quantile(own, LOW_QUANTILE, method="lower"))
        high = float(np.quantile(own, HIGH_QUANTILE, method="higher"))
        if lower and np.mean(values < low) >= DISCRIMINATING_SHARE:
            conditions.append(Condition(field=field, op=AT_LEAST, value=_threshold(field, low, down=True)))
        if upper and np.mean(values > high) >= DISCRIMINATING_SHARE:
            conditions.append(Condition(field=field, op=AT_MOST, value=_threshold(field, high, down=False)))

    bounds("recency_days", behaviour.recency)
    bounds("orders_12m", behaviour.orders)
    if not _has(conditions, "orders_12m", AT_MOST, lambda value: value == 0):
        # With no purchases in the window, spend has nothing more to say.
        bounds("spend_12m", behaviour.spend)
    if _has(conditions, "recency_days", AT_MOST, lambda value: value < WINDOW_DAYS):
        # A purchase in the window is already required: "at least one purchase" adds nothing.
        conditions = [c for c in conditions if (c.field, c.op, c.value) != ("orders_12m", AT_LEAST, 1)]
    if group.is_new:
        conditions.append(Condition(field="tenure_days", op=AT_MOST, value=NEW_TENURE_DAYS))
    return build_rule(conditions)


def _has(conditions: list[Condition], field: str, op: str, test: Callable[[int | Decimal], bool]) -> bool:
    return any(
        c.field == field and c.op == op and not isinstance(c.value, tuple) and test(c.value)
        for c in conditions
    )


def _threshold(field: str, value: float, *, down: bool) -> int | Decimal:
    """Whole days and purchases; amounts rounded outward to two significant digits, so the bound is
    a number a marketer would write and still holds the group."""
    if field != "spend_12m":
        return int(math.floor(value) if down else math.ceil(value))
    if value < 1:
        return Decimal(0) if down else Decimal(1)
    exponent = math.floor(math.log10(value)) - 1
    scaled = Decimal(str(value)).scaleb(-exponent)
    rounded = scaled.to_integral_value(rounding=ROUND_FLOOR if down else ROUND_CEILING)
    return rounded.scaleb(exponent).quantize(Decimal(1))


def render_suggestions(suggestions: list[ProfileSuggestion]) -> str:
    """The suggestions as a plain-text table, then each one's description and rule."""
    headers = [
        "#",
        gettext("Profile"),
        gettext("Consumers"),
        gettext("Share"),
        gettext("Days since last purchase"),
        gettext("Purchases a year"),
        gettext("Spend a year"),
    ]
    rows = [
        [
            str(number),
            suggestion.name,
            format_number(suggestion.size),
            f"{format_number(suggestion.share * 100, 1)} %",
            format_number(suggestion.recency_days),
            format_number(suggestion.purchases_per_year, 1),
            format_money(suggestion.spend_per_year),
        ]
        for number, suggestion in enumerate(suggestions, start=1)
    ]
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]

    def line(cells: list[str]) -> str:
        texts = [cell.ljust(widths[i]) if i == 1 else cell.rjust(widths[i]) for i, cell in enumerate(cells)]
        return "  ".join(texts).rstrip()

    output = [line(headers), "  ".join("-" * width for width in widths)]
    output += [line(row) for row in rows]
    output.append("")
    for number, suggestion in enumerate(suggestions, start=1):
        output.append(f"{number}. {suggestion.description}.")
        output.append("   " + gettext("Rule: %(rule)s") % {"rule": suggestion.rule_text})
    return "\n".join(output)
