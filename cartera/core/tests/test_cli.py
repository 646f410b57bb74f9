"""The `cartera` command as a shell runs it."""

from __future__ import annotations

import subprocess
import sys


def test_when_the_reader_of_its_output_goes_away_the_command_stops_quietly():
    # Given a command writing far more than a pipe holds, read by one that stops after a few bytes
    # (`cartera export accounts | head -1`)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cartera.cli",
            "shell",
            "-v",
            "0",
            "-c",
            "for _ in range(100_000): print('fila ' * 20)",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100).startswith(b"fila fila")

    # When the reader goes away
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.wait(timeout=60)

    # Then the command ends with status 1 and no traceback
    assert process.returncode == 1
    assert errors == ""
