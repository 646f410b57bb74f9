"""Date options of the `cartera` commands: a bad date is a usage error, not a traceback."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from django.utils import translation

from cartera.core.arguments import date_argument
from cartera.insights.management.commands.insights import Command as InsightsCommand
from cartera.profiles.management.commands.profiles import Command as ProfilesCommand


def test_a_date_argument_reads_iso_dates_and_names_a_bad_one():
    assert date_argument("2026-02-28") == dt.date(2026, 2, 28)
    with translation.override("es"), pytest.raises(argparse.ArgumentTypeError) as raised:
        date_argument("2026-02-30")
    assert str(raised.value) == "2026-02-30 no es una fecha como 2026-06-30."


@pytest.mark.parametrize(
    ("command", "argv", "option"),
    [
        (InsightsCommand, ["insights", "recompute", "--as-of", "2026-13-01"], "--as-of"),
        (InsightsCommand, ["insights", "recompute", "--history", "--from", "ayer"], "--from"),
        (InsightsCommand, ["insights", "export", "--as-of", "31/12/2025"], "--as-of"),
        (ProfilesCommand, ["profiles", "suggest", "--as-of", "2026-6-1"], "--as-of"),
    ],
)
def test_from_the_command_line_a_bad_date_prints_the_usage_error_and_exits_with_status_2(
    command, argv, option, capsys
):
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        command().run_from_argv(["cartera", *argv])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"error: argument {option}: {argv[-1]} is not a date like 2026-06-30." in error
    assert "Traceback" not in error
