"""The DuckDB reference: the per-account insights figures computed by one SQL query over the raw rows
(order lines, orders, service costs, marketing spend, referrals) held in memory, as the database holds
them: a line knows its order, and the order its account and date.

It is what this machine can do for the same computation with a columnar, vectorized, parallel engine,
and an independent implementation of DESIGN.md's definitions that the engine's snapshot must match.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import duckdb

# The columns compared with the snapshot (insights_accountinsight), in the order the query returns them.
FIGURES = [
    "revenue_12m_cents",
    "cogs_12m_cents",
    "gross_12m_cents",
    "cost_to_serve_12m_cents",
    "marketing_spend_12m_cents",
    "net_profit_12m_cents",
    "orders_total",
    "orders_12m",
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "referrals_recent",
    "tier",
]

_SCHEMAS = {
    "accounts": {"id": "BIGINT"},
    "orders": {"id": "BIGINT", "account_id": "BIGINT", "date": "DATE"},
    "lines": {
        "order_id": "BIGINT",
        "account_id": "BIGINT",
        "date": "DATE",
        "revenue_cents": "BIGINT",
        "cogs_cents": "BIGINT",
        "gross_cents": "BIGINT",
    },
    "service_costs": {"account_id": "BIGINT", "date": "DATE", "amount_cents": "BIGINT"},
    "marketing": {"account_id": "BIGINT", "date": "DATE", "amount_cents": "BIGINT"},
    "referrals": {"account_id": "BIGINT", "date": "DATE"},
}


def figures_sql(
    *,
    as_of: dt.date,
    window_days: int,
    frequent_min_orders: int,
    loyal_min_tenure_days: int,
    loyal_referral_days: int,
    dated_lines: bool = False,
) -> str:
    """One row per account: the 12-month money, order counts, first and last order, recency, tenure,
    recent referrals and the loyalty tier by the ladder's rules, straight from the raw rows.

    The lines are read as the database holds them: each line has its order, and the order its account
    and date. With `dated_lines`, each line's own copy of its order's account and date is read instead
    (a denormalized copy the database does not have, which spares the join: for information)."""
    d = f"DATE '{as_of.isoformat()}'"
    w = f"DATE '{(as_of - dt.timedelta(days=window_days)).isoformat()}'"
    tenure_cut = f"DATE '{(as_of - dt.timedelta(days=loyal_min_tenure_days)).isoformat()}'"
    referral_start = f"DATE '{(as_of - dt.timedelta(days=loyal_referral_days)).isoformat()}'"
    sums = "SUM(l.revenue_cents) AS revenue, SUM(l.cogs_cents) AS cogs, SUM(l.gross_cents) AS gross"
    if dated_lines:
        money = f"""
            SELECT l.account_id, {sums}
            FROM lines l WHERE l.date > {w} AND l.date <= {d}
            GROUP BY l.account_id"""
    else:
        money = f"""
            SELECT o.account_id, {sums}
            FROM lines l JOIN orders o ON o.id = l.order_id
            WHERE o.date > {w} AND o.date <= {d}
            GROUP BY o.account_id"""
    return f"""
        WITH money AS ({money}), counts AS (
            SELECT account_id, COUNT(*) AS orders_total, COUNT(*) FILTER (WHERE date > {w}) AS orders_12m,
                MIN(date) AS first_order_date, MAX(date) AS last_order_date
            FROM orders WHERE date <= {d}
            GROUP BY account_id
        ), served AS (
            SELECT account_id, SUM(amount_cents) AS amount
            FROM service_costs WHERE date > {w} AND date <= {d}
            GROUP BY account_id
        ), spent AS (
            SELECT account_id, SUM(amount_cents) AS amount
            FROM marketing WHERE date > {w} AND date <= {d}
            GROUP BY account_id
        ), referred AS (
            SELECT account_id, COUNT(*) AS referrals
            FROM referrals WHERE date > {referral_start} AND date <= {d}
            GROUP BY account_id
        )
        SELECT a.id AS account_id,
            COALESCE(m.revenue, 0) AS revenue_12m_cents,
            COALESCE(m.cogs, 0) AS cogs_12m_cents,
            COALESCE(m.gross, 0) AS gross_12m_cents,
            COALESCE(s.amount, 0) AS cost_to_serve_12m_cents,
            COALESCE(k.amount, 0) AS marketing_spend_12m_cents,
            COALESCE(m.revenue, 0) - COALESCE(m.cogs, 0) - COALESCE(s.amount, 0) - COALESCE(k.amount, 0)
                AS net_profit_12m_cents,
            COALESCE(c.orders_total, 0) AS orders_total,
            COALESCE(c.orders_12m, 0) AS orders_12m,
            c.first_order_date,
            c.last_order_date,
            date_diff('day', c.last_order_date, {d}) AS recency_days,
            date_diff('day', c.first_order_date, {d}) AS tenure_days,
            COALESCE(r.referrals, 0) AS referrals_recent,
            CASE
                WHEN COALESCE(c.orders_total, 0) = 0 THEN 'prospect'
                WHEN c.orders_total = 1 THEN 'buyer'
                WHEN c.orders_12m >= {frequent_min_orders} AND c.first_order_date <= {tenure_cut}
                     AND COALESCE(r.referrals, 0) > 0 THEN 'loyal'
                WHEN c.orders_12m >= {frequent_min_orders} THEN 'frequent'
                ELSE 'sporadic'
            END AS tier
        FROM accounts a
        LEFT JOIN money m ON m.account_id = a.id
        LEFT JOIN counts c ON c.account_id = a.id
        LEFT JOIN served s ON s.account_id = a.id
        LEFT JOIN spent k ON k.account_id = a.id
        LEFT JOIN referred r ON r.account_id = a.id
    """


class Reference:
    """An in-memory DuckDB database holding the generated rows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.con = duckdb.connect(":memory:")
        self.threads = int(self.con.execute("SELECT current_setting('threads')").fetchone()[0])  # type: ignore[index]

    def load(self) -> dict[str, int]:
        """Read the CSV files into memory (not timed by the benchmark). Returns the rows per table."""
        rows = {}
        for name, columns in _SCHEMAS.items():
            path = str(self.folder / f"{name}.csv").replace("'", "''")
            spec = ", ".join(f"'{column}': '{kind}'" for column, kind in columns.items())
            self.con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = false, columns = {{{spec}}})"
            )
            rows[name] = int(self.con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])  # type: ignore[index]
        return rows

    def compute(self, select: str) -> float:
        """Run the figures query into a table; returns the seconds it took."""
        self.con.execute("DROP TABLE IF EXISTS figures")
        started = time.perf_counter()
        self.con.execute(f"CREATE TABLE figures AS {select}")
        return time.perf_counter() - started

    def figures(self) -> dict[int, tuple[Any, ...]]:
        columns = ", ".join(FIGURES)
        return {
            row[0]: tuple(row[1:])
            for row in self.con.execute(f"SELECT account_id, {columns} FROM figures").fetchall()
        }

    def compare_with_snapshot(self, path: Path) -> tuple[int, str | None]:
        """Compare the figures with the engine's snapshot exported to CSV (account_id, then FIGURES):
        the number of accounts that differ (or are missing on either side) and the first of them."""
        kinds = {"account_id": "BIGINT"}
        for name in FIGURES:
            kinds[name] = "DATE" if name.endswith("_date") else "VARCHAR" if name == "tier" else "BIGINT"
        spec = ", ".join(f"'{column}': '{kind}'" for column, kind in kinds.items())
        location = str(path).replace("'", "''")
        self.con.execute("DROP TABLE IF EXISTS snapshot")
        self.con.execute(
            f"CREATE TABLE snapshot AS SELECT * FROM read_csv('{location}', header = false, "
            f"columns = {{{spec}}}, nullstr = '')"
        )
        condition = " OR ".join(f"f.{name} IS DISTINCT FROM s.{name}" for name in FIGURES)
        count, first = self.con.execute(
            f"""
            SELECT COUNT(*), MIN(COALESCE(f.account_id, s.account_id))
            FROM figures f FULL JOIN snapshot s ON s.account_id = f.account_id
            WHERE f.account_id IS NULL OR s.account_id IS NULL OR {condition}
            """
        ).fetchone()  # type: ignore[misc]
        if not count:
            return 0, None
        columns = ", ".join(FIGURES)
        ours = self.con.execute(f"SELECT {columns} FROM figures WHERE account_id = ?", [first]).fetchone()
        theirs = self.con.execute(f"SELECT {columns} FROM snapshot WHERE account_id = ?", [first]).fetchone()
        ours = ours or (None,) * len(FIGURES)
        theirs = theirs or (None,) * len(FIGURES)
        detail = "; ".join(
            f"{name}: {a!r} (DuckDB) vs {b!r} (snapshot)"
            for name, a, b in zip(FIGURES, ours, theirs, strict=True)
            if a != b
        )
        return int(count), f"account {first}: {detail}"

    def memory_bytes(self) -> int:
        """The memory DuckDB's buffer manager holds now (its tables and the last result)."""
        row = self.con.execute("SELECT SUM(memory_usage_bytes) FROM duckdb_memory()").fetchone()
        return int(row[0] or 0) if row else 0

    def close(self) -> None:
        self.con.close()
