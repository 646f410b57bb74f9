"""`cartera import KIND FILE [--dry-run] [--errors REPORT.csv] [--mode ...]`: a thin entry point over
cartera.dataio.services.import_files."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cartera.dataio.kinds import KINDS
from cartera.dataio.services import ALL_OR_NOTHING, MODES, ImportFile, import_files

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = "Import accounts, contacts, products, orders, costs, spend, interactions or referrals from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--also",
            nargs=2,
            action="append",
            default=[],
            metavar=("KIND", "FILE"),
            help="Another file of the same set, imported after the first in the same transaction.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--errors", metavar="REPORT.csv", help="Write every problem to this CSV file.")
        parser.add_argument("--mode", choices=MODES, default=ALL_OR_NOTHING)
        parser.add_argument("--sheet", help="XLSX sheet to read (default: the first).")
        parser.add_argument(
            "--decimal-comma", action="store_true", default=None, help="Numbers are written 1.234,56."
        )
        parser.add_argument(
            "--country", default="", help="Country of account tax ids (default: the setting)."
        )
        parser.add_argument("--user", help="Username the writes are made as (default: the system).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        files = [ImportFile(options["kind"], options["file"], options["sheet"])]
        for kind, path in options["also"]:
            if kind not in KINDS:
                raise CommandError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
            files.append(ImportFile(kind, path, options["sheet"]))
        verbose = options["verbosity"] >= 2

        def progress(phase: str, done: int, total: int) -> None:
            if verbose:
                sys.stderr.write(f"{phase} {done}/{total}\n" if total else f"{phase} {done}\n")
                sys.stderr.flush()

        with ExitStack() as stack:
            report = None
            if options["errors"]:
                report = stack.enter_context(open(options["errors"], "w", encoding="utf-8", newline=""))
            result = import_files(
                actor=actor,
                files=files,
                mode=options["mode"],
                dry_run=options["dry_run"],
                decimal_comma=options["decimal_comma"],
                report=report,
                progress=progress,
                default_country=options["country"],
            )
        for item in result.files:
            state = "written" if item.written and result.committed else "not written"
            self.stdout.write(
                f"{item.kind} {item.file}: {item.rows} rows, {item.rejected} refused, {item.created} created, "
                f"{item.updated} updated, {item.unchanged} unchanged ({state})"
            )
        if result.dry_run:
            self.stdout.write("dry run: nothing was written")
        if result.is_success:
            return
        for problem in result.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        if result.problem_count > SHOWN_PROBLEMS:
            self.stderr.write(f"... {result.problem_count - SHOWN_PROBLEMS} more problems")
        raise CommandError(
            f"{result.problem_count} problems; "
            + ("nothing was written" if not result.committed else "the other rows were written"),
            returncode=1 if result.refused_reason or not result.committed else 2,
        )
