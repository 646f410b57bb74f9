"""Money and phone numbers written the way the reader's language does."""

from decimal import Decimal

import pytest
from django.utils import translation

from cartera.core.templatetags.cartera_format import cents, money, phone


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("es", Decimal("1234567.49"), "CLP", "$1.234.567"),
        ("es", Decimal("1234566.50"), "CLP", "$1.234.567"),
        ("es", Decimal("1234.5"), "USD", "US$1.234,50"),
        ("en", Decimal("1234567"), "CLP", "CLP\N{NO-BREAK SPACE}1,234,567"),
        ("en", Decimal("1234.5"), "USD", "$1,234.50"),
        ("es", Decimal("-396387"), "CLP", "-$396.387"),
        ("es", Decimal("-0.4"), "CLP", "$0"),
        ("en", Decimal("-1234.5"), "USD", "-$1,234.50"),
    ],
)
def test_money_follows_the_language_and_the_currency_digits(language, amount, currency, written):
    with translation.override(language):
        assert money(amount, currency) == written


def test_money_of_nothing_is_empty():
    assert money(None, "CLP") == ""


def test_cents_become_a_decimal_amount():
    assert cents(56_317_045) == Decimal("563170.45")
    assert cents(None) == Decimal("0.00")


def test_phone_is_written_for_people():
    assert phone("+56961234567") == "+56 9 6123 4567"
    assert phone("") == ""
