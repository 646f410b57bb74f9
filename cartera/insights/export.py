"""The insights export: one row per account with the columns integrations rely on, in CSV, XLSX or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TextIO

from cartera.accounts.models import Account
from cartera.commerce.amounts import from_cents
from cartera.insights.models import AccountInsight, Segment
from cartera.insights.selectors import insights_as_of

COLUMNS = [
    "tax_id",
    "name",
    "tier",
    "orders_total",
    "orders_12m",
    "revenue_12m",
    "cogs_12m",
    "gross_margin_12m",
    "cost_to_serve_12m",
    "marketing_spend_12m",
    "net_profit_12m",
    "recency_days",
    "tenure_days",
    "profit_class",
    "segment",
    "churn_risk",
    "trust_score",
    "days_without_contact",
]
MONEY = {
    "revenue_12m": ("revenue_12m_cents",),
    "cogs_12m": ("cogs_12m_cents",),
    "gross_margin_12m": ("revenue_12m_cents", "-cogs_12m_cents"),
    "cost_to_serve_12m": ("cost_to_serve_12m_cents",),
    "marketing_spend_12m": ("marketing_spend_12m_cents",),
    "net_profit_12m": ("net_profit_12m_cents",),
}


def _money(row: dict[str, Any], parts: tuple[str, ...]) -> Decimal:
    cents = 0
    for part in parts:
        cents += -row[part[1:]] if part.startswith("-") else row[part]
    return from_cents(cents)


def export_rows(*, as_of: dt.date | None = None, user: Any = None) -> Iterator[dict[str, Any]]:
    """The export's rows, typed: money as Decimal with two places, counts as int, empty as None."""
    snapshot: list[dict[str, Any]]
    if as_of is None:
        snapshot = [dict(row) for row in AccountInsight.objects.order_by("account_id").values()]
    else:
        snapshot = insights_as_of(as_of)
    accounts_qs = Account.objects.all() if user is None else Account.objects.visible_to(user)
    accounts = {
        pk: (tax_id, name) for pk, tax_id, name in accounts_qs.values_list("pk", "tax_id", "legal_name")
    }
    segments = dict(Segment.objects.values_list("pk", "name"))
    for row in snapshot:
        if row["account_id"] not in accounts:
            continue
        tax_id, name = accounts[row["account_id"]]
        record: dict[str, Any] = {"tax_id": tax_id, "name": name, "tier": row["tier"]}
        record["orders_total"] = row["orders_total"]
        record["orders_12m"] = row["orders_12m"]
        for column, parts in MONEY.items():
            record[column] = _money(row, parts)
        record["recency_days"] = row["recency_days"]
        record["tenure_days"] = row["tenure_days"]
        record["profit_class"] = row["profit_class"]
        record["segment"] = segments.get(row["segment_id"], "")
        record["churn_risk"] = row["churn_risk"]
        record["trust_score"] = (
            None if row["trust_score"] is None else Decimal(row["trust_score"]).quantize(Decimal("0.0001"))
        )
        record["days_without_contact"] = row["days_without_contact"]
        yield {column: record[column] for column in COLUMNS}


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def write_csv(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _plain(value) for key, value in row.items()})
        count += 1
    return count


def write_json(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    items = [
        {key: (format(value, "f") if isinstance(value, Decimal) else value) for key, value in row.items()}
        for row in rows
    ]
    json.dump(items, stream, ensure_ascii=False, indent=1)
    stream.write("\n")
    return len(items)


def write_xlsx(rows: Iterator[dict[str, Any]], path: str) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("insights")
    sheet.append(COLUMNS)
    count = 0
    for row in rows:
        # Numbers stay numbers; text cells that a spreadsheet would read as a formula are neutralised.
        sheet.append([_xlsx_cell(value) for value in row.values()])
        count += 1
    workbook.save(path)
    return count


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    if isinstance(value, Decimal):
        return float(value)
    return value
