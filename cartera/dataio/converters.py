"""Per-column converters: text from a file to a typed value, or a CellError saying what is wrong.

They are plain closures built once per import (no forms, no full_clean per row), with small caches for
the values files repeat the most (dates, tax ids, references), so that a million rows validate in
seconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cartera.core.phones import clean_phone
from cartera.core.taxid import clean_tax_id

Converter = Callable[[str], Any]

# What spreadsheet programs would run as a formula; exports prefix such text with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CACHE_LIMIT = 100_000


class CellError(Exception):
    """A value that cannot be used; `message` is for the person who wrote the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def message_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def text(max_length: int, *, required: bool = False) -> Converter:
    """Trimmed text up to `max_length` characters; a neutralised formula ('=...) loses its quote."""

    def convert(raw: str) -> str:
        value = raw.strip()
        if value[:1] == "'" and value[1:2] in FORMULA_STARTS and value[1:2]:
            value = value[1:]
        if not value and required:
            raise CellError(_("A value is required."))
        if len(value) > max_length:
            raise CellError(_("At most %(limit)d characters.") % {"limit": max_length})
        return value

    return convert


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def date(*, required: bool = True) -> Converter:
    """A date written 2025-12-31 or 31/12/2025 (also 31-12-2025 and 31.12.2025)."""
    cache: dict[str, dt.date | None] = {}

    def convert(raw: str) -> dt.date | None:
        try:
            return cache[raw]
        except KeyError:
            pass
        value = raw.strip()
        if not value:
            if required:
                raise CellError(_("A date is required."))
            return None
        match = _ISO.match(value)
        try:
            if match:
                result = dt.date(int(match[1]), int(match[2]), int(match[3]))
            else:
                match = _DMY.match(value)
                if not match:
                    raise ValueError(value)
                result = dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            raise CellError(_("Not a date: write it as 2025-12-31 or 31/12/2025.")) from None
        if len(cache) < _CACHE_LIMIT:
            cache[raw] = result
        return result

    return convert


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?$")


def decimal(
    *,
    places: int,
    max_digits: int,
    decimal_comma: bool = False,
    required: bool = True,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal | None = None,
    positive: bool = False,
) -> Converter:
    """A number with at most `places` decimals, written 1234.56 (or 1.234,56 with `decimal_comma`)."""
    limit = Decimal(10) ** (max_digits - places)
    cache: dict[str, Decimal | None] = {}
    pattern = _COMMA_NUMBER if decimal_comma else _PLAIN_NUMBER
    bad_format = (
        _("Not a number: write it as 1.234,56.") if decimal_comma else _("Not a number: write it as 1234.56.")
    )

    def convert(raw: str) -> Decimal | None:
        try:
            return cache[raw]
        except KeyError:
            pass
        value = raw.strip()
        if not value:
            if required:
                raise CellError(_("A number is required."))
            return None
        if not pattern.match(value):
            raise CellError(bad_format)
        if decimal_comma:
            value = value.replace(".", "").replace(",", ".")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(bad_format) from None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            if number != number.quantize(Decimal(1).scaleb(-places)):
                raise CellError(_("At most %(places)d decimals.") % {"places": places})
            number = number.quantize(Decimal(1).scaleb(-places))
        if abs(number) >= limit:
            raise CellError(_("The number is too large."))
        if positive and number <= 0:
            raise CellError(_("Must be greater than zero."))
        if minimum is not None and number < minimum:
            raise CellError(_("Must be at least %(minimum)s.") % {"minimum": minimum})
        if maximum is not None and number > maximum:
            raise CellError(_("Must be at most %(maximum)s.") % {"maximum": maximum})
        if len(cache) < _CACHE_LIMIT:
            cache[raw] = number
        return number

    return convert


def integer(*, minimum: int, maximum: int, required: bool = False) -> Converter:
    def convert(raw: str) -> int | None:
        value = raw.strip()
        if not value:
            if required:
                raise CellError(_("A number is required."))
            return None
        try:
            number = int(Decimal(value.replace(",", ".")))
        except (InvalidOperation, ValueError):
            raise CellError(_("Not a whole number.")) from None
        if not minimum <= number <= maximum:
            raise CellError(
                _("Must be from %(minimum)d to %(maximum)d.") % {"minimum": minimum, "maximum": maximum}
            )
        return number

    return convert


def choice(choices: Iterable[tuple[str, Any]], *, required: bool = False, default: str = "") -> Converter:
    """One of a model's choices, given by its code or its label in any of the interface's languages
    (case and accents ignored)."""
    from django.conf import settings
    from django.utils import translation

    from cartera.core.text import normalize

    lookup: dict[str, str] = {}
    codes = []
    for code, label in choices:
        codes.append(code)
        lookup[normalize(code)] = code
        lookup[normalize(code.replace("_", " "))] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup.setdefault(normalize(str(label)), code)
    allowed = ", ".join(codes)
    cache: dict[str, str] = {}

    def convert(raw: str) -> str:
        try:
            return cache[raw]
        except KeyError:
            pass
        value = raw.strip()
        if not value:
            if required:
                raise CellError(_("A value is required."))
            return default
        try:
            code = lookup[normalize(value)]
        except KeyError:
            raise CellError(_("Not one of: %(allowed)s.") % {"allowed": allowed}) from None
        if len(cache) < 1000:
            cache[raw] = code
        return code

    return convert


def tax_id(country: str) -> Converter:
    """A tax id of `country` in any common writing, in its compact form; the error names the failed check."""
    cache: dict[str, str | CellError] = {}

    def convert(raw: str) -> str:
        try:
            cached = cache[raw]
        except KeyError:
            try:
                cached = clean_tax_id(country, raw)
            except ValidationError as error:
                cached = CellError(message_of(error))
            if len(cache) < _CACHE_LIMIT:
                cache[raw] = cached
        if isinstance(cached, CellError):
            raise cached
        return cached

    return convert


def email(raw: str) -> str:
    value = raw.strip().lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise CellError(_("Not an email address.")) from None
    return value


def phone(country: str) -> Converter:
    def convert(raw: str) -> str:
        try:
            return clean_phone(raw, country)
        except ValidationError as error:
            raise CellError(message_of(error)) from None

    return convert
