"""An independent, plain-Python computation of DESIGN.md's metric definitions and default ladder rules.

It reads nothing but the raw rows and shares no code with the SQL engine, so the two can check each
other. A line's money is rounded to the cent, as the engine (and an invoice) does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    unit_cost: Decimal

    def revenue(self) -> Decimal:
        exact = self.quantity * self.unit_price * (1 - self.discount_pct / 100)
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)

    def cogs(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class History:
    """Everything one account did: orders (date, lines), costs, spend and referrals (dates)."""

    orders: list[tuple[dt.date, list[Line]]] = field(default_factory=list)
    service_costs: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    marketing: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    referrals: list[dt.date] = field(default_factory=list)


def metrics(history: History, as_of: dt.date) -> dict[str, object]:
    window_start = as_of - dt.timedelta(days=365)

    def in_window(day: dt.date) -> bool:
        return window_start < day <= as_of

    orders = [(day, lines) for day, lines in history.orders if day <= as_of]
    recent = [(day, lines) for day, lines in orders if in_window(day)]
    revenue = sum((line.revenue() for _, lines in recent for line in lines), Decimal(0))
    cogs = sum((line.cogs() for _, lines in recent for line in lines), Decimal(0))
    cost_to_serve = sum((amount for day, amount in history.service_costs if in_window(day)), Decimal(0))
    marketing = sum((amount for day, amount in history.marketing if in_window(day)), Decimal(0))
    dates = [day for day, _ in orders]
    first, last = (min(dates), max(dates)) if dates else (None, None)
    referral_start = as_of - dt.timedelta(days=730)
    has_referral = any(referral_start < day <= as_of for day in history.referrals)
    if not orders:
        tier = "prospect"
    elif len(orders) == 1:
        tier = "buyer"
    elif len(recent) >= 4:
        loyal = first is not None and (as_of - first).days >= 730 and has_referral
        tier = "loyal" if loyal else "frequent"
    else:
        tier = "sporadic"
    return {
        "revenue_12m": revenue,
        "cogs_12m": cogs,
        "gross_margin_12m": revenue - cogs,
        "cost_to_serve_12m": cost_to_serve,
        "marketing_spend_12m": marketing,
        "net_profit_12m": revenue - cogs - cost_to_serve - marketing,
        "orders_total": len(orders),
        "orders_12m": len(recent),
        "recency_days": (as_of - last).days if last else None,
        "tenure_days": (as_of - first).days if first else None,
        "tier": tier,
    }


def profit_classes(net_profits: dict[int, Decimal]) -> dict[int, str]:
    """A/B/C by cumulative share of positive net profit before each account (ties by id), L otherwise."""
    positive = sorted(((-profit, key) for key, profit in net_profits.items() if profit > 0))
    total = sum(-negated for negated, _ in positive)
    classes = {key: "L" for key, profit in net_profits.items() if profit <= 0}
    before = Decimal(0)
    for negated, key in positive:
        share = before / total
        classes[key] = "A" if share < Decimal("0.80") else "B" if share < Decimal("0.95") else "C"
        before += -negated
    return classes
