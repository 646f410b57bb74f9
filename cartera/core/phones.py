"""Phone numbers parsed with phonenumbers and stored in E.164."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def clean_phone(value: str, default_country: str = "CL") -> str:
    """Return `value` in E.164 (+56912345678), reading local numbers as `default_country`'s."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, (default_country or "CL").upper())
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("%(value)s is not a phone number."), code="phone_format", params={"value": raw}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number for %(country)s."),
            code="phone_invalid",
            params={"value": raw, "country": phonenumbers.region_code_for_number(number) or default_country},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """The number written for people: +56 9 1234 5678."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164
