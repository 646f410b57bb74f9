"""Segment rules for people: the fields, operators and values the rule builder offers, and a rule told
in words. The rule language itself (validation, evaluation) is cartera.insights.segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account, AccountStatus, Industry, SizeBand
from cartera.core.regions import region_choices, region_name
from cartera.core.templatetags.cartera_format import money
from cartera.coverage.models import Portfolio, Territory
from cartera.insights.models import LoyaltyTier, ProfitClass
from cartera.insights.segments import (
    CODE,
    FIELDS,
    GROUP_KEYS,
    ID,
    INTEGER,
    LIST_OPERATORS,
    MAX_DEPTH,
    MONEY,
    REGION,
)

FIELD_LABELS: dict[str, Promise] = {
    "tier": _("Loyalty tier"),
    "profit_class": _("Profit class"),
    "strategic_fit": _("Strategic fit (1 to 5)"),
    "status": _("Status"),
    "region": _("Region"),
    "territory": _("Territory"),
    "portfolio": _("Portfolio"),
    "industry": _("Industry"),
    "size": _("Size"),
    "revenue_12m": _("Revenue (12 months)"),
    "gross_margin_12m": _("Gross margin (12 months)"),
    "cost_to_serve_12m": _("Cost to serve (12 months)"),
    "marketing_spend_12m": _("Marketing spend (12 months)"),
    "net_profit_12m": _("Net profit (12 months)"),
    "orders_12m": _("Orders (12 months)"),
    "orders_total": _("Orders (ever)"),
    "recency_days": _("Days since the last order"),
    "tenure_days": _("Days since the first order"),
    "days_without_contact": _("Days without contact"),
}
FIELD_GROUPS: list[tuple[Promise, tuple[str, ...]]] = [
    (_("Classification"), ("tier", "profit_class", "strategic_fit", "status")),
    (_("Company"), ("industry", "size")),
    (_("Place and coverage"), ("region", "territory", "portfolio")),
    (
        _("Figures of the last 12 months"),
        (
            "revenue_12m",
            "gross_margin_12m",
            "net_profit_12m",
            "cost_to_serve_12m",
            "marketing_spend_12m",
            "orders_12m",
        ),
    ),
    (_("Activity"), ("orders_total", "recency_days", "tenure_days", "days_without_contact")),
]
OPERATOR_LABELS: dict[str, Promise] = {
    "=": _("is"),
    "!=": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "<": _("is less than"),
    "<=": _("is at most"),
    ">": _("is more than"),
    ">=": _("is at least"),
}
GROUP_LABELS: dict[str, Promise] = {
    "all": _("all of these hold"),
    "any": _("any of these holds"),
}


def _code_choices(field: str) -> list[tuple[str, str]]:
    choices: Any = {
        "tier": LoyaltyTier.choices,
        "profit_class": ProfitClass.choices,
        "status": AccountStatus.choices,
        "industry": Industry.choices,
        "size": SizeBand.choices,
    }[field]
    return [(str(value), str(label)) for value, label in choices]


def _region_choices() -> list[tuple[str, str]]:
    """The regions of the company's own country, and any other region an account is in."""
    regions = dict(region_choices(settings.CARTERA_DEFAULT_COUNTRY))
    used = Account.objects.exclude(region="").order_by().values_list("region", flat=True).distinct()
    for code in used:
        regions.setdefault(code, region_name(code))
    return sorted(regions.items(), key=lambda item: str(item[1]))


@dataclass(frozen=True)
class RuleNames:
    """The names behind ids and codes that a rule refers to, read once for a page."""

    territories: dict[int, str]
    portfolios: dict[int, str]

    @classmethod
    def load(cls) -> RuleNames:
        return cls(
            territories=dict(Territory.objects.order_by("name").values_list("pk", "name")),
            portfolios=dict(Portfolio.objects.order_by("name").values_list("pk", "name")),
        )


