"""`cartera insights recompute|export|suggest-profiles`: thin entry points over the insights services."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Recompute, back-fill and export the per-account insights."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="Recompute every account's metrics snapshot.")
        recompute.add_argument("--as-of", type=_date, help="Reference date (default: today).")
        recompute.add_argument(
            "--full", action="store_true", help="Rebuild the daily facts from orders, costs and spend first."
        )
        recompute.add_argument(
            "--history", action="store_true", help="Back-fill the loyalty-ladder history at every month end."
        )
        recompute.add_argument(
            "--from", dest="start", type=_date, help="First month of the history back-fill."
        )
        export = sub.add_parser(
            "export", help="One row per account with its metrics, tier, class and segment."
        )
        export.add_argument("--as-of", type=_date, help="Reference date (default: the current snapshot).")
        export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        export.add_argument("--output", default="-", help="File to write, or - for standard output.")
        suggest = sub.add_parser("suggest-profiles", help="Propose B2C profiles from k-means clusters.")
        suggest.add_argument("--k", type=int, default=4)
        suggest.add_argument("--as-of", type=_date)
        suggest.add_argument("--adopt", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "recompute":
            self._recompute(options)
        elif action == "export":
            self._export(options)
        else:
            from django.core.management import call_command

            extra = ["--k", str(options["k"])]
            if options["as_of"]:
                extra += ["--as-of", options["as_of"].isoformat()]
            if options["adopt"]:
                extra.append("--adopt")
            call_command("profiles", "suggest", *extra, stdout=self.stdout, stderr=self.stderr)

    def _recompute(self, options: dict[str, Any]) -> None:
        from cartera.insights.services import (
            facts_rebuild,
            insights_recompute_all,
            month_ends,
            tier_history_backfill,
        )

        as_of = options["as_of"] or timezone.localdate()
        full = options["full"]
        if options["history"]:
            if not options["start"]:
                raise CommandError("--history needs --from DATE")
            # The month ends are read from the daily facts: build them first.
            facts_rebuild()
            full = False
            with tqdm(total=len(month_ends(options["start"], as_of)), desc="history", file=sys.stderr) as bar:
                moves = tier_history_backfill(start=options["start"], end=as_of, progress=bar.update)
            self.stdout.write(f"history: {moves} tier moves recorded since {options['start']}")
        with tqdm(total=1, desc="recompute", file=sys.stderr) as bar:
            result = insights_recompute_all(as_of=as_of, full=full)
            bar.update(1)
        self.stdout.write(
            f"recomputed {result.accounts} accounts as of {result.as_of}: {result.rows_written} snapshot rows "
            f"changed, {result.tier_changes} tier changes"
        )

    def _export(self, options: dict[str, Any]) -> None:
        from cartera.insights.export import export_rows, write_csv, write_json, write_xlsx

        rows = export_rows(as_of=options["as_of"])
        output, fmt = options["output"], options["format"]
        if fmt == "xlsx":
            if output == "-":
                raise CommandError("--format xlsx needs --output FILE")
            count = write_xlsx(rows, output)
        elif output == "-":
            # The raw stream: Django's OutputWrapper would add a line ending to every chunk written.
            stream = getattr(self.stdout, "_out", sys.stdout)
            count = write_csv(rows, stream) if fmt == "csv" else write_json(rows, stream)
        else:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = write_csv(rows, stream) if fmt == "csv" else write_json(rows, stream)
        if output != "-":
            self.stderr.write(f"{count} accounts written to {output}")
