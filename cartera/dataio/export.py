"""Exports of every kind, in the import's own columns, so an export re-imports cleanly.

Rows are read through `visible_to(user)` (and the list's FilterSet where one exists) and streamed.
Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is
prefixed with a single quote; numbers and dates stay typed: plain in CSV, real numbers and dates in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TextIO

from django.db.models import QuerySet

from cartera.accounts.filtersets import CONTACT_SORTS, AccountFilterSet, ContactFilterSet
from cartera.accounts.models import Account
from cartera.commerce.filtersets import ORDER_SORTS, OrderFilterSet
from cartera.commerce.models import OrderLine, Product
from cartera.core.lists import filtered
from cartera.core.sorting import SORT_PARAMETER, Sorts
from cartera.core.taxid import format_tax_id
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.coverage.models import AccountTeamMember, TeamRole
from cartera.dataio.converters import FORMULA_STARTS
from cartera.dataio.kinds import KINDS
from cartera.relationship.filtersets import (
    COMMITMENT_SORTS,
    INTERACTION_SORTS,
    CommitmentFilterSet,
    InteractionFilterSet,
)
from cartera.relationship.models import Referral

# Kinds that are exported but not imported, with their columns.
EXPORT_ONLY_COLUMNS = {
    "commitments": [
        "account_tax_id",
        "account_country",
        "description",
        "due_date",
        "status",
        "promised_by_email",
        "promised_to_email",
        "resolved_on",
    ],
}
EXPORT_KINDS = [*KINDS, *EXPORT_ONLY_COLUMNS, "insights"]
FORMATS = ("csv", "xlsx", "json")
ACCOUNT_COLUMNS = ["account_tax_id", "account_country"]
# The filters of the accounts list, which every export of rows hanging off accounts also accepts.
ACCOUNT_FILTERS = {"region", "territory", "portfolio", "status", "industry"}


class SystemReader:
    """The reader of exports run from the command line by an operator: sees every account."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    sees_all_accounts = True
    manages_everything = True
    is_read_only = False
    role = "administrator"


SYSTEM = SystemReader()


def export_columns(kind: str) -> list[str]:
    if kind == "insights":
        from cartera.insights.export import COLUMNS

        return list(COLUMNS)
    if kind in EXPORT_ONLY_COLUMNS:
        return list(EXPORT_ONLY_COLUMNS[kind])
    names = KINDS[kind].column_names
    # The account's country travels with its tax id, so accounts of any country re-import.
    return _with_country(names) if "account_tax_id" in names else names


def _with_country(names: list[str]) -> list[str]:
    ordered = [name for name in names if name != "account_country"]
    position = ordered.index("account_tax_id") + 1
    return [*ordered[:position], "account_country", *ordered[position:]]


