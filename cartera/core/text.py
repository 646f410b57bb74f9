"""Text normalization for accent- and case-insensitive search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LEGAL_SUFFIXES = re.compile(
    r"\b(s\.?\s?a\.?|spa|s\.?p\.?a\.?|ltda\.?|limitada|eirl|s\.?a\.?c\.?|s\.?r\.?l\.?|s\.?l\.?|"
    r"s\.?a\.? de c\.?v\.?|sas|inc\.?|llc|ltd\.?)$"
)


def normalize(text: str | None) -> str:
    """Lower-case, strip accents and collapse white space: "  Muñoz  Hnos " -> "munoz hnos"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalize_company_name(text: str | None) -> str:
    """The normalized name without punctuation or legal-form suffix, to spot the same company twice."""
    name = normalize(text)
    name = re.sub(r"[^\w\s.]", " ", name)
    name = _SPACES.sub(" ", name).strip()
    previous = None
    while previous != name:
        previous = name
        name = _LEGAL_SUFFIXES.sub("", name).strip(" .,")
    return _SPACES.sub(" ", name.replace(".", " ")).strip()
