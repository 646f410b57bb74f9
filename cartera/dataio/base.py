"""What every importer shares: the options, the account references, and the row loop of the small kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from cartera.accounts.models import Account
from cartera.dataio import converters as conv
from cartera.dataio.converters import CellError
from cartera.dataio.kinds import Kind, Mapping
from cartera.dataio.readers import Table
from cartera.dataio.report import ErrorSink, FileResult

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 20_000


def no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass
class ImportContext:
    """The options of one import, shared by the importers of its files."""

    actor: Any
    sink: ErrorSink
    decimal_comma: bool = False
    default_country: str = ""
    progress: Progress = no_progress
    source: str = "import"

    def __post_init__(self) -> None:
        self.default_country = (self.default_country or settings.CARTERA_DEFAULT_COUNTRY).upper()


class AccountRefs:
    """Finds the account a row names by its tax id (in any common writing) and country, from one load
    of the accounts, and refuses accounts the actor may not change."""

    def __init__(self, context: ImportContext) -> None:
        self.default_country = context.default_country
        self.by_key: dict[tuple[str, str], int] = {
            (country, tax_id): pk
            for country, tax_id, pk in Account.objects.values_list("country", "tax_id", "pk")
        }
        actor = context.actor
        self.editable: set[int] | None = None
        if actor is not None and not getattr(actor, "manages_everything", False):
            self.editable = set(Account.objects.editable_by(actor).values_list("pk", flat=True))
        self._converters: dict[str, conv.Converter] = {}
        self._cache: dict[tuple[str, str], int | CellError] = {}

    def account_id(self, raw_tax_id: str, raw_country: str = "") -> int:
        """The id of the account, or CellError naming what is wrong with the tax id."""
        country = raw_country.strip().upper() or self.default_country
        key = (country, raw_tax_id)
        try:
            found = self._cache[key]
        except KeyError:
            found = self._resolve(country, raw_tax_id)
            if len(self._cache) < 200_000:
                self._cache[key] = found
        if isinstance(found, CellError):
            raise found
        return found

    def _resolve(self, country: str, raw: str) -> int | CellError:
        convert = self._converters.get(country)
        if convert is None:
            convert = self._converters[country] = conv.tax_id(country)
        try:
            compact = convert(raw)
        except CellError as error:
            return error
        pk = self.by_key.get((country, compact))
        if pk is None:
            return CellError(
                _("No account of %(country)s has the tax id %(tax_id)s.")
                % {"country": country, "tax_id": raw.strip()}
            )
        if self.editable is not None and pk not in self.editable:
            return CellError(_("You may not change this account."))
        return pk


@dataclass
class Row:
    number: int
    values: dict[str, Any]


class Importer:
    """Validates every row of a file, then writes the good ones through the domain's services.

    Subclasses give `converters()` (field -> converter), `check(row)` for what one row cannot say alone
    (references, duplicates in the file) and `write(rows)`; the small kinds keep their rows in memory.
    """

    kind: Kind

    def __init__(self, context: ImportContext, mapping: Mapping, result: FileResult) -> None:
        self.context = context
        self.sink = context.sink
        self.mapping = mapping
        self.result = result
        self.rows: list[Row] = []
        # Set by the import before validation: whether the rows may be written as they are validated
        # (not in the last file of a dry run), and whether one problem means nothing will be kept.
        self.write_while_validating = False
        self.all_or_nothing = True

    def converters(self) -> dict[str, conv.Converter]:
        raise NotImplementedError

    def check(self, row: Row) -> None:
        """Further checks of a converted row; report problems with self.error(row, column, value, message)."""

    def write(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what validation held (the order importer's open COPY)."""

    def error(self, row: Row | int, column: str, value: Any, message: str) -> None:
        number = row.number if isinstance(row, Row) else row
        self.sink.add(number, column, value, message)

    def validate(self, table: Table) -> None:
        plan = [
            (name, self.mapping.positions.get(name), convert) for name, convert in self.converters().items()
        ]
        for number, raw in self._rows(table):
            values: dict[str, Any] = {}
            bad = False
            for name, position, convert in plan:
                text = raw[position] if position is not None and position < len(raw) else ""
                try:
                    values[name] = convert(text)
                except CellError as problem:
                    self.sink.add(number, name, text, problem.message)
                    bad = True
            row = Row(number, values)
            if not bad:
                self.check(row)
            if not self.sink.is_rejected(number):
                self.rows.append(row)

    def _rows(self, table: Table) -> Iterator[tuple[int, list[str]]]:
        progress = self.context.progress
        count = 0
        for item in table.rows:
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress("validating", count, 0)
            yield item
        self.result.rows = count
