"""`cartera export KIND [--format csv|xlsx|json] [--output FILE|-] [--filter NAME=VALUE ...]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.dataio.export import EXPORT_KINDS, FORMATS, export_rows, write_csv, write_json, write_xlsx


def _filter(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        # A usage error, which argparse reports with the usage line (a CommandError would escape it).
        raise argparse.ArgumentTypeError(gettext("%(text)r is not NAME=VALUE.") % {"text": text})
    return name.strip(), value.strip()


class Command(BaseCommand):
    help = str(_("Export any kind of data (or the insights) as CSV, XLSX or JSON, in the import's columns."))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=EXPORT_KINDS)
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", default="-", help=str(_("File to write, or - for standard output.")))
        parser.add_argument(
            "--filter",
            type=_filter,
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=str(
                _(
                    "The list's filters: q, region, territory, portfolio, status, industry, buying_role, "
                    "account, date_from, date_to, channel, purchase_type, kind, user, overdue, owner, "
                    "as_of (insights); and sort, the list's order (e.g. sort=-date)."
                )
            ),
        )
        parser.add_argument("--user", help=str(_("Export what this username sees (default: everything).")))

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(gettext("No user %(username)r.") % {"username": options["user"]})
        kind, fmt, output = options["kind"], options["format"], options["output"]
        rows = export_rows(kind, user=user, filters=dict(options["filter"]))
        if fmt == "xlsx":
            if output == "-":
                raise CommandError(gettext("--format xlsx needs --output FILE."))
            count = write_xlsx(kind, rows, output)
        elif output == "-":
            # The raw stream: Django's OutputWrapper would add a line ending to every chunk written.
            stream = getattr(self.stdout, "_out", sys.stdout)
            count = write_csv(kind, rows, stream) if fmt == "csv" else write_json(kind, rows, stream)
        else:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = write_csv(kind, rows, stream) if fmt == "csv" else write_json(kind, rows, stream)
        if output != "-":
            self.stderr.write(
                gettext("Rows written to %(file)s: %(count)d.") % {"file": output, "count": count}
            )
