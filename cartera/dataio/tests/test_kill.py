"""A killed import leaves the database as it was: the whole import is one transaction.

The import runs as a real `cartera import` process against a database this test prepares (a SQLite
file, or a PostgreSQL database when the suite runs on PostgreSQL), and is killed with SIGKILL once it
reports that it is writing order lines.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cartera.core.testing import make_rut
from cartera.dataio.tests.factories import ORDER_HEADER, order_rows, write_csv

CARTERA = str(Path(sys.executable).with_name("cartera"))
LINES = 60_000


@pytest.fixture
def database_url(db, tmp_path) -> Iterator[str]:
    """An empty, migrated database of the suite's own engine, outside the test transaction."""
    if connection.vendor == "sqlite":
        path = tmp_path / "kill.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                "ORDER BY type = 'table' DESC, rowid"
            )
            schema = [row[0] for row in cursor.fetchall()]
        with sqlite3.connect(path) as target:
            for statement in schema:
                target.execute(statement)
        yield f"sqlite:///{path}"
        return
    import psycopg

    params = settings.DATABASES["default"]
    name = f"cartera_kill_{uuid.uuid4().hex[:8]}"
    base = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        schema = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", f"{base}/{connection.settings_dict['NAME']}"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{base}/{name}"],
            input=schema,
            check=True,
            capture_output=True,
        )
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    return subprocess.run([CARTERA, *args], env=env, capture_output=True, text=True, check=False)


def _counts(url: str) -> tuple[int, int, int]:
    query = [
        "SELECT count(*) FROM commerce_order",
        "SELECT count(*) FROM commerce_orderline",
        "SELECT count(*) FROM core_auditrecord",
    ]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as database:
            return tuple(database.execute(sql).fetchone()[0] for sql in query)  # type: ignore[return-value]
    import psycopg

    with psycopg.connect(url) as database:
        return tuple(database.execute(sql).fetchone()[0] for sql in query)  # type: ignore[return-value,index]


def test_an_import_killed_while_writing_leaves_the_database_unchanged(database_url, tmp_path):
    # Given a database with accounts and products, and a large orders file naming them
    tax_ids = [make_rut(77_000_000 + index) for index in range(20)]
    accounts = write_csv(
        tmp_path / "cuentas.csv", ["tax_id", "name", "country"], [[t, f"Cliente {t}", "CL"] for t in tax_ids]
    )
    products = write_csv(
        tmp_path / "productos.csv",
        ["sku", "name", "product_line", "list_price", "unit_cost"],
        [[f"SKU-{n}", f"Producto {n}", "General", "1000", "600"] for n in range(10)],
    )
    assert (
        _run(
            database_url, "import", "accounts", str(accounts), "--also", "products", str(products)
        ).returncode
        == 0
    )
    orders = write_csv(
        tmp_path / "pedidos.csv", ORDER_HEADER, order_rows(LINES, tax_ids, [f"SKU-{n}" for n in range(10)])
    )
    before = _counts(database_url)

    # When the import is killed once it reports writing order lines
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    process = subprocess.Popen(
        [CARTERA, "import", "orders", str(orders), "-v", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    assert process.stderr is not None
    for line in process.stderr:
        seen.append(line.strip())
        if line.startswith("writing lines") and not line.startswith("writing lines 0/"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)

    # Then it died mid-write, and no order, line or audit record of it remains
    assert process.returncode == -signal.SIGKILL, seen
    assert seen[-1].startswith("writing lines 20000/")
    assert before[0:2] == (0, 0)
    assert _counts(database_url) == before
