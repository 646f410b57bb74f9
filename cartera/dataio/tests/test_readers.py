"""Reading files: workbooks and CSV dialects, and hostile files refused with a message."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cartera.commerce.models import OrderLine
from cartera.dataio.readers import FileRefused, open_table
from cartera.dataio.services import ImportFile, import_files
from cartera.dataio.tests.factories import ORDER_HEADER, write_csv


def _workbook(path, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_an_xlsx_with_real_dates_and_numbers_is_imported(catalog, tmp_path):
    path = _workbook(
        tmp_path / "pedidos.xlsx",
        ORDER_HEADER,
        [["OC-1", catalog.tax_ids[0], dt.datetime(2025, 12, 31), catalog.skus[0], 2, 1234.56, 0]],
    )

    result = import_files(actor=None, files=[ImportFile("orders", str(path))])

    assert result.problem_count == 0
    line = OrderLine.objects.select_related("order").get()
    assert (line.order.date, str(line.unit_price), line.revenue_cents) == (
        dt.date(2025, 12, 31),
        "1234.56",
        246912,
    )


def test_a_zip_bomb_is_refused_before_it_is_inflated(db, tmp_path):
    # Given an "XLSX" whose sheet is 30 MB of zeros compressed a thousand times
    path = tmp_path / "bomba.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)

    # When it is opened, then it is refused with the reason
    with pytest.raises(FileRefused) as refused:
        open_table(str(path))
    assert str(refused.value).startswith("The workbook part xl/worksheets/sheet1.xml is compressed ")
    assert str(refused.value).endswith(" times, which only a zip bomb does.")


def test_a_workbook_declaring_more_than_the_limit_is_refused(db, tmp_path, settings):
    settings.CARTERA_IMPORT_MAX_XLSX_UNCOMPRESSED = 1024 * 1024
    path = _workbook(tmp_path / "grande.xlsx", ["sku"], [[f"S-{n}" for n in range(20)] for _ in range(3000)])

    with pytest.raises(FileRefused) as refused:
        open_table(str(path))

    assert str(refused.value).startswith("The workbook would expand to ")


def test_an_entity_expansion_attack_is_refused(db, tmp_path):
    # Given a real workbook whose sheet XML declares nested entities (a "billion laughs")
    clean = _workbook(tmp_path / "limpio.xlsx", ["sku"], [["A"]])
    path = tmp_path / "risa.xlsx"
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = laughs + body.replace(b">A<", b">&lol2;<")
            target.writestr(item, data)

    # When it is imported, then it is refused with a message and nothing crashes
    report = io.StringIO()
    result = import_files(actor=None, files=[ImportFile("products", str(path))], report=report)

    assert result.refused_reason == (
        "The workbook part xl/worksheets/sheet1.xml declares XML entities, which a spreadsheet never needs."
    )
    assert (result.committed, result.problem_count) == (False, 1)


def test_a_file_over_the_size_limit_is_refused(db, tmp_path, settings):
    settings.CARTERA_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    path = tmp_path / "grande.csv"
    path.write_text("sku\n" + "x\n" * 1_100_000)

    with pytest.raises(FileRefused) as refused:
        open_table(str(path))

    assert str(refused.value) == "The file is 2 MB; the limit is 2 MB."


def test_a_file_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku;name\nÑ-1;Ñandú\n".encode("latin-1"))

    with pytest.raises(FileRefused) as refused:
        open_table(str(path))

    assert str(refused.value) == "The file is not UTF-8 text, nor an XLSX workbook."


def test_bom_and_semicolons_are_detected(db, tmp_path):
    path = write_csv(tmp_path / "p.csv", ["sku", "nombre"], [["A-1", "Uno"]], delimiter=";", bom=True)

    table = open_table(str(path))

    assert (table.header, table.delimiter, table.sample) == (["sku", "nombre"], ";", [["A-1", "Uno"]])
    table.close()


def test_the_command_exits_non_zero_and_names_the_row_and_column_on_stderr(catalog, tmp_path):
    path = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [["OC-1", catalog.tax_ids[0], "2025-13-01", catalog.skus[0], "1", "5", "0"]],
    )
    report = tmp_path / "errores.csv"
    stderr = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command(
            "import", "orders", str(path), "--errors", str(report), stdout=io.StringIO(), stderr=stderr
        )

    assert failure.value.returncode == 1
    assert stderr.getvalue().splitlines()[0] == (
        "pedidos.csv: row 2, column order_date ('2025-13-01'): Not a date: write it as 2025-12-31 or 31/12/2025."
    )
    assert report.read_text().splitlines() == [
        "file,row,column,value,message",
        "pedidos.csv,2,order_date,2025-13-01,Not a date: write it as 2025-12-31 or 31/12/2025.",
    ]
    assert OrderLine.objects.count() == 0


def test_openpyxl_parses_workbooks_with_defusedxml():
    # Entity declarations past the parts' first bytes are refused by defusedxml, which openpyxl uses
    # whenever it is installed.
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
