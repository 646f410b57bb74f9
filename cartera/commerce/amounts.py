"""The money of one order line, computed once in Decimal when the line is written.

A line's revenue, cost of goods and gross (list-price) value are rounded to the cent, as on an invoice,
and stored as integer cents, so that every sum over lines — per account, per window, per company — is
exact on SQLite and PostgreSQL alike (see docs/adr/0005-insights-facts.md).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> int:
    """Round a Decimal amount to the cent (half up) and return it as integer cents."""
    return int((amount * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / HUNDRED).quantize(CENT)


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount_pct: Decimal, unit_cost: Decimal
) -> tuple[int, int, int]:
    """(revenue, cost of goods, gross) of a line in cents, by DESIGN.md's definitions:
    revenue = quantity × unit_price × (1 − discount_pct / 100); cost = quantity × unit_cost;
    gross = quantity × unit_price (what the discount was taken from)."""
    gross = quantity * unit_price
    revenue = gross * (HUNDRED - discount_pct) / HUNDRED
    return to_cents(revenue), to_cents(quantity * unit_cost), to_cents(gross)
