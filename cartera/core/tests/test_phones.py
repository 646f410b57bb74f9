"""Phone numbers stored in E.164, local numbers read as the account's country's."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.core.phones import clean_phone, format_phone


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("+56 9 6123 4567", "CL", "+56961234567"),
        ("9 6123 4567", "CL", "+56961234567"),
        ("961234567", "cl", "+56961234567"),
        ("(2) 2123 4567", "CL", "+56221234567"),
        ("  +56221234567  ", "CL", "+56221234567"),
        ("011 15-2345-6789", "AR", "+5491123456789"),
        ("222 123 4567", "MX", "+522221234567"),
        ("321 1234567", "CO", "+573211234567"),
        ("912 345 678", "PE", "+51912345678"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("+34 612 34 56 78", "CL", "+34612345678"),  # an international number ignores the country
        ("", "CL", ""),
        ("   ", "CL", ""),
    ],
)
def test_a_valid_phone_is_stored_in_e164(typed, country, stored):
    assert clean_phone(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country", "code", "message"),
    [
        ("12", "CL", "phone_invalid", "12 is not a valid phone number for CL."),
        ("+56 9 1234 5678", "CL", "phone_invalid", "+56 9 1234 5678 is not a valid phone number for CL."),
        ("abc", "CL", "phone_format", "abc is not a phone number."),
        ("961234567", "ZZ", "phone_format", "961234567 is not a phone number."),
    ],
)
def test_an_invalid_phone_is_refused_with_its_message(typed, country, code, message):
    with pytest.raises(ValidationError) as caught:
        clean_phone(typed, country)

    assert caught.value.code == code
    assert caught.value.messages == [message]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+56961234567", "+56 9 6123 4567"),
        ("+56221234567", "+56 2 2123 4567"),
        ("+34612345678", "+34 612 34 56 78"),
        ("", ""),
        ("not a phone", "not a phone"),
    ],
)
def test_a_stored_phone_is_shown_grouped_for_people(stored, shown):
    assert format_phone(stored) == shown
