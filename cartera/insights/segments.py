"""Segment rules: a small JSON language over account attributes and metrics, compiled to ORM filters.

A rule is {"all": [condition, ...]} (every condition must hold; an empty list matches every account).
A condition is {"field": NAME, "op": OP, "value": VALUE} with OP one of = != < <= > >= in not_in.
Money thresholds are in currency units (not cents). Every account gets the first segment, by priority,
whose rule it matches, else the default segment.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartera.insights.models import AccountInsight, LoyaltyTier, ProfitClass, Segment

# field name in a rule -> (lookup on AccountInsight, kind)
FIELDS: dict[str, tuple[str, str]] = {
    "tier": ("tier", "choice"),
    "profit_class": ("profit_class", "choice"),
    "strategic_fit": ("account__strategic_fit", "number"),
    "region": ("account__region", "text"),
    "territory": ("account__territory_id", "number"),
    "portfolio": ("account__portfolio_id", "number"),
    "industry": ("account__industry", "text"),
    "size": ("account__size_band", "text"),
    "status": ("account__status", "text"),
    "revenue_12m": ("revenue_12m_cents", "money"),
    "gross_margin_12m": ("gross_margin_12m_cents", "money"),
    "net_profit_12m": ("net_profit_12m_cents", "money"),
    "cost_to_serve_12m": ("cost_to_serve_12m_cents", "money"),
    "orders_12m": ("orders_12m", "number"),
    "orders_total": ("orders_total", "number"),
    "recency_days": ("recency_days", "number"),
    "tenure_days": ("tenure_days", "number"),
    "churn_risk": ("churn_risk", "number"),
}
OPERATORS = {
    "=": "exact",
    "!=": "exact",
    "<": "lt",
    "<=": "lte",
    ">": "gt",
    ">=": "gte",
    "in": "in",
    "not_in": "in",
}
CHOICES = {"tier": set(LoyaltyTier.values), "profit_class": set(ProfitClass.values)}


def validate_rule(rule: Any) -> None:
    """Raise ValidationError naming the first malformed condition of `rule`."""
    if not isinstance(rule, dict) or set(rule) - {"all"} or not isinstance(rule.get("all", []), list):
        raise ValidationError(_('A rule is {"all": [conditions]}.'), code="rule_shape")
    for position, condition in enumerate(rule.get("all", []), start=1):
        _validate_condition(position, condition)


def _validate_condition(position: int, condition: Any) -> None:
    params = {"position": position}
    if not isinstance(condition, dict) or set(condition) != {"field", "op", "value"}:
        raise ValidationError(
            _("Condition %(position)s must have a field, an operator and a value."),
            code="rule_condition",
            params=params,
        )
    field, op, value = condition["field"], condition["op"], condition["value"]
    if field not in FIELDS:
        raise ValidationError(
            _("Condition %(position)s: unknown field %(field)s."),
            code="rule_field",
            params={**params, "field": field},
        )
    if op not in OPERATORS:
        raise ValidationError(
            _("Condition %(position)s: unknown operator %(op)s."),
            code="rule_operator",
            params={**params, "op": op},
        )
    values = value if op in {"in", "not_in"} else [value]
    if op in {"in", "not_in"} and not isinstance(value, list):
        raise ValidationError(
            _("Condition %(position)s: %(op)s takes a list of values."),
            code="rule_value",
            params={**params, "op": op},
        )
    kind = FIELDS[field][1]
    for item in values:
        if kind in {"number", "money"} and (
            isinstance(item, bool) or not isinstance(item, int | float | str)
        ):
            raise ValidationError(
                _("Condition %(position)s: %(value)s is not a number."),
                code="rule_value",
                params={**params, "value": item},
            )
        if kind in {"number", "money"}:
            try:
                Decimal(str(item))
            except Exception:
                raise ValidationError(
                    _("Condition %(position)s: %(value)s is not a number."),
                    code="rule_value",
                    params={**params, "value": item},
                ) from None
        if field in CHOICES and item not in CHOICES[field]:
            raise ValidationError(
                _("Condition %(position)s: %(value)s is not a valid %(field)s."),
                code="rule_value",
                params={**params, "value": item, "field": field},
            )


def rule_to_q(rule: dict[str, Any]) -> Q:
    """The ORM filter over AccountInsight that selects the accounts matching `rule`."""
    validate_rule(rule)
    combined = Q()
    for condition in rule.get("all", []):
        lookup, kind = FIELDS[condition["field"]]
        op = condition["op"]
        value = condition["value"]

        def convert(item: Any, kind: str = kind) -> Any:
            if kind == "money":
                return int(Decimal(str(item)) * 100)
            if kind == "number":
                return Decimal(str(item)) if "." in str(item) else int(item)
            return item

        value = [convert(v) for v in value] if isinstance(value, list) else convert(value)
        q = Q(**{f"{lookup}__{OPERATORS[op]}": value})
        combined &= ~q if op in {"!=", "not_in"} else q
    return combined


def segment_matches(segment: Segment) -> Any:
    """The snapshot rows a segment's rule matches, ignoring priority (for previews)."""
    return AccountInsight.objects.filter(rule_to_q(segment.rule))


def segments_assign(*, account_ids: Iterable[int] | None = None) -> None:
    """Give every account in scope the first segment by priority that matches, else the default one."""
    scope = AccountInsight.objects.all()
    if account_ids is not None:
        scope = scope.filter(account_id__in=list(account_ids))
    segments = list(Segment.objects.order_by("priority", "pk"))
    if not segments:
        return
    scope.update(segment=None)
    default = None
    for segment in segments:
        if segment.is_default:
            default = segment
            continue
        scope.filter(segment__isnull=True).filter(rule_to_q(segment.rule)).update(segment=segment)
    if default is not None:
        scope.filter(segment__isnull=True).update(segment=default)
