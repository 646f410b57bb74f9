"""Imports: one or more files validated row by row and written in one transaction, or not at all.

`import_files` is what the command, the background job and the tests call. Files are taken in the
order given, so an orders file can name accounts and products that an earlier file of the same set
brings; each is validated completely before it is written, and everything runs in one transaction, so
a refusal, a crash or a kill leaves the database as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cartera.accounts.services import ensure_can_write
from cartera.core.audit import audit_record
from cartera.core.models import AuditRecord
from cartera.dataio.base import ImportContext, Importer, Progress, no_progress
from cartera.dataio.bulk import ingest_settings
from cartera.dataio.kinds import KINDS, header_problems, map_header
from cartera.dataio.models import ImportJob, ImportStatus
from cartera.dataio.orders import OrderImporter
from cartera.dataio.readers import FileRefused, Table, max_bytes, open_table
from cartera.dataio.report import ErrorSink, FileResult, ImportResult
from cartera.dataio.simple import IMPORTERS

ALL_OR_NOTHING = "all-or-nothing"
SKIP_BAD_ROWS = "skip-bad-rows"
MODES = (ALL_OR_NOTHING, SKIP_BAD_ROWS)

_COMMA_DECIMAL = re.compile(r"^\s*[+-]?\d[\d.]*,\d+\s*$")
_NUMERIC_COLUMNS = {"list_price", "unit_cost", "quantity", "unit_price", "discount_pct", "amount"}


@dataclass(frozen=True)
class ImportFile:
    kind: str
    path: str
    sheet: str | None = None


def importer_class(kind: str) -> type[Importer]:
    if kind == "orders":
        return OrderImporter
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}") from None


def uses_decimal_comma(table: Table, positions: dict[str, int]) -> bool:
    """Whether the file's numbers are written 1.234,56: a semicolon-separated CSV (or a workbook with
    numbers stored as text) where some number of the sample has a decimal comma."""
    if table.file_format == "csv" and table.delimiter != ";":
        return False
    columns = [position for name, position in positions.items() if name in _NUMERIC_COLUMNS]
    return any(
        _COMMA_DECIMAL.match(row[position])
        for row in table.sample
        for position in columns
        if position < len(row)
    )


def import_files(
    *,
    actor: Any,
    files: Sequence[ImportFile],
    mode: str = ALL_OR_NOTHING,
    dry_run: bool = False,
    decimal_comma: bool | None = None,
    report: TextIO | None = None,
    progress: Progress = no_progress,
    default_country: str = "",
) -> ImportResult:
    """Validate and (unless `dry_run`) write the files in one transaction.

    `all-or-nothing` writes nothing when any row of any file is refused; `skip-bad-rows` writes the good
    rows and reports the others. `decimal_comma` None means: detect it per file. Every problem goes to
    `report` as CSV (file, row, column, value, message).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    ensure_can_write(actor)
    sink = ErrorSink(report)
    results: list[FileResult] = []
    refused = ""
    committed = False
    with ingest_settings(), transaction.atomic():
        for index, item in enumerate(files):
            kind = KINDS[item.kind]
            name = os.path.basename(item.path)
            sink.start_file(name)
            result = FileResult(kind=kind.name, file=name)
            results.append(result)
            try:
                table = open_table(item.path, sheet=item.sheet)
            except FileRefused as error:
                refused = str(error)
                sink.add(1, "", "", refused)
                break
            importer: Importer | None = None
            try:
                mapping = map_header(kind, table.header)
                problems = header_problems(kind, mapping)
                if problems:
                    for column, message in problems:
                        sink.add(1, column, "", message)
                    result.header_refused = True
                    break
                comma = (
                    decimal_comma
                    if decimal_comma is not None
                    else uses_decimal_comma(table, mapping.positions)
                )
                context = ImportContext(
                    actor=actor,
                    sink=sink,
                    decimal_comma=comma,
                    default_country=default_country,
                    progress=progress,
                    source=f"import {kind.name} {name}",
                )
                importer = importer_class(kind.name)(context, mapping, result)
                last = index == len(files) - 1
                importer.write_while_validating = not (dry_run and last)
                importer.all_or_nothing = mode == ALL_OR_NOTHING
                try:
                    importer.validate(table)
                except FileRefused as error:
                    refused = str(error)
                    sink.add(result.rows + 1, "", "", refused)
                    break
                result.rejected = sink.file_rejected
                if (mode == ALL_OR_NOTHING and sink.count) or (dry_run and last):
                    continue
                importer.write()
                result.written = True
            finally:
                table.close()
                if importer is not None:
                    importer.close()
        if dry_run or refused or (mode == ALL_OR_NOTHING and sink.count):
            transaction.set_rollback(True)
        else:
            committed = True
    if not committed:
        for result in results:
            result.written = False
    progress("done", 1, 1)
    return ImportResult(
        files=results,
        problem_count=sink.count,
        problems=sink.problems,
        committed=committed and any(result.written for result in results),
        dry_run=dry_run,
        mode=mode,
        refused_reason=refused,
    )


