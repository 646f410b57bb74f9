"""Reading import files as a header and a stream of rows of text, whatever their format.

CSV is read as UTF-8 (with or without a byte-order mark), comma- or semicolon-separated, detected from
the header line. XLSX is read in openpyxl's read-only mode (the sheet is streamed, never loaded whole)
after checking the archive's declared sizes, so a zip bomb is refused before anything is inflated;
defusedxml, installed alongside, makes openpyxl refuse entity declarations.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# An XLSX is a zip of XML; real sheets compress 5 to 30 times, a bomb thousands of times.
DEFAULT_MAX_XLSX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
DEFAULT_MAX_XLSX_RATIO = 200
# Members smaller than this are not held to the ratio: tiny XML parts compress very well.
_RATIO_FLOOR = 1024 * 1024


class FileRefused(Exception):
    """The file cannot be read safely or at all; the message says why, for the person importing it."""


@dataclass
class Table:
    """An opened import file: its header, and its rows as lists of text numbered as a spreadsheet does
    (the header is row 1)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    file_format: str
    delimiter: str = ","
    sample: list[list[str]] = field(default_factory=list)
    closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            closer.close()


def max_bytes() -> int:
    return int(getattr(settings, "CARTERA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def open_table(path: str, *, sheet: str | None = None, sample_size: int = 200) -> Table:
    """Open a CSV or XLSX file for reading, or raise FileRefused with the reason."""
    try:
        size = os.path.getsize(path)
    except OSError:
        raise FileRefused(_("The file %(path)s cannot be read.") % {"path": path}) from None
    limit = max_bytes()
    if size > limit:
        raise FileRefused(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)}
        )
    with open(path, "rb") as probe:
        start = probe.read(4)
    if start.startswith(b"PK\x03\x04") or path.lower().endswith((".xlsx", ".xlsm")):
        table = _open_xlsx(path, sheet)
    else:
        table = _open_csv(path)
    table.sample = _take_sample(table, sample_size)
    return table


def _take_sample(table: Table, size: int) -> list[list[str]]:
    """Read the first rows for previews and format detection, and put them back in front of the stream."""
    sample: list[tuple[int, list[str]]] = []
    for item in table.rows:
        sample.append(item)
        if len(sample) >= size:
            break
    rest = table.rows

    def replay() -> Iterator[tuple[int, list[str]]]:
        yield from sample
        yield from rest

    table.rows = replay()
    return [values for _number, values in sample]


def _open_csv(path: str) -> Table:
    stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by Table.close
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        stream.close()
        raise FileRefused(_("The file is not UTF-8 text, nor an XLSX workbook.")) from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    reader = csv.reader(stream, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in reader:
                number += 1
                if values and any(values):
                    yield number, values
        except UnicodeDecodeError:
            raise FileRefused(
                _("Row %(row)d is not UTF-8 text; save the file as UTF-8.") % {"row": number + 1}
            ) from None
        except csv.Error as error:
            raise FileRefused(
                _("Row %(row)d cannot be read: %(error)s") % {"row": number, "error": error}
            ) from None

    if not first.strip():
        stream.close()
        raise FileRefused(_("The file is empty."))
    return Table(
        header=[name.strip() for name in header],
        rows=rows(),
        file_format="csv",
        delimiter=delimiter,
        closers=[stream],
    )


def check_xlsx_archive(path: str) -> None:
    """Refuse an XLSX whose declared uncompressed size or compression ratio is that of a zip bomb, or
    whose XML declares a document type (the way into entity-expansion attacks)."""
    max_total = int(getattr(settings, "CARTERA_IMPORT_MAX_XLSX_UNCOMPRESSED", DEFAULT_MAX_XLSX_UNCOMPRESSED))
    max_ratio = int(getattr(settings, "CARTERA_IMPORT_MAX_XLSX_RATIO", DEFAULT_MAX_XLSX_RATIO))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(_("The file is neither a valid XLSX workbook nor CSV text.")) from None
    with archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        if total > max_total:
            raise FileRefused(
                _("The workbook would expand to %(size)d MB, more than the %(limit)d MB allowed.")
                % {"size": total // (1024 * 1024), "limit": max_total // (1024 * 1024)}
            )
        for member in members:
            if member.file_size > _RATIO_FLOOR and member.file_size > max_ratio * max(
                member.compress_size, 1
            ):
                raise FileRefused(
                    _("The workbook part %(name)s is compressed %(ratio)d times, which only a zip bomb does.")
                    % {"name": member.filename, "ratio": member.file_size // max(member.compress_size, 1)}
                )
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise FileRefused(
                        _(
                            "The workbook part %(name)s declares XML entities, which a spreadsheet never needs."
                        )
                        % {"name": member.filename}
                    )


def _cell_text(value: Any) -> str:
    """A cell's value as the text a CSV would hold: dates in ISO form, numbers without exponent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _open_xlsx(path: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    check_xlsx_archive(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl, zipfile and defusedxml raise many kinds of error
        raise FileRefused(_("The workbook cannot be read: %(error)s") % {"error": _short(error)}) from None
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except (KeyError, IndexError):
        workbook.close()
        raise FileRefused(_("The workbook has no sheet named %(sheet)s.") % {"sheet": sheet}) from None
    cells = worksheet.iter_rows(values_only=True)
    try:
        header_row = next(cells, None)
    except Exception as error:
        workbook.close()
        raise FileRefused(_("The workbook cannot be read: %(error)s") % {"error": _short(error)}) from None
    if header_row is None:
        workbook.close()
        raise FileRefused(_("The sheet is empty."))
    header = [_cell_text(value).strip() for value in header_row]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in cells:
                number += 1
                texts = [_cell_text(value) for value in values]
                if any(texts):
                    yield number, texts
        except FileRefused:
            raise
        except Exception as error:
            raise FileRefused(
                _("Row %(row)d of the workbook cannot be read: %(error)s")
                % {"row": number, "error": _short(error)}
            ) from None

    return Table(header=header, rows=rows(), file_format="xlsx", closers=[workbook])


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text[:200]


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """Rows written as CSV text (for tests and previews)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
