"""Sorting a list by a whitelisted column: `?sort=key` or `?sort=-key` (descending).

A list declares its sort keys once (`Sorts`, next to its filter class), and the page and the export use
the same declaration, so an export comes out in the order the list shows. A key not in the whitelist is
ignored (the list's default order applies): the value never reaches `order_by`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise

SORT_PARAMETER = "sort"


@dataclass(frozen=True)
class SortKey:
    """One way to sort a list: the model fields (ascending) and, for computed columns, an annotation."""

    fields: tuple[str, ...]
    annotate: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    # Computed over other tables (an order's lines): offered only while the list holds few enough rows.
    costly: bool = False


@dataclass(frozen=True)
class SortChoice:
    key: str
    descending: bool

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


class Sorts:
    """The sort keys a list accepts, and its default order."""

    def __init__(
        self,
        keys: Mapping[str, SortKey | Sequence[str]],
        *,
        default: str,
        tie_breaker: str = "pk",
        costly_limit: int = 2000,
    ):
        self.keys = {
            name: key if isinstance(key, SortKey) else SortKey(tuple(key)) for name, key in keys.items()
        }
        self.costly_limit = costly_limit
        chosen = self.parse(default)
        if chosen is None:
            raise ValueError(f"the default sort {default!r} is not one of the keys")
        self.default = chosen
        self.tie_breaker = tie_breaker

    def parse(self, value: str | None, *, allow_costly: bool = True) -> SortChoice | None:
        """The choice `value` names, or None when it names no whitelisted key (or a costly one, when
        those are not allowed)."""
        text = (value or "").strip()
        descending = text.startswith("-")
        key = text[1:] if descending else text
        if key not in self.keys or (self.keys[key].costly and not allow_costly):
            return None
        return SortChoice(key, descending)

    def choose(self, value: str | None, *, allow_costly: bool = True) -> SortChoice:
        return self.parse(value, allow_costly=allow_costly) or self.default

    def allows_costly(self, rows: int) -> bool:
        """Whether a list of `rows` rows may be sorted by its computed columns."""
        return rows <= self.costly_limit

    def apply(
        self, queryset: QuerySet[Any], value: str | None, *, allow_costly: bool = True
    ) -> QuerySet[Any]:
        """`queryset` in the order `value` asks for (the default when it is not a whitelisted key)."""
        choice = self.choose(value, allow_costly=allow_costly)
        key = self.keys[choice.key]
        if key.annotate is not None:
            queryset = key.annotate(queryset)
        sign = "-" if choice.descending else ""
        fields = [f"{sign}{field}" for field in key.fields]
        # A unique last key, so pages never repeat or skip rows that tie on the sorted column.
        tie = f"{sign}{self.tie_breaker}"
        return queryset.order_by(*fields, tie)


@dataclass(frozen=True)
class Header:
    """One column header of a sortable table, as the template draws it."""

    label: str | Promise
    key: str = ""
    css: str = ""
    url: str = ""  # empty: the column does not sort
    sorted: str = ""  # "ascending" / "descending" on the column the list is sorted by (aria-sort)
    narrow_first: bool = False  # sorts only once the list is narrowed (a costly key, too many rows)

    @property
    def sortable(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class Column:
    """A column of a list page: its header, the sort key it toggles (none: not sortable), CSS classes."""

    label: str | Promise
    key: str = ""
    css: str = ""
    # The direction of the first click: amounts and dates read best largest or newest first.
    descending_first: bool = False


def headers(
    columns: Sequence[Column], sorts: Sorts, query: QueryDict, *, allow_costly: bool = True
) -> list[Header]:
    """The headers of a table: each sortable one links to the list sorted by it (ascending, or the other
    way when the list is already sorted by it), keeping the filters and going back to the first page."""
    current = sorts.choose(query.get(SORT_PARAMETER), allow_costly=allow_costly)
    result = []
    for column in columns:
        if not column.key:
            result.append(Header(column.label, css=column.css))
            continue
        if sorts.keys[column.key].costly and not allow_costly:
            result.append(Header(column.label, column.key, column.css, narrow_first=True))
            continue
        if column.key == current.key:
            state = "descending" if current.descending else "ascending"
            target = SortChoice(column.key, not current.descending)
        else:
            state = ""
            target = SortChoice(column.key, column.descending_first)
        params = query.copy()
        params.pop("page", None)
        params[SORT_PARAMETER] = target.value
        result.append(Header(column.label, column.key, column.css, "?" + params.urlencode(), state))
    return result
