"""`cartera import` and `cartera export` speak the interface language, and a bad option is a usage error."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cartera.commerce.models import OrderLine
from cartera.dataio.management.commands.export import Command as ExportCommand
from cartera.dataio.tests.factories import ORDER_HEADER, write_csv


def test_in_spanish_the_import_names_the_row_and_column_and_says_nothing_was_written(catalog, tmp_path):
    # Given an orders file whose second row has an impossible date
    path = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [["OC-1", catalog.tax_ids[0], "2025-13-01", catalog.skus[0], "1", "5", "0"]],
    )
    stdout, stderr = io.StringIO(), io.StringIO()

    # When it is imported with the interface in Spanish
    with translation.override("es"), pytest.raises(CommandError) as failure:
        call_command("import", "orders", str(path), stdout=stdout, stderr=stderr)

    # Then the summary, the problem's place and the outcome are in Spanish, and nothing was written
    assert stdout.getvalue().splitlines() == [
        "orders pedidos.csv: filas 1; rechazadas 1; creadas 0; actualizadas 0; sin cambios 0 (no guardado)."
    ]
    assert (
        stderr.getvalue()
        .splitlines()[0]
        .startswith("pedidos.csv: fila 2, columna order_date ('2025-13-01'): ")
    )
    assert str(failure.value) == "Problemas: 1; no se guardó nada."
    assert OrderLine.objects.count() == 0


def test_in_spanish_the_export_says_where_it_wrote_and_what_xlsx_needs(catalog, tmp_path):
    stderr = io.StringIO()
    target = tmp_path / "cuentas.csv"
    with translation.override("es"):
        call_command("export", "accounts", "--output", str(target), stdout=io.StringIO(), stderr=stderr)
        with pytest.raises(CommandError) as failure:
            call_command("export", "accounts", "--format", "xlsx", stdout=io.StringIO(), stderr=io.StringIO())

    assert stderr.getvalue().strip() == f"Filas escritas en {target}: 10."
    assert len(target.read_text(encoding="utf-8").splitlines()) == 11  # the header and ten accounts
    assert str(failure.value) == "--format xlsx necesita --output ARCHIVO."


def test_from_the_command_line_a_filter_without_a_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        ExportCommand().run_from_argv(["cartera", "export", "accounts", "--filter", "region"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "error: argument --filter: 'region' is not NAME=VALUE." in error
    assert "Traceback" not in error
