"""`cartera demo`: load the demo company into an empty database."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cartera.demo.loader import DEFAULT_SEED, demo_conflicts, demo_is_loaded, demo_load, demo_logins


def _as_of(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of takes a date written YYYY-MM-DD, not %(value)r.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = _(
        "Load a demo company (a Chilean distributor of industrial supplies) with users in every role, "
        "territories, accounts, contacts and three years of orders and relationship history. Every demo "
        "login shares the password printed at the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_(
                "Multiplier on the number of accounts: 1 loads about 500 accounts and 60,000 order lines."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed: the same seed gives the same data."),
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            type=str,
            default=None,
            help=_("Last day of the three years of history, YYYY-MM-DD (default: today)."),
        )
        parser.add_argument(
            "--if-empty",
            dest="if_empty",
            action="store_true",
            help=_("Load only if there are no accounts yet; otherwise just print the demo logins."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError(_("--scale must be a positive number."))
        as_of = _as_of(options["as_of"]) if options["as_of"] else timezone.localdate()
        if demo_is_loaded():
            if options["if_empty"]:
                self.stdout.write(_("The database already has accounts: the demo was not loaded again."))
                self._print_logins()
                return
            raise CommandError(
                _(
                    "The database already has accounts, and the demo loads only into an empty database. "
                    "Start from an empty one (for the default SQLite database, delete cartera.sqlite3, or "
                    "point DATABASE_URL at a new database) and run `cartera migrate` first; or pass "
                    "--if-empty to keep the data and just see the demo logins."
                )
            )
        taken = demo_conflicts()
        if taken:
            raise CommandError(
                _(
                    "The database has no accounts but already uses names the demo needs: %(names)s. Load the "
                    "demo into an empty database (run `cartera migrate` on a new one)."
                )
                % {"names": ", ".join(taken)}
            )
        progress = (options.get("stderr") or sys.stderr) if options["verbosity"] > 0 else None
        started = time.monotonic()
        counts = demo_load(scale=options["scale"], seed=options["seed"], as_of=as_of, progress=progress)
        self.stdout.write(
            _(
                "Loaded the demo company as of %(as_of)s in %(seconds).0f s: %(accounts)s accounts, "
                "%(contacts)s contacts, %(orders)s orders with %(lines)s lines."
            )
            % {
                "as_of": as_of.isoformat(),
                "seconds": time.monotonic() - started,
                "accounts": number_format(counts["accounts"], force_grouping=True),
                "contacts": number_format(counts["contacts"], force_grouping=True),
                "orders": number_format(counts["orders"], force_grouping=True),
                "lines": number_format(counts["order_lines"], force_grouping=True),
            }
        )
        self._print_logins()

    def _print_logins(self) -> None:
        logins = demo_logins()
        headers = (_("Username"), _("Role"), _("Name"), _("Password"))
        rows = [(login.username, login.role, login.full_name, login.password) for login in logins]
        widths = [max(len(str(row[column])) for row in [headers, *rows]) for column in range(len(headers))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(
                str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)
            ).rstrip()

        self.stdout.write("")
        self.stdout.write(_("Demo logins (the administrator can also use /admin/):"))
        self.stdout.write(line(headers))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
