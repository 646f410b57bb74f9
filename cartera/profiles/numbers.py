"""Numbers and money written the way the reader's language does, for text built outside templates.

Money and the interface language's Babel locale come from the `cartera_format` template filters, so a
rule's description or a suggestion writes an amount exactly as the tables next to it do."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from django.conf import settings

from cartera.core.templatetags.cartera_format import babel_locale, money


def format_number(value: int | float | Decimal, places: int = 0) -> str:
    """1234567 -> "1.234.567" in Spanish, "1,234,567" in English; always `places` decimals."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=babel_locale())


def format_money(value: int | float | Decimal, currency: str | None = None) -> str:
    """1200000 -> "$1.200.000" in Spanish, "CLP 1,200,000" in English, in the currency's digits: the
    `money` filter, with the default currency when none is given."""
    return money(value, currency or settings.CARTERA_DEFAULT_CURRENCY)
