"""Text normalization for accent- and case-insensitive search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s.]")

# Legal-form suffixes of the markets cartera serves, written without dots or spaces, so that "S.A.S.",
# "S. A. S." and "SAS" are the same suffix.
_LEGAL_SUFFIXES = frozenset(
    {
        "sa",  # sociedad anónima
        "spa",  # sociedad por acciones (CL), società per azioni
        "ltda",
        "limitada",
        "cialtda",  # compañía limitada (EC)
        "eirl",  # empresa individual de responsabilidad limitada (CL, PE)
        "sac",  # sociedad anónima cerrada (PE)
        "saa",  # sociedad anónima abierta (PE)
        "srl",
        "sl",  # sociedad limitada (ES)
        "slu",
        "sau",
        "sas",  # sociedad por acciones simplificada (CO)
        "sadecv",  # (MX)
        "sabdecv",
        "sapidecv",
        "sderl",
        "sderldecv",
        "sc",
        "inc",
        "llc",
        "ltd",
        "corp",
    }
)
# The longest suffix above spans this many words ("s. de r. l. de c. v." is the worst case).
_MAX_SUFFIX_WORDS = 8


def normalize(text: str | None) -> str:
    """Lower-case, strip accents and collapse white space: "  Muñoz  Hnos " -> "munoz hnos"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalize_company_name(text: str | None) -> str:
    """The normalized name without punctuation or legal-form suffix, to spot the same company twice:
    "Ferretería Muñoz Ltda." and "FERRETERIA MUNOZ LIMITADA" both give "ferreteria munoz"."""
    words = _PUNCTUATION.sub(" ", normalize(text)).split()
    stripped = True
    while stripped:
        stripped = False
        # Longest suffix first, so "s.a. de c.v." goes as a whole; the name itself is never removed.
        for size in range(min(_MAX_SUFFIX_WORDS, len(words) - 1), 0, -1):
            if "".join(words[-size:]).replace(".", "") in _LEGAL_SUFFIXES:
                del words[-size:]
                stripped = True
                break
    return " ".join(" ".join(words).replace(".", " ").split())
