"""Countries and regions: the codes accounts and territories are validated against."""

import pytest

from cartera.core.regions import is_known_country, is_valid_region


@pytest.mark.parametrize(
    ("code", "known"), [("CL", True), ("cl", True), ("BR", True), ("ZZ", False), ("", False)]
)
def test_a_country_is_known_by_its_iso_3166_alpha_2_code(code, known):
    assert is_known_country(code) is known


@pytest.mark.parametrize(
    ("country", "region", "valid"),
    [
        ("CL", "CL-RM", True),
        ("cl", "cl-rm", True),
        ("CL", "", True),  # no region is allowed
        ("CL", "AR-B", False),  # a region of another country
        ("CL", "CL-XX", False),
        ("PE", "PE-LIM", True),
        ("MX", "MX-CMX", True),
    ],
)
def test_a_region_must_be_a_first_level_subdivision_of_the_country(country, region, valid):
    assert is_valid_region(country, region) is valid
