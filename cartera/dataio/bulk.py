"""The fastest way each database ingests many rows, inside the caller's transaction.

PostgreSQL: primary keys reserved from the table's own sequence, rows streamed with COPY (psycopg's
`cursor.copy`). SQLite: the write lock is already held (IMMEDIATE transactions), so keys continue from
the table's highest, and rows go in with executemany. Rows arrive as COPY text lines (tab-separated,
NULL written as \\N) so the same stream serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import DatabaseError, IntegrityError, connection, models, transaction

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


@contextmanager
def references_checked_once(
    tables: Sequence[type[models.Model]], references: Sequence[tuple[type[models.Model], Iterable[int]]]
) -> Iterator[bool]:
    """PostgreSQL: check the foreign keys of a bulk insert into `tables` once per referenced row rather
    than once per inserted row; yields whether it could.

    A foreign key is checked by a trigger per inserted row that looks the referenced row up and locks it
    (FOR KEY SHARE); for a million order lines that is most of what the server spends. Here each distinct
    referenced row (`references`: model and ids) is locked the same way once, and the import fails if any
    is gone; then, if no other trigger is defined on `tables` and the database role may set it,
    `session_replication_role` is set to `replica` for the enclosed inserts, which skips the per-row
    foreign-key triggers (what pg_restore does), and set back afterwards. Otherwise (SQLite, a role
    without the privilege, a table with triggers of its own) the inserts check their keys row by row as
    usual, with the same outcome.
    """
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        for model, ids in references:
            wanted = sorted(set(ids))
            if not wanted:
                continue
            table = model._meta.db_table
            cursor.execute(
                f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE id = ANY(%s) FOR KEY SHARE) AS locked',
                [wanted],
            )
            if cursor.fetchone()[0] != len(wanted):
                raise IntegrityError(f"{table}: a referenced row was deleted while the import ran")
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in tables]],
        )
        skipped = cursor.fetchone()[0] == 0
        if skipped:
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:  # the role may not set it: keep the per-row checks
                skipped = False
    yield skipped
    if skipped:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


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
