"""Segment rules: a small JSON language over account attributes and metrics, compiled to ORM filters.

A rule is a group of conditions that must all hold::

    {"all": [
        {"field": "profit_class", "op": "=", "value": "A"},
        {"any": [
            {"field": "strategic_fit", "op": ">=", "value": 4},
            {"field": "tier", "op": "in", "value": ["frequent", "loyal"]}
        ]}
    ]}

- The top level is always {"all": [...]}; an empty list matches every account.
- Inside it, an item is a condition or a nested group, {"all": [...]} (every item holds) or
  {"any": [...]} (at least one holds). Nested groups are never empty and nest at most MAX_DEPTH deep.
- A condition is {"field": NAME, "op": OP, "value": VALUE}. Which operators a field takes, and which
  values, follow from its kind (see FIELDS): codes take = != in not_in; numbers and money also take
  < <= > >=. `in` and `not_in` take a non-empty list.
- Money thresholds are in currency units (not cents), with at most two decimals.
- A comparison never matches an empty value (an account with no strategic fit is not "< 3"), while
  != and not_in do match it (it is not "= 3" either).
- The metrics are those of the snapshot being computed (DESIGN.md); churn risk is left out because it
  is computed after, and partly from, the segment.

Every account gets the first segment, by priority, whose rule it matches, else the default segment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Case, F, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, AccountStatus, Industry, SizeBand
from cartera.core.regions import is_valid_region
from cartera.insights.models import AccountInsight, LoyaltyTier, ProfitClass, Segment, SnapshotFigures

# Kinds of field: what values and operators a condition on it takes.
CODE = "code"  # one of a fixed set of codes
REGION = "region"  # an ISO 3166-2 code
ID = "id"  # the primary key of a territory or portfolio
INTEGER = "integer"  # a whole number
MONEY = "money"  # an amount in currency units, stored in cents

EQUALITY_OPERATORS = ("=", "!=", "in", "not_in")
ORDER_OPERATORS = ("<", "<=", ">", ">=")
OPERATORS = (*EQUALITY_OPERATORS, *ORDER_OPERATORS)
LIST_OPERATORS = ("in", "not_in")
NEGATED_OPERATORS = ("!=", "not_in")
LOOKUPS = {
    "=": "exact",
    "!=": "exact",
    "<": "lt",
    "<=": "lte",
    ">": "gt",
    ">=": "gte",
    "in": "in",
    "not_in": "in",
}
LOOKUP_CLASSES = {
    "exact": Exact,
    "lt": LessThan,
    "lte": LessThanOrEqual,
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "in": In,
}
MAX_DEPTH = 4  # the top-level group counts as one
GROUP_KEYS = ("all", "any")


@dataclass(frozen=True)
class RuleField:
    """A field a condition can test: where it lives on the snapshot row, and its kind."""

    target: str | Combinable  # a lookup path on AccountInsight, or an expression over its columns
    kind: str
    codes: frozenset[str] = frozenset()

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS if self.kind in {INTEGER, MONEY} else EQUALITY_OPERATORS


FIELDS: dict[str, RuleField] = {
    "tier": RuleField("tier", CODE, frozenset(LoyaltyTier.values)),
    "profit_class": RuleField("profit_class", CODE, frozenset(ProfitClass.values)),
    "strategic_fit": RuleField("account__strategic_fit", INTEGER),
    "region": RuleField("account__region", REGION),
    "territory": RuleField("account__territory_id", ID),
    "portfolio": RuleField("account__portfolio_id", ID),
    "industry": RuleField("account__industry", CODE, frozenset(Industry.values)),
    "size": RuleField("account__size_band", CODE, frozenset(SizeBand.values)),
    "status": RuleField("account__status", CODE, frozenset(AccountStatus.values)),
    "revenue_12m": RuleField("revenue_12m_cents", MONEY),
    "gross_margin_12m": RuleField(F("revenue_12m_cents") - F("cogs_12m_cents"), MONEY),
    "cost_to_serve_12m": RuleField("cost_to_serve_12m_cents", MONEY),
    "marketing_spend_12m": RuleField("marketing_spend_12m_cents", MONEY),
    "net_profit_12m": RuleField("net_profit_12m_cents", MONEY),
    "orders_12m": RuleField("orders_12m", INTEGER),
    "orders_total": RuleField("orders_total", INTEGER),
    "recency_days": RuleField("recency_days", INTEGER),
    "tenure_days": RuleField("tenure_days", INTEGER),
    "days_without_contact": RuleField("days_without_contact", INTEGER),
}


def validate_rule(rule: Any) -> None:
    """Raise ValidationError naming the first malformed condition of `rule` (positions like "2.1":
    the first item of the second item)."""
    if not _is_group(rule, "all"):
        raise ValidationError(_('A rule is {"all": [conditions]}.'), code="rule_shape")
    for position, item in enumerate(rule.get("all", []), start=1):
        _validate_item(str(position), item, depth=2)


def _is_group(item: Any, key: str | None = None) -> bool:
    if not isinstance(item, dict) or len(item) > 1 or (item and next(iter(item)) not in GROUP_KEYS):
        return False
    if key is not None and set(item) - {key}:
        return False
    return all(isinstance(members, list) for members in item.values())


def _validate_item(position: str, item: Any, *, depth: int) -> None:
    params: dict[str, Any] = {"position": position}
    if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in GROUP_KEYS:
        if depth > MAX_DEPTH:
            raise ValidationError(
                _("Condition %(position)s: groups nest at most %(depth)s levels deep."),
                code="rule_depth",
                params={**params, "depth": MAX_DEPTH},
            )
        members = next(iter(item.values()))
        if not isinstance(members, list) or not members:
            raise ValidationError(
                _("Condition %(position)s: a group needs a non-empty list of conditions."),
                code="rule_group",
                params=params,
            )
        for sub, member in enumerate(members, start=1):
            _validate_item(f"{position}.{sub}", member, depth=depth + 1)
        return
    _validate_condition(position, item)


def _validate_condition(position: str, condition: Any) -> None:
    params: dict[str, Any] = {"position": position}
    if not isinstance(condition, dict) or set(condition) != {"field", "op", "value"}:
        raise ValidationError(
            _("Condition %(position)s must have a field, an operator and a value."),
            code="rule_condition",
            params=params,
        )
    name, op, value = condition["field"], condition["op"], condition["value"]
    if not isinstance(name, str) or name not in FIELDS:
        raise ValidationError(
            _("Condition %(position)s: unknown field %(field)s."),
            code="rule_field",
            params={**params, "field": name},
        )
    if not isinstance(op, str) or op not in OPERATORS:
        raise ValidationError(
            _("Condition %(position)s: unknown operator %(op)s."),
            code="rule_operator",
            params={**params, "op": op},
        )
    field = FIELDS[name]
    params["field"] = name
    if op not in field.operators:
        raise ValidationError(
            _("Condition %(position)s: %(field)s does not take %(op)s."),
            code="rule_operator",
            params={**params, "op": op},
        )
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise ValidationError(
                _("Condition %(position)s: %(op)s takes a non-empty list of values."),
                code="rule_value",
                params={**params, "op": op},
            )
        values = value
    else:
        if isinstance(value, list | dict):
            raise ValidationError(
                _("Condition %(position)s: %(op)s takes a single value."),
                code="rule_value",
                params={**params, "op": op},
            )
        values = [value]
    for item in values:
        _validate_value(params, field, item)


def _validate_value(params: dict[str, Any], field: RuleField, item: Any) -> None:
    params = {**params, "value": item}
    if field.kind == CODE:
        if not isinstance(item, str) or item not in field.codes:
            raise ValidationError(
                _("Condition %(position)s: %(value)s is not a valid %(field)s."),
                code="rule_value",
                params=params,
            )
        return
    if field.kind == REGION:
        if not isinstance(item, str) or not item or item != item.upper() or "-" not in item:
            valid = False
        else:
            valid = is_valid_region(item.split("-", 1)[0], item)
        if not valid:
            raise ValidationError(
                _("Condition %(position)s: %(value)s is not a region code (ISO 3166-2, for example CL-RM)."),
                code="rule_value",
                params=params,
            )
        return
    number = _number(item)
    if number is None:
        raise ValidationError(
            _("Condition %(position)s: %(value)s is not a number."), code="rule_value", params=params
        )
    if field.kind in {INTEGER, ID} and number != number.to_integral_value():
        raise ValidationError(
            _("Condition %(position)s: %(value)s is not a whole number."), code="rule_value", params=params
        )
    if field.kind == MONEY and number != number.quantize(Decimal("0.01")):
        raise ValidationError(
            _("Condition %(position)s: %(value)s has more than two decimals."),
            code="rule_value",
            params=params,
        )


def _number(item: Any) -> Decimal | None:
    """A finite number from an int, a float or a numeric string; None for anything else (booleans too)."""
    if isinstance(item, bool) or not isinstance(item, int | float | str):
        return None
    try:
        number = Decimal(str(item).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _convert(field: RuleField, item: Any) -> Any:
    if field.kind == MONEY:
        return int(Decimal(str(item).strip()) * 100)
    if field.kind in {INTEGER, ID}:
        return int(Decimal(str(item).strip()))
    return item


def rule_to_q(rule: dict[str, Any]) -> Q:
    """The ORM filter over AccountInsight that selects the accounts matching `rule`."""
    validate_rule(rule)
    return _group_to_q("all", rule.get("all", []))


def _group_to_q(key: str, items: list[Any]) -> Q:
    combined = Q()
    for item in items:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in GROUP_KEYS:
            inner_key, members = next(iter(item.items()))
            q = _group_to_q(inner_key, members)
        else:
            q = _condition_to_q(item)
        combined = combined & q if key == "all" else combined | q
    return combined


def _condition_to_q(condition: dict[str, Any]) -> Q:
    field = FIELDS[condition["field"]]
    op = condition["op"]
    raw = condition["value"]
    value = [_convert(field, v) for v in raw] if op in LIST_OPERATORS else _convert(field, raw)
    lookup = LOOKUPS[op]
    if isinstance(field.target, str):
        q = Q(**{f"{field.target}__{lookup}": value})
    else:  # an expression over non-null columns
        q = Q(LOOKUP_CLASSES[lookup](field.target, value))
    return ~q if op in NEGATED_OPERATORS else q


def _any_of(filters: list[Q]) -> Q:
    combined = Q()
    for q in filters:
        combined |= q
    return combined


def segment_matches(segment: Segment) -> QuerySet[AccountInsight]:
    """The snapshot rows a segment's rule matches, ignoring priority (for previews)."""
    return AccountInsight.objects.filter(rule_to_q(segment.rule))


