"""Benchmark: import an orders file of N lines, and compare with a plain COPY of the same rows.

    python bench/import_orders.py --lines 1000000 [--database-url URL] [--accounts 1000] [--products 200]

Creates a fresh database (a temporary SQLite file by default; with a PostgreSQL URL, the database named
in it is dropped and created again), migrates it, adds the accounts and products the file names,
writes the file, and times `import_files` (validation and write, one transaction). Then it loads the
same file into a bare table with no constraints: PostgreSQL COPY, or SQLite executemany, the floor of
what the database can ingest. Prints rows per second for both, their ratio and the peak memory.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cartera-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgres"):
        _recreate_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    tax_ids, skus = _catalog(args.accounts, args.products)
    path = workdir / "orders.csv"
    started = time.perf_counter()
    _write_orders(path, args.lines, tax_ids, skus)
    print(
        f"file: {args.lines} lines, {path.stat().st_size / 1e6:.0f} MB, written in {time.perf_counter() - started:.1f} s"
    )

    from cartera.commerce.models import OrderLine
    from cartera.dataio.services import ImportFile, import_files

    phases: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        phases.setdefault(phase, time.perf_counter())

    print(f"load average before the import: {os.getloadavg()[0]:.1f} (1 min)")
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = import_files(actor=None, files=[ImportFile("orders", str(path))], progress=progress)
    import_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    # Lines are written while they are validated; then come the orders, the audit and the commit.
    streamed = ("validating", "writing lines")
    marks = [("validating and writing lines", started)]
    marks += [(name, at) for name, at in phases.items() if name not in streamed]
    for (name, at), (_next, until) in itertools.pairwise(marks):
        print(f"  {name}: {until - at:.1f} s")
    if not result.committed or result.problem_count:
        raise SystemExit(f"import refused: {result.problems[:5]}")
    assert OrderLine.objects.count() == args.lines
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    copy_seconds = _raw_copy(connection, path)
    constrained_seconds = _constrained_copy()
    import_rate = args.lines / import_seconds
    copy_rate = args.lines / copy_seconds
    print(f"database: {connection.vendor}")
    print(f"import:   {import_seconds:7.1f} s  {import_rate:10,.0f} rows/s (validated, written, audited)")
    print(f"          {cpu_seconds:7.1f} s of this process's CPU time")
    print(f"raw copy: {copy_seconds:7.1f} s  {copy_rate:10,.0f} rows/s (bare table, no validation)")
    print(f"ratio:    {copy_rate / import_rate:7.2f}x slower than the raw copy")
    if constrained_seconds:
        print(
            f"lines into a table with commerce_orderline's indexes and foreign keys, in SQL: "
            f"{constrained_seconds:.1f} s, {args.lines / constrained_seconds:,.0f} rows/s"
        )
    print(f"peak memory: {peak_mb:.0f} MB")
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)  # the file and the SQLite database: hundreds of MB


def _recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _catalog(accounts: int, products: int) -> tuple[list[str], list[str]]:
    from decimal import Decimal

    from stdnum.cl import rut

    from cartera.accounts.services import accounts_bulk_create
    from cartera.commerce.models import Product
    from cartera.commerce.services import product_line_create
    from cartera.core.services import models_bulk_create
    from cartera.core.taxid import format_tax_id

    numbers = [str(77_000_000 + index * 7) for index in range(accounts)]
    compact = [number + rut.calc_check_digit(number) for number in numbers]
    accounts_bulk_create(
        actor=None,
        rows=[
            {"legal_name": f"Cliente {index} SpA", "tax_id": tax_id, "country": "CL"}
            for index, tax_id in enumerate(compact)
        ],
        source="benchmark",
    )
    line = product_line_create(actor=None, code="BENCH", name="Benchmark")
    models_bulk_create(
        actor=None,
        instances=[
            Product(
                sku=f"SKU-{index:05d}",
                name=f"Producto {index}",
                product_line=line,
                list_price=Decimal("1500.00"),
                unit_cost=Decimal("900.00"),
            )
            for index in range(products)
        ],
        source="benchmark",
    )
    return [format_tax_id("CL", tax_id) for tax_id in compact], [
        f"SKU-{index:05d}" for index in range(products)
    ]


def _write_orders(path: Path, lines: int, tax_ids: list[str], skus: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(
            [
                "order_number",
                "account_tax_id",
                "order_date",
                "sku",
                "quantity",
                "unit_price",
                "discount_pct",
                "channel",
            ]
        )
        for index in range(lines):
            order = index // 4
            writer.writerow(
                [
                    f"OC-{order:08d}",
                    tax_ids[order % len(tax_ids)],
                    f"{2023 + order % 3}-{order % 12 + 1:02d}-{order % 28 + 1:02d}",
                    skus[(order * 3 + index % 4) % len(skus)],
                    index % 9 + 1,
                    f"{1000 + index % 997}.{index % 100:02d}",
                    (index % 4) * 2.5,
                    "import",
                ]
            )


def _raw_copy(connection: object, path: Path) -> float:
    """Seconds to load the file's rows as text into a bare table: the database's own floor."""
    from django.db import connection as db

    columns = "order_number, account_tax_id, order_date, sku, quantity, unit_price, discount_pct, channel"
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(
            "CREATE TABLE bench_raw_copy (order_number text, account_tax_id text, order_date text, sku text, "
            "quantity text, unit_price text, discount_pct text, channel text)"
        )
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic(), db.cursor() as cursor:
        raw = cursor.cursor
        if db.vendor == "postgresql":
            with (
                open(path, "rb") as stream,
                raw.copy(f"COPY bench_raw_copy ({columns}) FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
        else:
            with open(path, encoding="utf-8", newline="") as stream:
                reader = csv.reader(stream)
                next(reader)
                raw.executemany(
                    f"INSERT INTO bench_raw_copy ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", reader
                )
    return time.perf_counter() - started


def _constrained_copy() -> float:
    """PostgreSQL: seconds to insert the imported lines, in SQL, into a table with the same indexes and
    foreign keys as commerce_orderline: what the real table costs the server, whatever the client does."""
    from django.db import connection as db
    from django.db import transaction

    if db.vendor != "postgresql":
        return 0.0
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_constrained_lines")
        cursor.execute("CREATE TABLE bench_constrained_lines (LIKE commerce_orderline INCLUDING ALL)")
        cursor.execute("CREATE INDEX ON bench_constrained_lines (order_id)")
        cursor.execute("CREATE INDEX ON bench_constrained_lines (product_id)")
        cursor.execute(
            "ALTER TABLE bench_constrained_lines "
            "ADD FOREIGN KEY (order_id) REFERENCES commerce_order (id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (product_id) REFERENCES commerce_product (id) DEFERRABLE INITIALLY DEFERRED"
        )
    started = time.perf_counter()
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute("INSERT INTO bench_constrained_lines SELECT * FROM commerce_orderline")
    seconds = time.perf_counter() - started
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE bench_constrained_lines")
    return seconds


if __name__ == "__main__":
    main()
