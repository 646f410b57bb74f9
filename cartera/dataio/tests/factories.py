"""Files to import, written the way people and ERPs write them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import factory

from cartera.dataio.models import ImportJob

ORDER_HEADER = [
    "order_number",
    "account_tax_id",
    "order_date",
    "sku",
    "quantity",
    "unit_price",
    "discount_pct",
]


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def order_rows(
    count: int, tax_ids: Sequence[str], skus: Sequence[str], *, lines_per_order: int = 4
) -> Iterable[list[object]]:
    """`count` order lines: orders of `lines_per_order` lines, spread over the accounts and products."""
    for index in range(count):
        order = index // lines_per_order
        yield [
            f"OC-{order:07d}",
            tax_ids[order % len(tax_ids)],
            f"2025-{order % 12 + 1:02d}-{order % 28 + 1:02d}",
            skus[(order + index % lines_per_order) % len(skus)],
            str(index % 7 + 1),
            f"{1000 + index % 500}.50",
            "5" if index % 3 == 0 else "0",
        ]


class ImportJobFactory(factory.django.DjangoModelFactory[ImportJob]):
    class Meta:
        model = ImportJob

    kind = "accounts"
    file_name = "cuentas.csv"