def segment_choice_select(
    account_ids: Iterable[int] | None = None,
    columns: Iterable[str] = (),
    model: type[SnapshotFigures] = AccountInsight,
) -> tuple[str, list[Any]]:
    """SELECT (with its parameters) of `account_id`, `chosen`, the segment each snapshot row in scope
    gets (the first by priority whose rule it matches, else the default one; NULL without one), and
    the snapshot's `columns`, each named as in the table.

    The rules, compiled by the ORM into a CASE in priority order, are evaluated over the snapshot rows,
    or over the rows of another table with the snapshot's columns (`model`: StagedInsight)."""
    scope = model._default_manager.all()
    if account_ids is not None:
        scope = scope.filter(pk__in=list(account_ids))
    whens = []
    default = None
    for segment in Segment.objects.order_by("priority", "pk"):
        if segment.is_default:
            default = segment
            continue
        condition = rule_to_q(segment.rule)
        # An empty rule matches every account (a When needs a condition that is not empty).
        whens.append(When(condition if condition else Q(pk__isnull=False), then=Value(segment.pk)))
    fallback = Value(default.pk if default is not None else None, output_field=BigIntegerField())
    chosen = Case(*whens, default=fallback, output_field=BigIntegerField()) if whens else fallback
    rows = scope.annotate(chosen=chosen).values_list("account_id", "chosen", *columns)
    select, params = rows.query.sql_with_params()
    return select, list(params)


