"""Template filters that write money and numbers the way the reader's language does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django import template
from django.utils.translation import get_language

from cartera.core.phones import format_phone

register = template.Library()

# The Babel locale used for each interface language: cartera's Spanish is Chile's first.
BABEL_LOCALES = {"es": "es_CL", "en": "en_US"}


def babel_locale() -> str:
    language = (get_language() or "es").split("-")[0]
    return BABEL_LOCALES.get(language, language)


@register.filter
def money(value: Decimal | int | float | None, currency: str = "CLP") -> str:
    """1234567 with "CLP" -> "$1.234.567" in Spanish (CLP has no decimals), "CLP 1,234,567" in English."""
    if value is None or value == "":
        return ""
    code = (currency or "CLP").upper()
    digits = get_currency_precision(code)
    amount = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)  # as on invoices
    text = format_currency(abs(amount), code, locale=babel_locale(), currency_digits=True)
    # Babel glues an ISO code to the number ("CLP1,234,567"); a no-break space reads better.
    if text.startswith(code):
        text = f"{code}\N{NO-BREAK SPACE}{text[len(code) :].lstrip()}"
    # A loss reads "-$396.387", sign first, as Chilean invoices and reports write it (CLDR's es_CL
    # pattern would put the sign after the currency symbol).
    return f"-{text}" if amount < 0 else text


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number written for people: +56 9 1234 5678."""
    return format_phone(value or "")


@register.filter
def cents(value: int | None) -> Decimal:
    """Integer cents as a Decimal amount, for `money`: {{ order.total_cents|cents|money:"CLP" }}."""
    return (Decimal(value or 0) / 100).quantize(Decimal("0.01"))
