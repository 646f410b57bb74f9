"""`cartera insights recompute|export|suggest-profiles`: thin entry points over the insights services."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from tqdm import tqdm

from cartera.core.arguments import date_argument
from cartera.profiles.management.commands.profiles import add_suggest_arguments, suggest


class Command(BaseCommand):
    help = str(_("Recompute, back-fill and export the per-account insights."))

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help=str(_("Recompute every account's metrics snapshot.")))
        recompute.add_argument(
            "--as-of", type=date_argument, help=str(_("Reference date (YYYY-MM-DD); today by default."))
        )
        recompute.add_argument(
            "--full",
            action="store_true",
            help=str(_("Rebuild the daily facts from orders, costs and spend first.")),
        )
        recompute.add_argument(
            "--history",
            action="store_true",
            help=str(_("Back-fill the loyalty-ladder history at every month end.")),
        )
        recompute.add_argument(
            "--from", dest="start", type=date_argument, help=str(_("First month of the history back-fill."))
        )
        export = sub.add_parser(
            "export", help=str(_("One row per account with its metrics, tier, class and segment."))
        )
        export.add_argument(
            "--as-of",
            type=date_argument,
            help=str(_("Reference date (YYYY-MM-DD); the current snapshot by default.")),
        )
        export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        export.add_argument("--output", default="-", help=str(_("File to write, or - for standard output.")))
        suggest_parser = sub.add_parser(
            "suggest-profiles", help=str(_("Propose B2C profiles from k-means clusters."))
        )
        add_suggest_arguments(suggest_parser)  # `cartera profiles suggest`, which this runs

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "recompute":
            self._recompute(options)
        elif action == "export":
            self._export(options)
        else:
            suggest(self, options)

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
                raise CommandError(gettext("--history needs --from DATE."))
            # The month ends are read from the daily facts: build them first.
            facts_rebuild()
            full = False
            with tqdm(
                total=len(month_ends(options["start"], as_of)), desc=gettext("history"), file=sys.stderr
            ) as bar:
                moves = tier_history_backfill(start=options["start"], end=as_of, progress=bar.update)
            self.stdout.write(
                gettext("History since %(start)s. Tier moves recorded: %(moves)s.")
                % {"start": options["start"], "moves": moves}
            )
        with tqdm(total=1, desc=gettext("recompute"), file=sys.stderr) as bar:
            result = insights_recompute_all(as_of=as_of, full=full)
            bar.update(1)
        self.stdout.write(
            gettext(
                "Recomputed as of %(as_of)s. Accounts: %(accounts)s; snapshot rows changed: %(rows)s; "
                "tier changes: %(moves)s."
            )
            % {
                "as_of": result.as_of,
                "accounts": result.accounts,
                "rows": result.rows_written,
                "moves": result.tier_changes,
            }
        )

    def _export(self, options: dict[str, Any]) -> None:
        from cartera.insights.export import export_rows, write_csv, write_json, write_xlsx

        rows = export_rows(as_of=options["as_of"])
        output, fmt = options["output"], options["format"]
        if fmt == "xlsx":
            if output == "-":
                raise CommandError(gettext("--format xlsx needs --output FILE."))
            count = write_xlsx(rows, output)
        elif output == "-":
            # The raw stream: Django's OutputWrapper would add a line ending to every chunk written.
            stream = getattr(self.stdout, "_out", sys.stdout)
            count = write_csv(rows, stream) if fmt == "csv" else write_json(rows, stream)
        else:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = write_csv(rows, stream) if fmt == "csv" else write_json(rows, stream)
        if output != "-":
            self.stderr.write(
                gettext("Written to %(file)s. Accounts: %(count)s.") % {"file": output, "count": count}
            )
