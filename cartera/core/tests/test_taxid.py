"""Tax ids of every country cartera sells in: one canonical stored form, one local display form, and a
refusal that says which check failed. Valid numbers come from python-stdnum's own documentation."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cartera.core.taxid import SCHEMES, clean_tax_id, format_tax_id, tax_id_label


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# (country, as typed, stored, shown)
VALID = [
    ("CL", "76086428-5", "760864285", "76.086.428-5"),
    ("CL", "76.086.428-5", "760864285", "76.086.428-5"),
    ("CL", " 760864285 ", "760864285", "76.086.428-5"),
    ("CL", "CL 12531909-2", "125319092", "12.531.909-2"),
    ("cl", "12.531.909-2", "125319092", "12.531.909-2"),
    ("AR", "20-05536168-2", "20055361682", "20-05536168-2"),
    ("AR", "20267565393", "20267565393", "20-26756539-3"),
    ("AR", "20 26756539 3", "20267565393", "20-26756539-3"),
    ("MX", "MAB-930714-8T4", "MAB9307148T4", "MAB 930714 8T4"),
    ("MX", "mab9307148t4", "MAB9307148T4", "MAB 930714 8T4"),
    ("MX", "GODE 561231 GR8", "GODE561231GR8", "GODE 561231 GR8"),
    ("CO", "213.123.432-1", "2131234321", "213.123.432-1"),
    ("CO", "2131234321", "2131234321", "213.123.432-1"),
    ("CO", "213 123 432 1", "2131234321", "213.123.432-1"),
    ("PE", "20512333797", "20512333797", "20512333797"),
    ("PE", " 20512333797 ", "20512333797", "20512333797"),
    ("ES", "B64717838", "B64717838", "B64717838"),  # CIF
    ("ES", "ES B-58378431", "B58378431", "B58378431"),  # CIF with country prefix
    ("ES", "J99216582", "J99216582", "J99216582"),  # CIF
    ("ES", "54362315-K", "54362315K", "54362315K"),  # DNI
    ("ES", "54362315k", "54362315K", "54362315K"),  # DNI
    ("ES", "X-5253868-R", "X5253868R", "X5253868R"),  # NIE
    ("ES", "x-2482300w", "X2482300W", "X2482300W"),  # NIE
    ("UY", "21-100342-001-7", "211003420017", "21-100342-001-7"),
    ("UY", "UY 21 140634 001 1", "211406340011", "21-140634-001-1"),
    ("EC", "1792060346-001", "1792060346001", "1792060346001"),
    ("EC", "1792060346001", "1792060346001", "1792060346001"),
    ("BR", "16.727.230/0001-97", "16727230000197", "16.727.230/0001-97"),
    ("BR", "16727230000197", "16727230000197", "16.727.230/0001-97"),
    ("BR", "12. ABC.345 /01DE–35", "12ABC34501DE35", "12.ABC.345/01DE-35"),  # alphanumeric, from 2026
]

# (country, as typed, error code): one row per check that can fail in that country.
INVALID = [
    ("CL", "76086428-4", "tax_id_check_digit"),
    ("CL", "7608642", "tax_id_length"),
    ("CL", "76086A28-5", "tax_id_format"),
    ("AR", "20267565392", "tax_id_check_digit"),
    ("AR", "2026756539", "tax_id_length"),
    ("AR", "20-2675653X-3", "tax_id_format"),
    ("MX", "MAB93", "tax_id_length"),
    ("MX", "MAB-931314-8T4", "tax_id_component"),  # month 13
    ("MX", "M4B-930714-8T4", "tax_id_format"),
    ("CO", "2131234325", "tax_id_check_digit"),
    ("CO", "21", "tax_id_length"),
    ("CO", "213.12A.432-1", "tax_id_format"),
    ("PE", "20512333798", "tax_id_check_digit"),
    ("PE", "2051233379", "tax_id_length"),
    ("PE", "2051233379A", "tax_id_format"),
    ("PE", "30512333797", "tax_id_component"),  # 30 is not a kind of RUC
    ("ES", "B64717839", "tax_id_check_digit"),  # CIF
    ("ES", "54362315Z", "tax_id_check_digit"),  # DNI
    ("ES", "x-2482300a", "tax_id_check_digit"),  # NIE
    ("ES", "J992165831", "tax_id_length"),
    ("ES", "O-1234567-L", "tax_id_format"),
    ("UY", "210303670014", "tax_id_check_digit"),
    ("UY", "12345678", "tax_id_length"),
    ("UY", "21100342A017", "tax_id_format"),
    ("UY", "211003420027", "tax_id_component"),  # the block after the sequence must be 001
    ("EC", "1763154690001", "tax_id_check_digit"),
    ("EC", "179206034601", "tax_id_length"),
    ("EC", "17920603A6001", "tax_id_format"),
    ("EC", "9992060346001", "tax_id_component"),  # 99 is not a province
    ("BR", "16.727.230/0001-98", "tax_id_check_digit"),
    ("BR", "1672723000019", "tax_id_length"),
    ("BR", "16.727.230/0001=97", "tax_id_format"),
]


@pytest.mark.parametrize(("country", "typed", "stored", "shown"), VALID)
def test_a_valid_tax_id_is_stored_compact_and_shown_the_local_way(country, typed, stored, shown):
    compact = clean_tax_id(country, typed)

    assert compact == stored
    assert format_tax_id(country, compact) == shown


@pytest.mark.parametrize(("country", "typed", "stored", "shown"), VALID)
def test_cleaning_a_stored_tax_id_again_gives_the_same_value(country, typed, stored, shown):
    assert clean_tax_id(country, stored) == stored


@pytest.mark.parametrize(("country", "typed", "code"), INVALID)
def test_an_invalid_tax_id_is_refused_with_the_failed_check_the_scheme_and_the_country(country, typed, code):
    with pytest.raises(ValidationError) as caught:
        clean_tax_id(country, typed)

    assert caught.value.code == code
    message = caught.value.messages[0]
    assert message.startswith(f"{typed} is not a valid {SCHEMES[country].name} ({country}): ")


def test_the_message_says_in_words_which_check_failed():
    with pytest.raises(ValidationError) as caught:
        clean_tax_id("CL", "76.086.428-4")

    assert caught.value.messages == ["76.086.428-4 is not a valid RUT (CL): the check digit is wrong."]


def test_every_country_of_the_table_has_a_scheme_with_valid_and_invalid_examples():
    assert {row[0].upper() for row in VALID} == set(SCHEMES)
    assert {row[0] for row in INVALID} == set(SCHEMES)


def test_mexican_rfc_check_digits_are_not_enforced_because_real_ones_fail_them():
    # python-stdnum: about 1.5 % of RFCs in use have check digits that do not match.
    assert clean_tax_id("MX", "VACE-460910-SX6") == "VACE460910SX6"


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_tax_id_is_required(typed):
    with pytest.raises(ValidationError) as caught:
        clean_tax_id("CL", typed)

    assert caught.value.code == "required"


def test_a_country_without_a_scheme_keeps_the_id_as_written_without_spaces_and_upper_cased():
    assert clean_tax_id("US", " 12-345 6789 ab ") == "12-3456789AB"
    assert format_tax_id("US", "12-3456789AB") == "12-3456789AB"


def test_a_stored_value_that_no_longer_formats_is_shown_as_it_is():
    assert format_tax_id("CL", "76") == "76"
    assert format_tax_id("CL", "") == ""


@pytest.mark.parametrize(
    ("country", "label"), [("CL", "RUT"), ("ar", "CUIT"), ("MX", "RFC"), ("ES", "NIF"), ("BR", "CNPJ")]
)
def test_the_label_of_the_tax_id_is_the_local_name(country, label):
    assert tax_id_label(country) == label


def test_a_country_without_a_scheme_calls_it_tax_id():
    assert tax_id_label("US") == "Tax id"
