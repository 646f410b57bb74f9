"""`cartera import KIND FILE [--dry-run] [--errors REPORT.csv] [--mode ...]`: a thin entry point over
cartera.dataio.services.import_files."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.dataio.kinds import KINDS
from cartera.dataio.services import ALL_OR_NOTHING, MODES, ImportFile, import_files

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = str(
        _(
            "Import accounts, contacts, products, orders, costs, spend, interactions or referrals from CSV or XLSX."
        )
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--also",
            nargs=2,
            action="append",
            default=[],
            metavar=("KIND", "FILE"),
            help=str(_("Another file of the same set, imported after the first in the same transaction.")),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=str(_("Validate and report; write nothing."))
        )
        parser.add_argument(
            "--errors", metavar="REPORT.csv", help=str(_("Write every problem to this CSV file."))
        )
        parser.add_argument("--mode", choices=MODES, default=ALL_OR_NOTHING)
        parser.add_argument("--sheet", help=str(_("XLSX sheet to read (default: the first).")))
        parser.add_argument(
            "--decimal-comma", action="store_true", default=None, help=str(_("Numbers are written 1.234,56."))
        )
        parser.add_argument(
            "--country", default="", help=str(_("Country of account tax ids (default: the setting)."))
        )
        parser.add_argument("--user", help=str(_("Username the writes are made as (default: the system).")))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(gettext("No user %(username)r.") % {"username": options["user"]})
        files = [ImportFile(options["kind"], options["file"], options["sheet"])]
        for kind, path in options["also"]:
            if kind not in KINDS:
                raise CommandError(
                    gettext("Unknown kind %(kind)r; one of %(kinds)s.")
                    % {"kind": kind, "kinds": ", ".join(KINDS)}
                )
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
            state = gettext("written") if item.written and result.committed else gettext("not written")
            counts = {
                "kind": item.kind,
                "file": item.file,
                "rows": item.rows,
                "refused": item.rejected,
                "created": item.created,
                "updated": item.updated,
                "unchanged": item.unchanged,
                "state": state,
            }
            self.stdout.write(
                gettext(
                    "%(kind)s %(file)s: rows %(rows)d; refused %(refused)d; created %(created)d; "
                    "updated %(updated)d; unchanged %(unchanged)d (%(state)s)."
                )
                % counts
            )
        if result.dry_run:
            self.stdout.write(gettext("Dry run: nothing was written."))
        if result.is_success:
            return
        for problem in result.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        if result.problem_count > SHOWN_PROBLEMS:
            self.stderr.write(
                gettext("More problems: %(count)d.") % {"count": result.problem_count - SHOWN_PROBLEMS}
            )
        outcome = (
            gettext("nothing was written") if not result.committed else gettext("the other rows were written")
        )
        raise CommandError(
            gettext("Problems: %(count)d; %(outcome)s.")
            % {"count": result.problem_count, "outcome": outcome},
            returncode=1 if result.refused_reason or not result.committed else 2,
        )