@dataclass(frozen=True)
class SegmentPreview:
    """What a rule would match before it is saved.

    `matched` counts the accounts whose snapshot matches the rule; `assigned` counts those that would
    actually get the segment at the given priority, because no segment evaluated before takes them first
    (equal to `matched` when no priority is given); `accounts` are the first matched, by name.
    """

    matched: int
    assigned: int
    accounts: list[AccountInsight]


def segment_preview(
    rule: Any,
    *,
    user: Any = None,
    priority: int | None = None,
    segment: Segment | None = None,
    limit: int = 20,
) -> SegmentPreview:
    """How many accounts (and which, the first `limit` by name) `rule` would match, among those `user`
    may see (every account when user is None). With `priority`, also how many would really get it:
    those not taken by a segment evaluated earlier (lower priority number; on a tie, one created
    before `segment`, or every tied one when `segment` is new). `segment` is the one being edited, left
    out of the comparison. Raises ValidationError for a malformed rule."""
    rows = AccountInsight.objects.all()
    if user is not None:
        rows = rows.filter(account__in=Account.objects.visible_to(user).values("pk"))
    matched = rows.filter(rule_to_q(rule))
    count = matched.count()
    assigned = count
    if priority is not None:
        earlier = Segment.objects.filter(is_default=False).filter(
            Q(priority__lt=priority)
            | (Q(priority=priority, pk__lt=segment.pk) if segment and segment.pk else Q(priority=priority))
        )
        if segment is not None and segment.pk:
            earlier = earlier.exclude(pk=segment.pk)
        taken = [rule_to_q(other.rule) for other in earlier]
        if taken:
            # The same filter semantics as segment_choice_select: a row is taken when an earlier rule selects it.
            claimed = rows.filter(_any_of(taken)).values("pk")
            assigned = matched.exclude(pk__in=claimed).count()
    accounts = list(matched.select_related("account").order_by("account__legal_name", "account_id")[:limit])
    return SegmentPreview(matched=count, assigned=assigned, accounts=accounts)
