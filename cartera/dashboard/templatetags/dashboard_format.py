"""Percentages and signed changes written the way the reader's language does."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from django import template

from cartera.core.templatetags.cartera_format import babel_locale

register = template.Library()


@register.filter
def percent(value: Decimal | float | None, digits: int = 1) -> str:
    """0.1234 -> "12,3 %" in Spanish, "12.3 %" in English: the number in the reader's language, then a
    non-breaking space and the sign, as every other percentage of the interface is written; "" for
    None. With a sign when asked through `signed_percent`."""
    if value is None or value == "":
        return ""
    pattern = "#,##0" + ("." + "0" * int(digits) if int(digits) else "")
    number = format_decimal(Decimal(value) * 100, format=pattern, locale=babel_locale())
    return f"{number}\N{NO-BREAK SPACE}%"


@register.filter
def signed_percent(value: Decimal | float | None, digits: int = 1) -> str:
    """0.1234 -> "+12,3 %", -0.05 -> "−5,0 %" (a true minus sign); "" for None."""
    if value is None or value == "":
        return ""
    text = percent(abs(Decimal(value)), digits)
    return ("+" if Decimal(value) > 0 else "\N{MINUS SIGN}" if Decimal(value) < 0 else "") + text
