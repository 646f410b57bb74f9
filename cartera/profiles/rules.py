"""The rule language of B2C profiles: conditions over a consumer's attributes and behaviour, all ANDed.

A rule is stored as JSON::

    {"all": [
        {"field": "region", "op": "in", "value": ["CL-RM", "CL-VS"]},
        {"field": "recency_days", "op": "<=", "value": 90},
        {"field": "orders_12m", "op": ">=", "value": 4},
        {"field": "spend_12m", "op": ">=", "value": "500000"}
    ]}

Attributes (`region`, `age_band`, `channel`) take `in` or `not_in` and a non-empty list of codes.
Behaviour is measured as of a reference date D with DESIGN.md's windows and takes `<=` or `>=`:

- `recency_days`: days from the last purchase dated ≤ D to D;
- `tenure_days`: days from the first purchase dated ≤ D to D;
- `orders_12m`: purchases dated in the window D − 365 < d ≤ D;
- `spend_12m`: revenue of those purchases (an amount, stored as a decimal string).

An empty list of conditions matches every consumer. This module parses, validates, normalizes and
describes rules; `ConsumerQuerySet.matching` evaluates them in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.core.regions import is_valid_region
from cartera.profiles.choices import AgeBand, ConsumerChannel
from cartera.profiles.numbers import format_money, format_number

IN = "in"
NOT_IN = "not_in"
AT_MOST = "<="
AT_LEAST = ">="
CENT = Decimal("0.01")
# Bounds that keep date arithmetic and money columns in range: a century of days, and Decimal(18, 2).
MAX_COUNT = 36_500
MAX_AMOUNT = Decimal("9999999999999999")

ATTRIBUTE_FIELDS = ("region", "age_band", "channel")
COUNT_FIELDS = ("recency_days", "tenure_days", "orders_12m")
AMOUNT_FIELDS = ("spend_12m",)
BEHAVIOUR_FIELDS = COUNT_FIELDS + AMOUNT_FIELDS
FIELDS = ATTRIBUTE_FIELDS + BEHAVIOUR_FIELDS

FIELD_LABELS: dict[str, Promise] = {
    "region": _("region"),
    "age_band": _("age band"),
    "channel": _("channel"),
    "recency_days": _("days since the last purchase"),
    "tenure_days": _("days since the first purchase"),
    "orders_12m": _("purchases in the last 12 months"),
    "spend_12m": _("spend in the last 12 months"),
}


@dataclass(frozen=True)
class Condition:
    """One parsed condition: `field op value`, with the value in its Python type."""

    field: str
    op: str
    value: tuple[str, ...] | int | Decimal

    def as_json(self) -> dict[str, Any]:
        value: Any = self.value
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Decimal):
            value = str(value)
        return {"field": self.field, "op": self.op, "value": value}


def _condition_text(raw: Any) -> str:
    if isinstance(raw, dict):
        return " ".join(str(raw.get(key, "?")) for key in ("field", "op", "value"))
    return repr(raw)


def _quoted(codes: list[str]) -> str:
    return ", ".join(f'"{code}"' for code in codes)


def _attribute_problem(field: str, value: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        return gettext("the value must be a non-empty list of codes.")
    if field == "region":
        bad = [code for code in value if not code or not is_valid_region(code.split("-")[0], code.upper())]
        if bad:
            return gettext("%(codes)s is not an ISO 3166-2 region code (such as CL-RM).") % {
                "codes": _quoted(bad)
            }
        return None
    allowed = AgeBand.values if field == "age_band" else ConsumerChannel.values
    bad = [code for code in value if code not in allowed]
    if bad:
        return gettext("%(codes)s is not one of %(allowed)s.") % {
            "codes": _quoted(bad),
            "allowed": ", ".join(allowed),
        }
    return None


def _parse_value(field: str, value: Any) -> tuple[str, ...] | int | Decimal:
    """The value in its Python type; raises ValueError with the problem when it is not valid."""
    if field in ATTRIBUTE_FIELDS:
        problem = _attribute_problem(field, value)
        if problem:
            raise ValueError(problem)
        codes = [code.upper() for code in value] if field == "region" else list(value)
        return tuple(sorted(set(codes)))
    if isinstance(value, bool):
        value = None
    if field in COUNT_FIELDS:
        if isinstance(value, int) and 0 <= value <= MAX_COUNT:
            return value
        raise ValueError(
            gettext("the value must be a whole number from 0 to %(max)s.") % {"max": format_number(MAX_COUNT)}
        )
    try:
        amount = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(
            gettext("the value must be an amount from 0 to %(max)s.") % {"max": format_number(MAX_AMOUNT)}
        )
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def _parse_condition(raw: Any) -> Condition:
    if not isinstance(raw, dict) or set(raw) != {"field", "op", "value"}:
        raise ValueError(gettext('a condition is an object with exactly "field", "op" and "value".'))
    field, op = raw["field"], raw["op"]
    if field not in FIELDS:
        raise ValueError(
            gettext('"%(field)s" is not a field of a rule; use one of %(fields)s.')
            % {"field": field, "fields": ", ".join(FIELDS)}
        )
    allowed_ops = (IN, NOT_IN) if field in ATTRIBUTE_FIELDS else (AT_MOST, AT_LEAST)
    if op not in allowed_ops:
        raise ValueError(
            gettext('"%(op)s" does not apply to %(field)s; use %(ops)s.')
            % {"op": op, "field": field, "ops": gettext(" or ").join(allowed_ops)}
        )
    return Condition(field=field, op=op, value=_parse_value(field, raw["value"]))


def parse_rule(rule: Any) -> list[Condition]:
    """The conditions of `rule`; raises ValidationError naming every bad condition."""
    if not isinstance(rule, dict) or set(rule) != {"all"} or not isinstance(rule["all"], list):
        raise ValidationError(
            _('A rule is an object with one key, "all", holding a list of conditions.'), code="invalid_rule"
        )
    conditions: list[Condition] = []
    errors: list[ValidationError] = []
    for number, raw in enumerate(rule["all"], start=1):
        try:
            conditions.append(_parse_condition(raw))
        except ValueError as problem:
            errors.append(
                ValidationError(
                    _("Condition %(number)s (%(condition)s): %(problem)s"),
                    code="invalid_condition",
                    params={"number": number, "condition": _condition_text(raw), "problem": str(problem)},
                )
            )
    if errors:
        raise ValidationError(errors)
    return conditions


def empty_rule() -> dict[str, Any]:
    """The rule with no conditions, which every consumer meets."""
    return {"all": []}


def validate_rule(rule: Any) -> None:
    """Field validator for Profile.rule."""
    parse_rule(rule)


def normalize_rule(rule: Any) -> dict[str, Any]:
    """The canonical JSON of a valid rule: codes upper-cased and sorted, amounts as decimal strings."""
    return build_rule(parse_rule(rule))


def build_rule(conditions: Sequence[Condition]) -> dict[str, Any]:
    return {"all": [condition.as_json() for condition in conditions]}


def describe_condition(condition: Condition) -> str:
    """A condition in words: "purchases in the last 12 months ≥ 4"."""
    label = str(FIELD_LABELS[condition.field])
    if isinstance(condition.value, tuple):
        if condition.op == IN:
            template = gettext("%(field)s is one of %(values)s")
        else:
            template = gettext("%(field)s is none of %(values)s")
        return template % {"field": label, "values": ", ".join(condition.value)}
    if isinstance(condition.value, Decimal):
        value = format_money(condition.value)
    else:
        value = format_number(condition.value)
    symbol = "≤" if condition.op == AT_MOST else "≥"
    return f"{label} {symbol} {value}"


def describe_rule(rule: Any) -> str:
    """A valid rule in words, its conditions joined by "and"; "every consumer" when it has none."""
    conditions = parse_rule(rule)
    if not conditions:
        return gettext("every consumer")
    return gettext(" and ").join(describe_condition(condition) for condition in conditions)
