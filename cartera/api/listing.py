"""Lists: the shared filter classes, whitelisted ordering and capped pages; and the lookups of one object.

Every list starts from a FilterSet of the domain app (the same class the UI's pages use), which starts
from `visible_to(user)`; every detail looks its object up in `visible_to(user)` so an object the caller
may not see is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import urlencode

import django_filters
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, Field, create_model

from cartera.api.problems import Problem, field_error

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Ids above this are refused by validation rather than sent to the database (SQLite stores 64-bit ints).
MAX_ID = 2**53


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Text from the client: PostgreSQL cannot store NUL characters, so they are refused up front.
Text = Annotated[str, AfterValidator(_no_nul)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]

F = TypeVar("F", bound=Callable[..., Any])


def resource(model: type[Model]) -> Callable[[F], F]:
    """Mark a read endpoint with the model it returns (or, for per-account reads, the account), so the
    visibility test can check every read endpoint the API has."""

    def mark(view: F) -> F:
        view._cartera_resource = model  # type: ignore[attr-defined]
        return view

    return mark


def list_query(name: str, filterset_class: type[django_filters.FilterSet], ordering: Sequence[str]) -> Any:
    """The query parameters of a list: the filter set's filters, `ordering`, `page` and `page_size`."""
    fields: dict[str, Any] = {
        "page": (int, Field(1, ge=1, le=MAX_ID, description="Page number, from 1.")),
        "page_size": (
            int,
            Field(
                DEFAULT_PAGE_SIZE,
                ge=1,
                le=MAX_PAGE_SIZE,
                description=f"Items per page, at most {MAX_PAGE_SIZE}; a larger value is refused (422).",
            ),
        ),
        "ordering": (
            Text | None,
            Field(
                None,
                description="Comma-separated fields, '-' for descending: " + ", ".join(ordering) + ".",
            ),
        ),
    }
    for filter_name, filter_ in filterset_class.base_filters.items():
        label = str(filter_.label or filter_name)
        if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.NumberFilter):
            fields[filter_name] = (ObjectId | None, Field(None, description=f"Id: {label}."))
        elif isinstance(filter_, django_filters.BooleanFilter):
            fields[filter_name] = (bool | None, Field(None, description=label))
        else:
            fields[filter_name] = (Text | None, Field(None, description=label))
    return create_model(name, __base__=Schema, **fields)


def page_schema(item: type[Schema]) -> Any:
    """The envelope of a page of `item`: items, page, page_size and the links to the next and previous."""
    return create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        page=(int, ...),
        page_size=(int, ...),
        next=(str | None, None),
        previous=(str | None, None),
    )


def _ordering(value: str | None, allowed: Sequence[str], default: Sequence[str]) -> list[str]:
    if not value:
        return list(default)
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    bad = [part for part in chosen if part.lstrip("-") not in allowed]
    if bad or not chosen:
        raise Problem(
            422,
            errors=[
                field_error(
                    "query.ordering",
                    _("Order by one of: %(fields)s.") % {"fields": ", ".join(allowed)},
                    "invalid_ordering",
                )
            ],
        )
    return [*chosen, "pk"]


def flat_fields(schema: type[Schema]) -> list[str]:
    """The fields of a schema made only of the model's own columns, read with `values()`."""
    return list(schema.model_fields)


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """JSON as ninja renders it (same encoder), for reads that skip building model instances and schemas."""
    response = HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type="application/json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def read_flat(queryset: QuerySet[Any], pk: int, schema: type[Schema]) -> HttpResponse:
    """One visible row as `schema` (only model columns), with its ETag; 404 when not visible.

    Reads the columns with `values()`: for hot, flat reads this costs a fraction of building a model
    instance and validating it through the schema, and gives the same JSON (tests compare both)."""
    rows = list(queryset.filter(pk=pk).order_by().values(*flat_fields(schema))[:1])
    row = rows[0] if rows else None
    if row is None:
        raise Problem(404, _("There is no such record, or you may not see it."))
    model_name = queryset.model._meta.model_name
    version = row.get("version")
    if version is None:
        stamp = row.get("updated_at")
        version = int(stamp.timestamp() * 1000) if stamp is not None else 0
    return json_response(row, headers={"ETag": f'W/"{model_name}-{row["id"]}-v{version}"'})


def paginate(
    request: HttpRequest,
    query: Any,
    filterset_class: type[django_filters.FilterSet],
    *,
    ordering: Sequence[str],
    default_ordering: Sequence[str],
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    flat: type[Schema] | None = None,
) -> Any:
    """One page of the filtered, visible, ordered list. No total count: a page fetches one row more than
    it shows to know whether there is a next one, so a page costs the same on any size of table.

    With `flat`, a schema of the model's own columns, rows are read with `values()` and rendered
    directly (see read_flat)."""
    params = query.model_dump(exclude_none=True)
    page, size = params.pop("page"), params.pop("page_size")
    order = _ordering(params.pop("ordering", None), ordering, default_ordering)
    data = {name: str(value) for name, value in params.items()}
    restricted = _with_only(cast(Any, filterset_class), frozenset(data))
    filterset = restricted(data, request=request)
    if not filterset.is_valid():
        raise Problem(
            422,
            errors=[
                field_error(f"query.{name}", " ".join(str(message) for message in messages), "invalid")
                for name, messages in filterset.errors.items()
            ],
        )
    queryset = filterset.qs.order_by(*order)
    if prepare is not None:
        queryset = prepare(queryset)
    if flat is not None:
        queryset = queryset.values(*flat_fields(flat))
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    result = {
        "items": rows[:size],
        "page": page,
        "page_size": size,
        "next": _link(request, page + 1) if len(rows) > size else None,
        "previous": _link(request, page - 1) if page > 1 else None,
    }
    return json_response(result) if flat is not None else result


@functools.cache
def _with_only(filterset_class: Any, names: frozenset[str]) -> Any:
    """The filter set with only the filters a request uses: the same filtering (an absent filter does
    nothing) without copying every filter and form field on each call, which costs more than the query."""
    restricted: Any = type(
        filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__}
    )
    restricted.base_filters = {
        name: filter_ for name, filter_ in filterset_class.base_filters.items() if name in names
    }
    return restricted


def _link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return f"{request.path}?{urlencode(sorted(params.items()))}"


M = TypeVar("M", bound=Model)


def get_visible(queryset: QuerySet[M], pk: int) -> M:
    """The object with this id among those visible (the queryset is already `visible_to(user)`), else 404."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Problem(404, _("There is no such record, or you may not see it."))
    return found


def reject_fields(
    request: HttpRequest, fields: dict[str, Any], rules: dict[str, Callable[[Any], bool]]
) -> None:
    """Refuse (403, naming each field) the fields the caller's role may not set, instead of ignoring them."""
    refused = [name for name, may_set in rules.items() if name in fields and not may_set(request.user)]
    if refused:
        raise Problem(
            403,
            _("Your role may not set these fields."),
            errors=[
                field_error(f"body.{name}", _("Your role may not set this field."), "forbidden_field")
                for name in refused
            ],
        )