def builder_catalog(names: RuleNames) -> dict[str, Any]:
    """What the rule builder offers, as JSON for the page script: fields in groups, each with its
    kind, operators and (for codes, regions and ids) the values to choose from."""
    groups = []
    for label, field_names in FIELD_GROUPS:
        fields = []
        for name in field_names:
            field = FIELDS[name]
            entry: dict[str, Any] = {
                "name": name,
                "label": str(FIELD_LABELS[name]),
                "kind": field.kind,
                "operators": list(field.operators),
            }
            if field.kind == CODE:
                entry["choices"] = _code_choices(name)
            elif field.kind == REGION:
                entry["choices"] = _region_choices()
            elif field.kind == ID:
                source = names.territories if name == "territory" else names.portfolios
                entry["choices"] = [[pk, label] for pk, label in source.items()]
            elif name == "strategic_fit":
                entry["min"], entry["max"] = 1, 5
            elif field.kind == INTEGER:
                entry["min"] = 0
            if field.kind == MONEY:
                entry["unit"] = settings.CARTERA_DEFAULT_CURRENCY
            elif name in {"recency_days", "tenure_days", "days_without_contact"}:
                entry["unit"] = gettext("days")
            fields.append(entry)
        groups.append({"label": str(label), "fields": fields})
    return {
        "groups": groups,
        "operators": {op: str(label) for op, label in OPERATOR_LABELS.items()},
        "groupKinds": {key: str(label) for key, label in GROUP_LABELS.items()},
        "maxDepth": MAX_DEPTH,
        "texts": builder_texts(gettext("Accounts for which all of these hold:")),
    }


def describe_segment_rule(rule: Any, names: RuleNames) -> str:
    """A rule in words: "Loyalty tier is one of Frequent, Loyal and (Net profit … or …)"; "every
    account" when it has no condition. A rule that does not parse is shown as its JSON."""
    if not isinstance(rule, dict) or not rule.get("all"):
        return gettext("every account")
    try:
        return _describe_items("all", rule["all"], names, nested=False)
    except (KeyError, TypeError, ValueError, AttributeError):
        return str(rule)


def _describe_items(key: str, items: Iterable[Any], names: RuleNames, *, nested: bool) -> str:
    joiner = gettext(" and ") if key == "all" else gettext(" or ")
    parts = []
    for item in items:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in GROUP_KEYS:
            inner_key, members = next(iter(item.items()))
            parts.append(_describe_items(inner_key, members, names, nested=True))
        else:
            parts.append(_describe_condition(item, names))
    text = joiner.join(parts)
    return f"({text})" if nested and len(parts) > 1 else text


def _value_label(name: str, value: Any, names: RuleNames) -> str:
    kind = FIELDS[name].kind
    if name == "profit_class":  # "A", not the whole "A — top 80% of profit"
        return str(value)
    if kind == CODE:
        return dict(_code_choices(name)).get(str(value), str(value))
    if kind == REGION:
        return region_name(str(value)) or str(value)
    if kind == ID:
        source = names.territories if name == "territory" else names.portfolios
        return source.get(int(value), f"#{value}")
    if kind == MONEY:
        return money(Decimal(str(value).strip()), settings.CARTERA_DEFAULT_CURRENCY)
    return str(value)


def _describe_condition(condition: dict[str, Any], names: RuleNames) -> str:
    name, op, value = condition["field"], condition["op"], condition["value"]
    label = str(FIELD_LABELS.get(name, name))
    if op in LIST_OPERATORS:
        shown = ", ".join(_value_label(name, item, names) for item in value)
    else:
        shown = _value_label(name, value, names)
    return f"{label} {OPERATOR_LABELS[op]} {shown}"


def builder_texts(top_group: str) -> dict[str, str]:
    """The words of the rule builder (cartera/static/rule-builder.js); `top_group` introduces the
    conditions ("Accounts for which all of these hold")."""
    return {
        "topGroup": top_group,
        "groupPrefix": gettext("Group where"),
        "groupKind": gettext("How group %(position)s combines its conditions"),
        "groupLabel": gettext("Group %(position)s"),
        "removeGroupLabel": gettext("Remove group %(position)s"),
        "remove": gettext("Remove"),
        "empty": gettext("No conditions: the rule takes everyone."),
        "addCondition": gettext("Add condition"),
        "addConditionTo": gettext("Add a condition to group %(position)s"),
        "addGroup": gettext("Add group"),
        "addGroupTo": gettext("Add a group inside group %(position)s"),
        "fieldLabel": gettext("Field of condition %(position)s"),
        "operatorLabel": gettext("Comparison of condition %(position)s"),
        "valueLabel": gettext("Value of condition %(position)s"),
        "removeConditionLabel": gettext("Remove condition %(position)s"),
        "multipleHint": gettext("Ctrl or ⌘ + click to choose several."),
        "unreadable": gettext(
            "The JSON below cannot be read yet; the builder shows the last rule it could read."
        ),
        "notRepresentable": gettext("This rule cannot be shown in the builder: edit it as JSON below."),
    }
