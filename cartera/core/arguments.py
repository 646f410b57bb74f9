"""Argument types shared by the `cartera` commands."""

from __future__ import annotations

import argparse
import datetime as dt

from django.utils.translation import gettext


def date_argument(text: str) -> dt.date:
    """A date written YYYY-MM-DD, as an argparse `type`: anything else is a usage error that names the
    option and the value (from a shell, argparse prints it with the usage and exits with status 2)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("%(text)s is not a date like 2026-06-30.") % {"text": text}
        ) from None
