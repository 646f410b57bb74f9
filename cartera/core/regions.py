"""Countries and first-level regions (ISO 3166 and 3166-2) from pycountry."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cartera.core.text import normalize

# The markets cartera is made for first; every other country is still accepted.
PRIMARY_COUNTRIES = ["CL", "AR", "MX", "CO", "PE", "ES", "UY", "EC", "BR", "US"]


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    primary = [(code, country_name(code)) for code in PRIMARY_COUNTRIES]
    others = sorted(
        ((c.alpha_2, c.name) for c in pycountry.countries if c.alpha_2 not in PRIMARY_COUNTRIES),
        key=lambda item: item[1],
    )
    return primary + others


def is_known_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code."""
    return len(code or "") == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    return country.name if country else code


@lru_cache(maxsize=64)
def region_choices(country: str) -> list[tuple[str, str]]:
    """First-level subdivisions of a country (for Chile, its 16 regions), sorted by code."""
    subdivisions = pycountry.subdivisions.get(country_code=(country or "").upper()) or []
    top = [s for s in subdivisions if s.parent_code is None]
    return sorted(((s.code, s.name) for s in top), key=lambda item: item[0])


@lru_cache(maxsize=4096)
def region_name(code: str) -> str:
    if not code:
        return ""
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision.name if subdivision else code


def is_valid_region(country: str, code: str) -> bool:
    if not code:
        return True
    return code.upper().startswith(f"{(country or '').upper()}-") and any(
        code.upper() == choice for choice, _label in region_choices(country)
    )


REGION_HELP = _("ISO 3166-2 code of the region, for example CL-RM for the Santiago Metropolitan Region.")


def localized_country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """country_choices() with the names in `language` (the active one by default), from pycountry's
    own translations of ISO 3166-1: "México", "España" in Spanish."""
    return _localized_country_choices((language or get_language() or "en").split("-")[0])


@lru_cache(maxsize=8)
def _localized_country_choices(language: str) -> list[tuple[str, str]]:
    catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
    names = {c.alpha_2: catalog.gettext(c.name) for c in pycountry.countries}
    primary = [(code, names.get(code, code)) for code in PRIMARY_COUNTRIES]
    others = sorted(
        ((code, name) for code, name in names.items() if code not in PRIMARY_COUNTRIES),
        key=lambda item: normalize(item[1]),
    )
    return primary + others
