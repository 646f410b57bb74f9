"""The pieces every list page shares: filter, sort, page, and the links that keep them (paging, export).

A list page is a FilterSet (which starts from `visible_to(user)`), a `Sorts` whitelist and its columns.
The export of a list reads the same FilterSet and the same `Sorts` (cartera.dataio.export), so it holds
exactly the rows the list shows, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import cached_property

from cartera.core.sorting import SORT_PARAMETER, Column, Sorts, headers


def filtered(filterset: django_filters.FilterSet) -> QuerySet[Any]:
    """The filter set's rows; none when a filter's value is refused (an account the user may not see,
    a malformed date), rather than silently dropping that filter and showing more than was asked."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


class ListPaginator(Paginator):
    """A paginator given the number of rows, counted beforehand without the sort's annotations (a sort by
    a computed column must not turn the count into a grouped query)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def style_filter_form(form: forms.Form) -> None:
    """Bootstrap's classes on a filter form's controls (invalid ones marked), and date pickers for dates."""
    errors = form.errors if form.is_bound else {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        is_select = isinstance(widget, forms.Select)
        css = "form-select form-select-sm" if is_select else "form-control form-control-sm"
        widget.attrs["class"] = f"{css} is-invalid" if name in errors else css
        if name in errors:
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}-errors"


def rows_in_order(
    model: type[Model], ids: list[Any], prepare: Callable[[QuerySet[Any]], QuerySet[Any]] | None
) -> list[Any]:
    """The rows with these ids (already filtered for visibility), prepared, in the order of `ids`."""
    if not ids:
        return []
    queryset = model._default_manager.filter(pk__in=ids)
    if prepare is not None:
        queryset = prepare(queryset)
    position = {pk: index for index, pk in enumerate(ids)}
    return sorted(queryset, key=lambda row: position[row.pk])


def query_without_page(query: QueryDict) -> str:
    params = query.copy()
    params.pop("page", None)
    return params.urlencode()


def list_context(
    request: HttpRequest,
    filterset: django_filters.FilterSet,
    sorts: Sorts,
    columns: Sequence[Column],
    *,
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    params: QueryDict | None = None,
) -> dict[str, Any]:
    """What a list template needs: the filter (form and errors), one page of sorted rows (a list), the
    headers linking to each sort, and the query string (without the page) that paging and export carry.

    `params` are the list's parameters when they are not the request's own (a default filter)."""
    params = request.GET if params is None else params
    rows = filtered(filterset)
    style_filter_form(filterset.form)
    valid = not filterset.is_bound or filterset.is_valid()
    chosen_account = filterset.form.cleaned_data.get("account") if filterset.is_bound and valid else None
    without_account = params.copy()
    for name in ("account", "page"):
        without_account.pop(name, None)
    # The page is found in two steps: the ids of its rows, sorted and sliced, then those rows with what
    # they show (accounts, users...). The first step reads only the columns it filters and sorts on (often
    # a covering index) instead of joining every candidate row before the sort keeps 50 of them.
    count = rows.count()
    # Sorting by a computed column (an order's revenue) reads every row's details: only for short lists.
    allow_costly = sorts.allows_costly(count)
    ordered_ids = sorts.apply(rows, params.get(SORT_PARAMETER), allow_costly=allow_costly).values_list(
        "pk", flat=True
    )
    page = ListPaginator(ordered_ids, settings.CARTERA_PAGE_SIZE, count=count).get_page(params.get("page"))
    page.object_list = rows_in_order(rows.model, list(page.object_list), prepare)
    export = params.copy()
    export.pop("page", None)
    chosen = sorts.choose(params.get(SORT_PARAMETER), allow_costly=allow_costly)
    export[SORT_PARAMETER] = chosen.value
    return {
        "filter": filterset,
        "page": page,
        "query": query_without_page(params),
        "headers": headers(columns, sorts, params, allow_costly=allow_costly),
        "sort": chosen.value,
        "costly_limit": sorts.costly_limit,
        # The export carries the filters and the sort in effect, so the file lists the rows in this order.
        "export_query": export.urlencode(),
        # A list narrowed to one account (a link from the account's page) names it, with a way back to all.
        "chosen_account": chosen_account,
        "without_account": without_account.urlencode(),
    }
