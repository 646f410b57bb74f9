"""The fastest way each database ingests many rows, inside the caller's transaction.

PostgreSQL: primary keys reserved from the table's own sequence, rows streamed with COPY (psycopg's
`cursor.copy`). SQLite: the write lock is already held (IMMEDIATE transactions), so keys continue from
the table's highest, and rows go in with executemany. Rows arrive as COPY text lines (tab-separated,
NULL written as \\N) so the same stream serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, models

NULL = "\\N"
_CHUNK_BYTES = 1 << 20
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, that no concurrent insert will take."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"bulk import is not available on {connection.vendor}")
        # The write lock is held from the start of the transaction (transaction_mode IMMEDIATE), and a
        # first write makes sure of it on any configuration.
        cursor.execute(f'UPDATE "{table}" SET id = id WHERE id = -1')
        cursor.execute(f'SELECT max(id) FROM "{table}"')
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def copy_lines(model: type[models.Model], columns: list[str], lines: Iterable[str]) -> int:
    """Insert rows given as COPY text lines (each ending in a newline) into `model`'s table."""
    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(f'"{name}"' for name in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for chunk, lines_in_chunk in _chunks(lines):
                    copy.write(chunk)
                    count += lines_in_chunk
        return count
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _name in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # sqlite3's own cursor: plain "?" parameters, no Django rewriting
        batch: list[list[str | None]] = []
        for line in lines:
            batch.append([None if value == NULL else value for value in line[:-1].split("\t")])
            if len(batch) >= 5000:
                raw.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def _chunks(lines: Iterable[str]) -> Iterator[tuple[bytes, int]]:
    parts: list[str] = []
    size = 0
    for line in lines:
        parts.append(line)
        size += len(line)
        if size >= _CHUNK_BYTES:
            yield "".join(parts).encode(), len(parts)
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode(), len(parts)


def copy_field(value: object) -> str:
    """A value written as a COPY text field."""
    if value is None:
        return NULL
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


@contextmanager
def ingest_settings() -> Iterator[None]:
    """A larger page cache for SQLite while an import runs, so its index pages stay in memory instead of
    spilling to the write-ahead log; restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
