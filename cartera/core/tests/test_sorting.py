"""Sorting lists by whitelisted keys: what reaches order_by, and the header links."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from cartera.core.sorting import Column, SortChoice, Sorts, headers

SORTS = Sorts({"name": ["last_name", "first_name"], "date": ["created_at"]}, default="-date")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("name", SortChoice("name", False)),
        ("-name", SortChoice("name", True)),
        (" -date ", SortChoice("date", True)),
        (None, SortChoice("date", True)),
        ("", SortChoice("date", True)),
        ("password", SortChoice("date", True)),
        ("--name", SortChoice("date", True)),
        ("last_name", SortChoice("date", True)),  # a model field, but not a key of this list
    ],
)
def test_only_whitelisted_keys_are_chosen(value, expected):
    assert SORTS.choose(value) == expected


def test_the_default_must_be_a_key():
    with pytest.raises(ValueError, match="not one of the keys"):
        Sorts({"name": ["last_name"]}, default="date")


def test_headers_toggle_the_sorted_column_and_keep_the_other_parameters():
    query = QueryDict("q=mu%C3%B1oz&sort=name&page=3")
    columns = [Column("Name", "name"), Column("Date", "date", "num", descending_first=True), Column("Notes")]

    name, date, notes = headers(columns, SORTS, query)

    assert (name.sorted, name.url) == ("ascending", "?q=mu%C3%B1oz&sort=-name")
    assert (date.sorted, date.url, date.css) == ("", "?q=mu%C3%B1oz&sort=-date", "num")
    assert (notes.sortable, notes.sorted) == (False, "")
