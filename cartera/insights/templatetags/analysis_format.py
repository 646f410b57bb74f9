"""Counts and shares written the way the reader's language does ("1.234" and "72 %" in Spanish), for
the segments and profiles pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from cartera.profiles.numbers import format_number

register = template.Library()


@register.filter
def number(value: int | Decimal | None, places: int = 0) -> str:
    """1234 -> "1.234" in Spanish, "1,234" in English, rounded half up to `places`; empty for None."""
    if value is None or value == "":
        return ""
    return format_number(_rounded(Decimal(str(value)), int(places)), int(places))


@register.filter
def share(value: Decimal | float | None, places: int = 0) -> str:
    """A share of one as a percentage: 0.7241 -> "72 %" ("72.4 %" with one place); empty for None."""
    if value is None or value == "":
        return ""
    percent = _rounded(Decimal(str(value)) * 100, int(places))
    return f"{format_number(percent, int(places))}\N{NO-BREAK SPACE}%"


def _rounded(value: Decimal, places: int) -> Decimal:
    # Babel rounds half to even (18.05 -> "18,0"); figures are shown rounded half up, as money is.
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
