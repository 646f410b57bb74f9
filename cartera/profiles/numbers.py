"""Numbers and money written the way the reader's language does, for text built outside templates."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.conf import settings
from django.utils.translation import get_language

# cartera's Spanish is Chile's first: "1.234.567" rather than Spain's "1 234 567".
BABEL_LOCALES = {"es": "es_CL", "en": "en_US"}


def babel_locale() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return BABEL_LOCALES.get(language, language)


def format_number(value: int | float | Decimal, places: int = 0) -> str:
    """1234567 -> "1.234.567" in Spanish, "1,234,567" in English; always `places` decimals."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=babel_locale())


def format_money(value: int | float | Decimal, currency: str | None = None) -> str:
    """1200000 -> "$1.200.000" in Spanish, "CLP 1,200,000" in English, in the currency's digits."""
    code = (currency or settings.CARTERA_DEFAULT_CURRENCY).upper()
    amount = Decimal(value).quantize(Decimal(1).scaleb(-get_currency_precision(code)))
    text = format_currency(amount, code, locale=babel_locale(), currency_digits=True)
    if text.startswith(code):
        text = f"{code}\N{NO-BREAK SPACE}{text[len(code) :].lstrip()}"
    return text
