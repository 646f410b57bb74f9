"""The error report of an import: every problem as (row, column, value, message), and the outcome."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from django.utils.translation import gettext

REPORT_COLUMNS = ["file", "row", "column", "value", "message"]
# Problems kept in memory for the screen and stderr; the report file gets all of them.
KEPT_PROBLEMS = 500


@dataclass
class Problem:
    file: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = (
            gettext("row %(row)d, column %(column)s") % {"row": self.row, "column": self.column}
            if self.column
            else gettext("row %(row)d") % {"row": self.row}
        )
        shown = f" ({self.value!r})" if self.value else ""
        return f"{self.file}: {where}{shown}: {self.message}"


class ErrorSink:
    """Collects problems: all of them into the report stream (when there is one), the first few in memory,
    and the set of rows refused."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.writer = csv.writer(stream, lineterminator="\n") if stream is not None else None
        if self.writer is not None:
            self.writer.writerow(REPORT_COLUMNS)
        self.problems: list[Problem] = []
        self.count = 0
        self.file = ""
        self.rejected_rows: set[tuple[str, int]] = set()
        self.file_rejected = 0

    def start_file(self, name: str) -> None:
        self.file = name
        self.file_rejected = 0

    def add(self, row: int, column: str, value: Any, message: str) -> None:
        text = "" if value is None else str(value)[:200]
        self.count += 1
        if (self.file, row) not in self.rejected_rows:
            self.rejected_rows.add((self.file, row))
            self.file_rejected += 1
        if self.writer is not None:
            self.writer.writerow([self.file, row, column, text, message])
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(Problem(self.file, row, column, text, message))

    def is_rejected(self, row: int) -> bool:
        return (self.file, row) in self.rejected_rows


@dataclass
class FileResult:
    """What happened to one file of an import."""

    kind: str
    file: str
    rows: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    header_refused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    """The outcome of an import: per file counts, the problems, and whether anything was committed."""

    files: list[FileResult]
    problem_count: int
    problems: list[Problem]
    committed: bool
    dry_run: bool
    mode: str
    refused_reason: str = ""

    @property
    def is_success(self) -> bool:
        return self.problem_count == 0 and not self.refused_reason

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["is_success"] = self.is_success
        return data
