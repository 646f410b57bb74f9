"""Helpers shared by tests and the demo generator: valid tax ids made from numbers."""

from __future__ import annotations

from stdnum.cl import rut


def make_rut(number: int) -> str:
    """A valid Chilean RUT for `number` (the body), compact: make_rut(76086428) == "760864285"."""
    body = str(number)
    return body + rut.calc_check_digit(body)
