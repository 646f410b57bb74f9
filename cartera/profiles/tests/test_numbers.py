from decimal import Decimal

import pytest
from django.utils import translation

from cartera.core.templatetags.cartera_format import money
from cartera.profiles.numbers import format_money, format_number


@pytest.mark.parametrize("amount", [Decimal("1234.5"), Decimal("2.5"), Decimal("-396387"), 1200000])
def test_format_money_writes_amounts_as_the_money_filter_does(amount):
    with translation.override("es"):
        assert format_money(amount) == money(amount, "CLP")


def test_format_money_rounds_half_up_and_puts_the_sign_first():
    with translation.override("es"):
        assert format_money(Decimal("1234.5")) == "$1.235"
        assert format_money(Decimal("-396387")) == "-$396.387"
    with translation.override("en"):
        assert format_money(1200000) == "CLP\N{NO-BREAK SPACE}1,200,000"


def test_format_number_groups_for_the_language():
    with translation.override("es"):
        assert format_number(1234567) == "1.234.567"
        assert format_number(Decimal("18.25"), 1) == "18,2"  # rounding is the caller's (see analysis_format)
    with translation.override("en"):
        assert format_number(1234567) == "1,234,567"
