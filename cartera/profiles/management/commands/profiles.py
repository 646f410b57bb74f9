"""`cartera profiles suggest --k N [--as-of DATE] [--random-state S] [--adopt]`: suggested B2C profiles from clustering."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartera.core.arguments import date_argument
from cartera.profiles.services import profiles_adopt_suggestions
from cartera.profiles.suggest import render_suggestions, suggest_profiles


def add_suggest_arguments(parser: CommandParser) -> None:
    """The options of a suggestion: `cartera profiles suggest`, and `cartera insights suggest-profiles`,
    which runs the same."""
    parser.add_argument("--k", type=int, default=4, help=str(_("How many profiles to propose.")))
    parser.add_argument(
        "--as-of", type=date_argument, help=str(_("Reference date (YYYY-MM-DD); today by default."))
    )
    parser.add_argument("--random-state", type=int, default=0, help=str(_("Seed of the clustering.")))
    parser.add_argument(
        "--adopt", action="store_true", help=str(_("Create the suggestions as inactive profiles."))
    )


def suggest(command: BaseCommand, options: dict[str, Any]) -> None:
    """Print the suggestions for the options of add_suggest_arguments and, with --adopt, create them."""
    as_of = options["as_of"] or timezone.localdate()
    try:
        suggestions = suggest_profiles(k=options["k"], as_of=as_of, random_state=options["random_state"])
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    command.stdout.write(render_suggestions(suggestions))
    if options["adopt"]:
        profiles = profiles_adopt_suggestions(actor=None, suggestions=suggestions)
        command.stdout.write("")
        command.stdout.write(
            gettext("Created %(count)s inactive profiles: %(names)s.")
            % {"count": len(profiles), "names": ", ".join(profile.name for profile in profiles)}
        )


class Command(BaseCommand):
    help = str(_("B2C profiles: suggest profiles from the consumers' recency, frequency and spend."))

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add_suggest_arguments(
            actions.add_parser(
                "suggest",
                help=str(_("Propose profiles by clustering consumers on recency, frequency and spend.")),
            )
        )

    def handle(self, *args: Any, **options: Any) -> None:
        suggest(self, options)