def neutralize(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading quote; anything else is returned as is."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and value:
        return "'" + value
    return value


def _accounts(user: Any, filters: dict[str, Any]) -> QuerySet[Account]:
    """The accounts the user sees, narrowed by the accounts list's filters."""
    request = SimpleNamespace(user=user, GET=filters)
    filterset = AccountFilterSet(filters or None, request=request)  # type: ignore[arg-type]
    return filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()


def _scoped(queryset: QuerySet[Any], user: Any, filters: dict[str, Any], date_field: str) -> QuerySet[Any]:
    """Rows of visible accounts, narrowed by account (id or tax id) and a date range when given."""
    queryset = queryset.visible_to(user)  # type: ignore[attr-defined]
    account_filters = {
        k: v
        for k, v in filters.items()
        if k in {"q", "region", "territory", "portfolio", "status", "industry"}
    }
    if account_filters:
        queryset = queryset.filter(account__in=_accounts(user, account_filters).values("pk"))
    if filters.get("account"):
        queryset = queryset.filter(account_id=filters["account"])
    if filters.get("date_from"):
        queryset = queryset.filter(**{f"{date_field}__gte": filters["date_from"]})
    if filters.get("date_to"):
        queryset = queryset.filter(**{f"{date_field}__lte": filters["date_to"]})
    return queryset


def _listed(
    filterset_class: Any, user: Any, filters: dict[str, Any], *, account_filters: bool = True
) -> QuerySet[Any]:
    """The rows a list page shows for these filters: its FilterSet (from what the user sees); and, as
    before lists had their own filters, the accounts list's filters (region, portfolio...) too."""
    request = SimpleNamespace(user=user, GET=filters)
    queryset = filtered(filterset_class(filters or None, request=request))
    by_account = {key: value for key, value in filters.items() if key in ACCOUNT_FILTERS}
    if account_filters and by_account:
        queryset = queryset.filter(account__in=_accounts(user, by_account).values("pk"))
    return queryset


def _sorted(
    queryset: QuerySet[Any], sorts: Sorts, filters: dict[str, Any], natural: list[str]
) -> QuerySet[Any]:
    """In the list's order when the export carries the list's sort, else in `natural` order."""
    if filters.get(SORT_PARAMETER):
        return sorts.apply(queryset, filters[SORT_PARAMETER])
    return queryset.order_by(*natural)


ORDER_LINE_FIELDS = (
    "order__number",
    "order__account__tax_id",
    "order__account__country",
    "order__date",
    "product__sku",
    "quantity",
    "unit_price",
    "unit_cost",
    "discount_pct",
    "order__channel",
    "order__purchase_type",
)


def _order_lines(user: Any, filters: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The lines of the orders the orders list shows, order by order in the list's order."""
    orders = _listed(OrderFilterSet, user, filters)
    if not filters.get(SORT_PARAMETER):
        lines = OrderLine.objects.filter(order__in=orders.values("pk")).order_by("order_id", "id")
        yield from lines.values_list(*ORDER_LINE_FIELDS).iterator(chunk_size=5000)
        return
    ids = list(ORDER_SORTS.apply(orders, filters[SORT_PARAMETER]).values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        position = {pk: index for index, pk in enumerate(chunk)}
        rows = OrderLine.objects.filter(order_id__in=chunk).values_list("order_id", "id", *ORDER_LINE_FIELDS)
        for row in sorted(rows, key=lambda row: (position[row[0]], row[1])):
            yield row[2:]


def _tax_id(country: str, tax_id: str) -> str:
    return format_tax_id(country, tax_id)


def export_rows(
    kind: str, *, user: Any = None, filters: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of an export, typed (Decimal, date, int, str), in the import's columns."""
    user = user or SYSTEM
    filters = {key: value for key, value in (filters or {}).items() if value not in ("", None)}
    if kind == "insights":
        from cartera.insights.export import export_rows as insight_rows

        as_of = filters.get("as_of")
        yield from insight_rows(
            as_of=dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of, user=user
        )
        return
    if kind == "accounts":
        responsible = dict(
            AccountTeamMember.objects.filter(role=TeamRole.RESPONSIBLE)
            .order_by("-id")
            .values_list("account_id", "user__email")
        )
        for account in _accounts(user, filters).iterator(chunk_size=2000):
            yield {
                "tax_id": _tax_id(account.country, account.tax_id),
                "name": account.legal_name,
                "country": account.country,
                "region": account.region,
                "city": account.city,
                "industry": account.industry,
                "size": account.size_band,
                "language": account.language,
                "currency": account.currency,
                "status": account.status,
                "portfolio": account.portfolio.name if account.portfolio else "",
                "owner_email": responsible.get(account.pk, ""),
                "strategic_fit": account.strategic_fit,
            }
    elif kind == "contacts":
        queryset = _sorted(
            _listed(ContactFilterSet, user, filters),
            CONTACT_SORTS,
            filters,
            ["last_name", "first_name", "id"],
        )
        for contact in queryset.iterator(chunk_size=2000):
            yield {
                "account_tax_id": _tax_id(contact.account.country, contact.account.tax_id),
                "account_country": contact.account.country,
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "email": contact.email,
                "phone": contact.phone,
                "buying_role": contact.buying_role,
                "language": contact.language,
            }
    elif kind == "products":
        for sku, name, line, price, cost in (
            Product.objects.visible_to(user)
            .order_by("sku")
            .values_list("sku", "name", "product_line__code", "list_price", "unit_cost")
        ):
            yield {"sku": sku, "name": name, "product_line": line, "list_price": price, "unit_cost": cost}
    elif kind == "orders":
        for row in _order_lines(user, filters):
            yield {
                "order_number": row[0],
                "account_tax_id": _tax_id(row[2], row[1]),
                "account_country": row[2],
                "order_date": row[3],
                "sku": row[4],
                "quantity": row[5],
                "unit_price": row[6],
                "unit_cost": row[7],
                "discount_pct": row[8],
                "channel": row[9],
                "purchase_type": row[10],
            }
    elif kind in {"service-costs", "marketing-spend", "referrals"}:
        sources: dict[str, tuple[Any, list[str]]] = {
            "service-costs": (ServiceCost, ["date", "kind", "amount", "note"]),
            "marketing-spend": (MarketingSpend, ["date", "campaign", "amount"]),
            "referrals": (Referral, ["date", "referred_company", "kind"]),
        }
        model, fields = sources[kind]
        rows = _scoped(model.objects.all(), user, filters, "date").order_by("date", "id")
        for values in rows.values("account__tax_id", "account__country", *fields).iterator(chunk_size=5000):
            yield {
                "account_tax_id": _tax_id(values["account__country"], values["account__tax_id"]),
                "account_country": values["account__country"],
                **{name: values[name] for name in fields},
            }
    elif kind == "interactions":
        interactions = _sorted(
            _listed(InteractionFilterSet, user, filters), INTERACTION_SORTS, filters, ["occurred_at", "id"]
        )
        for interaction in interactions.select_related("account", "user").prefetch_related("contacts"):
            contact = next(iter(interaction.contacts.all()), None)
            yield {
                "account_tax_id": _tax_id(interaction.account.country, interaction.account.tax_id),
                "account_country": interaction.account.country,
                "date": interaction.occurred_on,
                "kind": interaction.kind,
                "user_email": interaction.user.email if interaction.user else "",
                "contact_email": contact.email if contact else "",
                "summary": interaction.summary,
            }
    elif kind == "commitments":
        # `status` here is the commitment's, not the account's: the accounts list's filters do not apply.
        commitments = _sorted(
            _listed(CommitmentFilterSet, user, filters, account_filters=False),
            COMMITMENT_SORTS,
            filters,
            ["due_date", "id"],
        )
        for commitment in commitments.select_related("account", "promised_by", "promised_to").iterator(
            chunk_size=2000
        ):
            yield {
                "account_tax_id": _tax_id(commitment.account.country, commitment.account.tax_id),
                "account_country": commitment.account.country,
                "description": commitment.description,
                "due_date": commitment.due_date,
                "status": commitment.status,
                "promised_by_email": commitment.promised_by.email if commitment.promised_by else "",
                "promised_to_email": commitment.promised_to.email if commitment.promised_to else "",
                "resolved_on": commitment.resolved_on,
            }
    else:
        raise ValueError(f"unknown kind {kind!r}")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize(value)


def write_csv(kind: str, rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    columns = export_columns(kind)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
        count += 1
    return count


def csv_chunks(kind: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV export as text chunks, for a streaming HTTP answer."""
    columns = export_columns(kind)

    class Line:
        def write(self, text: str) -> str:
            return text

    writer = csv.writer(Line(), lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_value(row.get(column)) for column in columns])


def write_xlsx(kind: str, rows: Iterable[dict[str, Any]], target: Any) -> int:
    """Write a workbook (streamed, write-only) to a path or a binary file object."""
    from openpyxl import Workbook

    columns = export_columns(kind)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind[:31])
    sheet.append(columns)
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(row.get(column)) for column in columns])
        count += 1
    workbook.save(target)
    return count


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.001")) and abs(value) < 10**12 else value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return neutralize(value)


def write_json(kind: str, rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    columns = export_columns(kind)
    count = 0
    stream.write("[")
    for row in rows:
        item = {column: _json_value(row.get(column)) for column in columns}
        stream.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    stream.write("\n]\n")
    return count


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
