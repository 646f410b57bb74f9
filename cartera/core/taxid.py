"""Tax ids validated per country with python-stdnum: one canonical stored form, one local display form.

python-stdnum already implements the check-digit algorithms of every country we sell in, with the
same exception classes everywhere, so validation failures can say *which* check failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ar import cuit as ar_cuit
from stdnum.br import cnpj as br_cnpj
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.ec import ruc as ec_ruc
from stdnum.es import nif as es_nif
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumValidationError,
)
from stdnum.mx import rfc as mx_rfc
from stdnum.pe import ruc as pe_ruc
from stdnum.uy import rut as uy_rut


@dataclass(frozen=True)
class TaxIdScheme:
    """How one country's company tax id is named, validated and written."""

    country: str
    name: str
    module: ModuleType

    def compact(self, value: str) -> str:
        return str(self.module.compact(value))

    def format(self, compact_value: str) -> str:
        formatter = getattr(self.module, "format", None)
        return str(formatter(compact_value)) if formatter else compact_value


SCHEMES: dict[str, TaxIdScheme] = {
    scheme.country: scheme
    for scheme in (
        TaxIdScheme("CL", "RUT", cl_rut),
        TaxIdScheme("AR", "CUIT", ar_cuit),
        # RFC check digits are not enforced (python-stdnum's default): the SAT has issued numbers in
        # use whose check digits do not match, and refusing a client's real RFC is worse than a typo.
        TaxIdScheme("MX", "RFC", mx_rfc),
        TaxIdScheme("CO", "NIT", co_nit),
        TaxIdScheme("PE", "RUC", pe_ruc),
        TaxIdScheme("ES", "NIF", es_nif),
        TaxIdScheme("UY", "RUT", uy_rut),
        TaxIdScheme("EC", "RUC", ec_ruc),
        TaxIdScheme("BR", "CNPJ", br_cnpj),
    )
}


def scheme_for(country: str) -> TaxIdScheme | None:
    return SCHEMES.get((country or "").upper())


def tax_id_label(country: str) -> str:
    scheme = scheme_for(country)
    return scheme.name if scheme else str(_("Tax id"))


def clean_tax_id(country: str, value: str) -> str:
    """Validate `value` as a tax id of `country` and return its canonical (compact) form.

    Raises ValidationError with code `tax_id_format`, `tax_id_length`, `tax_id_check_digit` or
    `tax_id_component`, and a message naming the check and the country.
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("The tax id is required."), code="required")
    scheme = scheme_for(country)
    if scheme is None:
        # Countries without a known scheme: keep the id as written, without spaces, upper-cased.
        return "".join(raw.split()).upper()
    params = {"name": scheme.name, "country": country.upper(), "value": raw}
    try:
        return str(scheme.module.validate(raw))
    except InvalidChecksum:
        raise ValidationError(
            _("%(value)s is not a valid %(name)s (%(country)s): the check digit is wrong."),
            code="tax_id_check_digit",
            params=params,
        ) from None
    except InvalidLength:
        raise ValidationError(
            _("%(value)s is not a valid %(name)s (%(country)s): it has the wrong number of characters."),
            code="tax_id_length",
            params=params,
        ) from None
    except InvalidFormat:
        raise ValidationError(
            _("%(value)s is not a valid %(name)s (%(country)s): the format is wrong."),
            code="tax_id_format",
            params=params,
        ) from None
    except InvalidComponent:
        raise ValidationError(
            _(
                "%(value)s is not a valid %(name)s (%(country)s): a part of it is not valid (for example a date or a type)."
            ),
            code="tax_id_component",
            params=params,
        ) from None
    except StdnumValidationError:
        raise ValidationError(
            _("%(value)s is not a valid %(name)s (%(country)s)."), code="tax_id_invalid", params=params
        ) from None


def format_tax_id(country: str, compact_value: str) -> str:
    """The tax id written the local way, e.g. 76.086.428-5 for a Chilean RUT."""
    scheme = scheme_for(country)
    # A value stored before validation existed (or imported raw) is shown as it is: the formatters
    # do not validate, and would turn "76" into "..7-6".
    if scheme is None or not compact_value or not scheme.module.is_valid(compact_value):
        return compact_value
    return scheme.format(compact_value)