def preview_file(kind_name: str, path: str, *, sheet: str | None = None, rows: int = 10) -> dict[str, Any]:
    """What the import page shows before a dry run: the mapping of the header and the first rows."""
    kind = KINDS[kind_name]
    table = open_table(path, sheet=sheet, sample_size=rows)
    try:
        mapping = map_header(kind, table.header)
        return {
            "header": table.header,
            "rows": table.sample[:rows],
            "mapping": mapping.rows(kind),
            "ignored": mapping.ignored,
            "repeated": mapping.repeated,
            "missing": mapping.missing,
            "is_usable": mapping.is_usable,
            "delimiter": table.delimiter if table.file_format == "csv" else "",
            "file_format": table.file_format,
            "decimal_comma": uses_decimal_comma(table, mapping.positions),
        }
    finally:
        table.close()


def refusal_message(result: ImportResult) -> str:
    """One sentence for the person importing: what happened."""
    if result.refused_reason:
        return _("The file was refused: %(reason)s") % {"reason": result.refused_reason}
    if result.dry_run:
        return _("Dry run: %(count)d problems found; nothing was written.") % {"count": result.problem_count}
    if result.problem_count and not result.committed:
        return _("%(count)d problems found; nothing was imported.") % {"count": result.problem_count}
    return _("Import finished with %(count)d problems.") % {"count": result.problem_count}


# Imports started from the staff UI: the file is kept beside its job, and a background task runs it.


def import_dir() -> Path:
    """Where uploaded files, progress and reports are kept (setting CARTERA_IMPORT_DIR)."""
    default = Path(tempfile.gettempdir()) / "cartera-imports"
    path = Path(getattr(settings, "CARTERA_IMPORT_DIR", "") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _job_path(job: ImportJob, suffix: str) -> Path:
    return import_dir() / f"job-{job.pk}{suffix}"


def import_job_create(
    *,
    actor: Any,
    kind: str,
    upload: UploadedFile,
    mode: str = ALL_OR_NOTHING,
    decimal_comma: bool = False,
    sheet: str = "",
) -> ImportJob:
    """Keep an uploaded file for import and record the job; nothing is validated or written yet."""
    ensure_can_write(actor)
    if kind not in KINDS or mode not in MODES:
        raise ValidationError(_("Choose a kind of data and a mode."), code="invalid")
    if upload.size is not None and upload.size > max_bytes():
        raise ValidationError(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": upload.size // (1024 * 1024), "limit": max_bytes() // (1024 * 1024)},
            code="too_large",
        )
    name = os.path.basename(upload.name or "file")[:200]
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            file_name=name,
            mode=mode,
            decimal_comma=decimal_comma,
            sheet=sheet,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        suffix = ".xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else ".csv"
        path = _job_path(job, f"-upload{suffix}")
        with open(path, "wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        job.stored_path = str(path)
        job.save(update_fields=["stored_path"])
        audit_record(
            actor=actor, action=AuditRecord.Action.CREATE, instance=job, changes={"kind": kind, "file": name}
        )
    return job


def import_job_start(*, actor: Any, job: ImportJob, dry_run: bool) -> ImportJob:
    """Queue a dry run or the commit of an uploaded file, to run in the background after this commit."""
    from cartera.dataio.tasks import run_import_job

    ensure_can_write(actor)
    if job.is_running:
        raise ValidationError(_("This import is already running."), code="running")
    if not dry_run and job.status == ImportStatus.COMMITTED:
        raise ValidationError(_("This file has already been imported."), code="committed")
    with transaction.atomic():
        job.status = ImportStatus.VALIDATING if dry_run else ImportStatus.COMMITTING
        job.save(update_fields=["status", "updated_at"])
        _write_progress(job, {"phase": "queued", "done": 0, "total": 0})
        transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk, dry_run=dry_run))
    return job


def import_job_run(*, job_id: int, dry_run: bool) -> ImportJob:
    """Run a queued import job (the background task's body): import, then record the outcome."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or phase == "done":
            last[0] = now
            _write_progress(job, {"phase": phase, "done": done, "total": total})

    report_path = _job_path(job, "-problems.csv")
    try:
        with open(report_path, "w", encoding="utf-8", newline="") as report:
            result = import_files(
                actor=job.created_by,
                files=[ImportFile(job.kind, job.stored_path, job.sheet or None)],
                mode=job.mode,
                dry_run=dry_run,
                decimal_comma=True if job.decimal_comma else None,
                report=report,
                progress=progress,
            )
    except Exception as error:  # the job must say it failed, whatever happened
        job.status = ImportStatus.FAILED
        job.result = {"error": str(error)[:500], "dry_run": dry_run}
        job.save(update_fields=["status", "result", "updated_at"])
        raise
    data = result.as_dict()
    data["problems"] = data["problems"][:200]
    data["message"] = refusal_message(result) if not result.is_success else ""
    job.result = data
    if result.refused_reason:
        job.status = ImportStatus.REFUSED
    elif dry_run:
        job.status = ImportStatus.VALIDATED
    elif result.committed:
        job.status = ImportStatus.COMMITTED
    else:
        job.status = ImportStatus.REFUSED
    job.save(update_fields=["status", "result", "updated_at"])
    return job


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """The running job's last reported phase and counts (kept in a file: the import's own transaction
    hides anything it writes to the database until it ends)."""
    try:
        with open(_job_path(job, "-progress.json"), encoding="utf-8") as stream:
            data: dict[str, Any] = json.load(stream)
            return data
    except (OSError, ValueError):
        return {"phase": "", "done": 0, "total": 0}


def import_job_report_path(job: ImportJob) -> Path | None:
    path = _job_path(job, "-problems.csv")
    return path if path.exists() else None


def _write_progress(job: ImportJob, data: dict[str, Any]) -> None:
    path = _job_path(job, "-progress.json")
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(path)
