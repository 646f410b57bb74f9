"""The fastest way each database ingests many rows, inside the caller's transaction.

PostgreSQL: primary keys reserved from the table's own sequence, rows streamed with COPY (psycopg's
`cursor.copy`) as COPY text lines (tab-separated, NULL written as \\N), foreign keys checked once per
referenced row when the role may. SQLite: the write lock is already held (IMMEDIATE transactions), so
keys continue from the table's highest, and rows go in with executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction

NULL = "\\N"
_STREAM_CHUNK = 1 << 18
_SQLITE_BATCH = 10_000
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


class IdAllocator:
    """New primary keys for `model`, handed out one at a time while rows are still being read.

    PostgreSQL: reserved from the table's sequence in growing blocks (keys left over when the import
    ends are gaps, as after a refused import). SQLite: counted up from the table's highest, which no
    one else can take while the import's transaction holds the write lock. `before_query` is called
    before the allocator needs the connection (to pause a running COPY).
    """

    def __init__(self, model: type[models.Model], before_query: Callable[[], None] = lambda: None) -> None:
        self.model = model
        self.before_query = before_query
        self._ids: Iterator[int] = iter(())
        self._block = 1024
        self._sqlite_next: int | None = None

    def next(self) -> int:
        if self._sqlite_next is not None:
            self._sqlite_next += 1
            return self._sqlite_next - 1
        found = next(self._ids, None)
        if found is None:
            self.before_query()
            if connection.vendor == "sqlite":
                self._sqlite_next = reserve_ids(self.model, 1)[0] + 1
                return self._sqlite_next - 1
            self._ids = iter(reserve_ids(self.model, self._block))
            self._block = min(self._block * 2, 65_536)
            found = next(self._ids)
        return found


class RowStream:
    """Rows written into a table while the caller goes on reading the file.

    PostgreSQL: COPY text lines (`write`), sent in chunks through one COPY that stays open, so the
    server stores the rows already read while Python parses the next ones (the machine's second core
    does the database's share); `pause()` ends the COPY when the connection is needed for a query,
    and the next write opens another. SQLite: rows as tuples (`append`), inserted with executemany in
    batches, `before_insert` called before each. `close()` ends what is open; `abandon()` ends a COPY
    with an error, after a failure.
    """

    def __init__(
        self, model: type[models.Model], columns: list[str], before_insert: Callable[[], None] = lambda: None
    ) -> None:
        self.before_insert = before_insert
        table = model._meta.db_table
        names = ", ".join(f'"{name}"' for name in columns)
        self.copying = connection.vendor == "postgresql"
        if not self.copying and connection.vendor != "sqlite":
            raise NotImplementedError(f"bulk import is not available on {connection.vendor}")
        self._copy_sql = f'COPY "{table}" ({names}) FROM STDIN'
        self._insert_sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _n in columns)})'
        self._parts: list[str] = []
        self._size = 0
        self._rows: list[tuple[Any, ...]] = []
        self._cursor: Any = None
        self._copy_block: Any = None
        self._copy: Any = None

    def write(self, line: str) -> None:
        """PostgreSQL: one row as a COPY text line, ending in a newline."""
        self._parts.append(line)
        self._size += len(line)
        if self._size >= _STREAM_CHUNK:
            self._send()

    def append(self, row: tuple[Any, ...]) -> None:
        """SQLite: one row of values."""
        self._rows.append(row)
        if len(self._rows) >= _SQLITE_BATCH:
            self._insert()

    def _send(self) -> None:
        if not self._parts:
            return
        if self._copy is None:
            self._cursor = connection.cursor()
            # psycopg's cursor under Django's; the COPY holds the connection's lock until it ends.
            self._copy_block = self._cursor.cursor.copy(self._copy_sql)
            self._copy = self._copy_block.__enter__()
        self._copy.write("".join(self._parts))
        self._parts, self._size = [], 0

    def _insert(self) -> None:
        if self._rows:
            self.before_insert()
            with connection.cursor() as cursor:
                cursor.cursor.executemany(self._insert_sql, self._rows)  # sqlite3's own: "?" marks
            self._rows = []

    def pause(self) -> None:
        """Send what is pending and end the COPY, so the connection can run other statements."""
        if not self.copying:
            self._insert()
            return
        self._send()
        self._end(None)

    def close(self) -> None:
        """End the stream; after a failure, end a COPY left open with an error instead."""
        try:
            self.pause()
        except Exception:
            self.abandon()
            raise

    def abandon(self) -> None:
        """End a COPY left open by a failure, with an error, so the transaction can be rolled back."""
        self._parts, self._rows = [], []
        with suppress(Exception):  # the transaction is being rolled back anyway
            self._end(RuntimeError("import abandoned"))

    def _end(self, error: Exception | None) -> None:
        if self._copy_block is None:
            return
        block, cursor = self._copy_block, self._cursor
        self._copy_block = self._copy = self._cursor = None
        try:
            block.__exit__(type(error) if error else None, error, None)
        finally:
            cursor.close()


def skip_row_checks(tables: Sequence[type[models.Model]]) -> bool:
    """PostgreSQL: stop checking foreign keys row by row for inserts into `tables` in this transaction,
    when possible; the caller must then call `lock_references` before committing. Returns whether it did.

    A foreign key is checked by a trigger per inserted row that looks the referenced row up and locks it
    (FOR KEY SHARE); for a million order lines that is most of what the server spends. When no trigger
    of its own is defined on `tables` and the database role may set it, `session_replication_role` is
    set to `replica` for the rest of the transaction (what pg_restore does), which skips those
    triggers; `lock_references` then checks and locks each distinct referenced row once instead, and
    `restore_row_checks` ends it. Otherwise (SQLite, a role without the privilege, a table with
    triggers) rows are checked one by one as usual, with the same outcome.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in tables]],
        )
        if cursor.fetchone()[0]:
            return False
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:  # the role may not set it: keep the per-row checks
            return False
    return True


def lock_references(references: Sequence[tuple[type[models.Model], Iterable[int]]]) -> None:
    """Lock the referenced rows (model, ids) as the per-row foreign-key triggers would, once each, and
    fail if any of them no longer exists."""
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


def restore_row_checks() -> None:
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
