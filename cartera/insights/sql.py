"""The set-based SQL of the insights engine, written once for SQLite and PostgreSQL.

Every query here reads the daily facts (`insights_accountday`) rather than order lines, so its cost
follows the number of account-days, not of lines (docs/adr/0005-insights-facts.md). Dates and ids are
inlined as literals made from `date` and `int` objects only — never from user text — because the same
date appears many times in one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Rules:
    """The loyalty-ladder thresholds in force for one computation."""

    window_days: int = 365
    frequent_min_orders: int = 4
    loyal_min_tenure_days: int = 730
    loyal_referral_days: int = 730


def date_literal(day: dt.date) -> str:
    if not isinstance(day, dt.date):
        raise TypeError("date_literal takes a date")
    text = day.isoformat()
    return f"DATE '{text}'" if connection.vendor == "postgresql" else f"'{text}'"


def days_between(later: dt.date, column: str) -> str:
    """SQL for the whole days from `column` (a date) to the date `later`; NULL when the column is NULL."""
    if connection.vendor == "postgresql":
        return f"({date_literal(later)} - {column})"
    return f"CAST(julianday({date_literal(later)}) - julianday({column}) AS INTEGER)"


def distinct_differs(left: str, right: str) -> str:
    """SQL true when two row values (or values) differ, NULLs compared as values."""
    return (
        f"{left} IS DISTINCT FROM {right}" if connection.vendor == "postgresql" else f"{left} IS NOT {right}"
    )


def fence() -> str:
    """Ending a subquery in FROM, keeps the planner from merging it into the query around it, so that
    its columns are computed once per row rather than wherever the outer query names them (OFFSET 0;
    SQLite allows OFFSET only after a LIMIT, -1 being none)."""
    return " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"


def id_list(ids: Iterable[int]) -> str:
    return ",".join(str(int(pk)) for pk in ids) or "NULL"


def cents(column: str) -> str:
    """A money column (DecimalField: REAL on SQLite, NUMERIC on PostgreSQL) as exact integer cents."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


DAYS_TABLE = "insights_tmp_days"  # (account_id, date): the days a refresh rebuilds


def facts_select(account_ids: Iterable[int] | None = None, *, days_table: str | None = None) -> str:
    """SELECT producing the rows of insights_accountday from orders, lines, service costs and marketing
    spend, for the given accounts (all when None), or only for the (account_id, date) pairs listed in
    `days_table`."""
    where_orders = where_costs = where_spend = ""
    from_orders, from_costs, from_spend = "commerce_order o", "costs_servicecost c", "costs_marketingspend m"
    if days_table is not None:
        # Driven by the (few) pairs: each is looked up through the (account, date) index of each table.
        def joined(table: str, alias: str) -> str:
            return (
                f"{days_table} t JOIN {table} {alias} "
                f"ON {alias}.account_id = t.account_id AND {alias}.date = t.date"
            )

        from_orders = joined("commerce_order", "o")
        from_costs = joined("costs_servicecost", "c")
        from_spend = joined("costs_marketingspend", "m")
    elif account_ids is not None:
        ids = id_list(account_ids)
        where_orders = f"WHERE o.account_id IN ({ids})"
        where_costs = f"WHERE c.account_id IN ({ids})"
        where_spend = f"WHERE m.account_id IN ({ids})"
    return f"""
        SELECT account_id, date, SUM(orders) AS orders, SUM(revenue) AS revenue_cents, SUM(cogs) AS cogs_cents,
            SUM(gross) AS gross_cents, SUM(cts) AS cost_to_serve_cents, SUM(mkt) AS marketing_cents
        FROM (
            -- Grouped per order after the join, so an account filter reaches the lines through the
            -- order index instead of summing every line of every order first.
            SELECT o.account_id AS account_id, o.date AS date, 1 AS orders,
                   COALESCE(SUM(l.revenue_cents), 0) AS revenue, COALESCE(SUM(l.cogs_cents), 0) AS cogs,
                   COALESCE(SUM(l.gross_cents), 0) AS gross, 0 AS cts, 0 AS mkt
            FROM {from_orders}
            LEFT JOIN commerce_orderline l ON l.order_id = o.id
            {where_orders}
            GROUP BY o.id, o.account_id, o.date
            UNION ALL
            SELECT c.account_id, c.date, 0, 0, 0, 0, {cents("c.amount")}, 0 FROM {from_costs} {where_costs}
            UNION ALL
            SELECT m.account_id, m.date, 0, 0, 0, 0, 0, {cents("m.amount")}
            FROM {from_spend} {where_spend}
        ) facts
        GROUP BY account_id, date
    """


FACT_COLUMNS = (
    "account_id, date, orders, revenue_cents, cogs_cents, gross_cents, cost_to_serve_cents, marketing_cents"
)

# The running totals of each facts row (its account's figures up to and including its day): sums of a
# daily column, and the first and last day with orders.
RUNNING_SUMS = {
    "orders_to_date": "orders",
    "revenue_to_date_cents": "revenue_cents",
    "cogs_to_date_cents": "cogs_cents",
    "gross_to_date_cents": "gross_cents",
    "cost_to_serve_to_date_cents": "cost_to_serve_cents",
    "marketing_to_date_cents": "marketing_cents",
}
RUNNING_TOTALS = [*RUNNING_SUMS, "first_order_date", "last_order_date"]
# Written with a new facts row until running_totals_update gives it its own.
NO_RUNNING_TOTALS = ", ".join(["0"] * len(RUNNING_SUMS) + ["NULL", "NULL"])


def _order_days(alias: str = "") -> tuple[str, str]:
    """The first and the last day with orders up to each row, over the `running` window."""
    day = f"CASE WHEN {alias}orders > 0 THEN {alias}date END"
    return f"MIN({day}) OVER running", f"MAX({day}) OVER running"


_IN_DATE_ORDER = "WINDOW running AS (PARTITION BY account_id ORDER BY date)"


def facts_with_running_totals(select: str) -> str:
    """The facts rows of `select` (FACT_COLUMNS) with their running totals, in account and date order."""
    running = ", ".join(
        [
            *(f"CAST(SUM({source}) OVER running AS BIGINT)" for source in RUNNING_SUMS.values()),
            *_order_days(),
        ]
    )
    return f"""
        SELECT account_id, date, orders, revenue_cents, cogs_cents, gross_cents, cost_to_serve_cents,
            marketing_cents, {running}
        FROM ({select}) AS facts
        {_IN_DATE_ORDER}
        ORDER BY account_id, date
    """


RUNNING_TABLE = "insights_tmp_running"  # the running totals computed by running_totals_select


def running_totals_select(days_table: str) -> str:
    """The running totals of the facts rows of the accounts in `days_table` (account_id, date), from
    the earliest of their listed days on (id, then RUNNING_TOTALS): each account's sums start again
    from its last row before that day, so the cost follows the rows from there, not the history."""
    sums = ", ".join(
        f"COALESCE(b.{column}, 0) + CAST(SUM(d.{source}) OVER running AS BIGINT) AS {column}"
        for column, source in RUNNING_SUMS.items()
    )
    before = _row_before("b", account="s.account_id", day="s.date", columns=RUNNING_TOTALS, comparison="<")
    first, last = _order_days("d.")
    return f"""
        SELECT d.id, {sums},
            COALESCE(b.first_order_date, {first}) AS first_order_date,
            COALESCE({last}, b.last_order_date) AS last_order_date
        FROM (SELECT account_id, MIN(date) AS date FROM {days_table} GROUP BY account_id) AS s
        JOIN insights_accountday d ON d.account_id = s.account_id AND d.date >= s.date
        {before}
        WINDOW running AS (PARTITION BY d.account_id ORDER BY d.date)
    """


def running_totals_update() -> str:
    """UPDATE writing the running totals of RUNNING_TABLE (running_totals_select's rows, few, read
    first into a table so that the planner reaches each facts row through its primary key) into the
    facts rows whose totals change."""
    assignments = ", ".join(f"{column} = w.{column}" for column in RUNNING_TOTALS)
    current = ", ".join(f"insights_accountday.{column}" for column in RUNNING_TOTALS)
    computed = ", ".join(f"w.{column}" for column in RUNNING_TOTALS)
    return f"""
        UPDATE insights_accountday SET {assignments}
        FROM {RUNNING_TABLE} AS w
        WHERE insights_accountday.id = w.id AND {distinct_differs(f"({current})", f"({computed})")}
    """


def _row_before(alias: str, *, account: str, day: str, columns: Iterable[str], comparison: str) -> str:
    """A LEFT JOIN giving, as `alias`, the facts row of the account `account` with the latest date
    `comparison` (< or <=) the date `day`: one probe of the (account, date) index, read backwards."""
    if connection.vendor == "postgresql":
        return f"""
            LEFT JOIN LATERAL (
                SELECT {", ".join(columns)} FROM insights_accountday
                WHERE account_id = {account} AND date {comparison} {day}
                ORDER BY date DESC LIMIT 1
            ) {alias} ON TRUE"""
    # SQLite has no LATERAL: the probe finds the row id, and the row is joined by it.
    return f"""
            LEFT JOIN insights_accountday {alias} ON {alias}.id = (
                SELECT id FROM insights_accountday
                WHERE account_id = {account} AND date {comparison} {day}
                ORDER BY date DESC LIMIT 1
            )"""


def running_totals_on(as_of: dt.date, alias: str, columns: Iterable[str]) -> str:
    """A LEFT JOIN giving, as `alias`, the running totals of each account (`acc`) on the date `as_of`:
    those of its last facts row on or before that date (none: the account had no facts yet)."""
    return _row_before(alias, account="acc.id", day=date_literal(as_of), columns=columns, comparison="<=")


def metrics_select(as_of: dt.date, rules: Rules, account_ids: Iterable[int] | None = None) -> str:
    """One row per account with every metric of DESIGN.md as of `as_of`, its tier, contact recency and
    commitment counts. Columns are named as in the snapshot table (insights_accountinsight)."""
    window_start = as_of - dt.timedelta(days=rules.window_days)
    previous_start = as_of - dt.timedelta(days=2 * rules.window_days)
    tenure_cut = as_of - dt.timedelta(days=rules.loyal_min_tenure_days)
    referral_start = as_of - dt.timedelta(days=rules.loyal_referral_days)
    d, w = date_literal(as_of), date_literal(window_start)
    account_filter = fact_filter = ""
    if account_ids is not None:
        ids = id_list(account_ids)
        account_filter = f"WHERE acc.id IN ({ids})"
        fact_filter = f"AND account_id IN ({ids})"

    def between(column: str, end: str = "f", start: str = "w") -> str:
        # A window's sum: the running total at its end less the one at its start (the start excluded).
        return f"(COALESCE({end}.{column}, 0) - COALESCE({start}.{column}, 0))"

    return f"""
        SELECT m.*,
            CASE
                WHEN m.orders_total = 0 THEN 'prospect'
                WHEN m.orders_total = 1 THEN 'buyer'
                WHEN m.orders_12m >= {rules.frequent_min_orders}
                     AND m.first_order_date <= {date_literal(tenure_cut)}
                     AND m.referrals_recent > 0 THEN 'loyal'
                WHEN m.orders_12m >= {rules.frequent_min_orders} THEN 'frequent'
                ELSE 'sporadic'
            END AS tier,
            {days_between(as_of, "m.last_order_date")} AS recency_days,
            {days_between(as_of, "m.first_order_date")} AS tenure_days,
            {days_between(as_of, "m.last_interaction_date")} AS days_without_contact,
            CASE WHEN m.commitments_kept + m.commitments_broken > 0
                 THEN ROUND(CAST(m.commitments_kept AS NUMERIC) * 1.0
                            / (m.commitments_kept + m.commitments_broken), 4)
            END AS trust_score
        FROM (
            SELECT acc.id AS account_id,
                {between("revenue_to_date_cents")} AS revenue_12m_cents,
                {between("cogs_to_date_cents")} AS cogs_12m_cents,
                {between("gross_to_date_cents")} AS gross_12m_cents,
                {between("cost_to_serve_to_date_cents")} AS cost_to_serve_12m_cents,
                {between("marketing_to_date_cents")} AS marketing_spend_12m_cents,
                {between("revenue_to_date_cents")} - {between("cogs_to_date_cents")}
                    - {between("cost_to_serve_to_date_cents")} - {between("marketing_to_date_cents")}
                    AS net_profit_12m_cents,
                COALESCE(f.orders_to_date, 0) AS orders_total,
                {between("orders_to_date")} AS orders_12m,
                {between("orders_to_date", "w", "p")} AS orders_previous_window,
                f.first_order_date AS first_order_date,
                f.last_order_date AS last_order_date,
                COALESCE(r.referrals, 0) AS referrals_recent,
                i.last_interaction_date AS last_interaction_date,
                COALESCE(c.kept, 0) AS commitments_kept,
                COALESCE(c.broken, 0) AS commitments_broken
            FROM accounts_account acc
            {running_totals_on(as_of, "f", RUNNING_TOTALS)}
            {running_totals_on(window_start, "w", list(RUNNING_SUMS))}
            {running_totals_on(previous_start, "p", ["orders_to_date"])}
            LEFT JOIN (
                SELECT account_id, COUNT(*) AS referrals
                FROM relationship_referral
                WHERE date > {date_literal(referral_start)} AND date <= {d} {fact_filter}
                GROUP BY account_id
            ) r ON r.account_id = acc.id
            LEFT JOIN (
                SELECT account_id, MAX(occurred_on) AS last_interaction_date
                FROM relationship_interaction
                WHERE occurred_on <= {d} {fact_filter}
                GROUP BY account_id
            ) i ON i.account_id = acc.id
            LEFT JOIN (
                SELECT account_id,
                    SUM(CASE WHEN status = 'kept' AND resolved_on > {w} AND resolved_on <= {d}
                             THEN 1 ELSE 0 END) AS kept,
                    SUM(CASE WHEN status = 'broken' AND resolved_on > {w} AND resolved_on <= {d} THEN 1
                             WHEN (status = 'open' OR resolved_on > {d})
                                  AND due_date > {w} AND due_date < {d} THEN 1
                             ELSE 0 END) AS broken
                FROM relationship_commitment
                WHERE 1 = 1 {fact_filter}
                GROUP BY account_id
            ) c ON c.account_id = acc.id
            {account_filter}
        ) m
    """


def tiers_select(as_of: dt.date, rules: Rules) -> str:
    """One row per account with only its tier as of `as_of` (the light query for history backfills)."""
    window_start = as_of - dt.timedelta(days=rules.window_days)
    tenure_cut = as_of - dt.timedelta(days=rules.loyal_min_tenure_days)
    referral_start = as_of - dt.timedelta(days=rules.loyal_referral_days)
    d = date_literal(as_of)
    orders_12m = "(f.orders_to_date - COALESCE(w.orders_to_date, 0))"
    return f"""
        SELECT acc.id AS account_id,
            CASE
                WHEN COALESCE(f.orders_to_date, 0) = 0 THEN 'prospect'
                WHEN f.orders_to_date = 1 THEN 'buyer'
                WHEN {orders_12m} >= {rules.frequent_min_orders}
                     AND f.first_order_date <= {date_literal(tenure_cut)}
                     AND r.account_id IS NOT NULL THEN 'loyal'
                WHEN {orders_12m} >= {rules.frequent_min_orders} THEN 'frequent'
                ELSE 'sporadic'
            END AS tier
        FROM accounts_account acc
        {running_totals_on(as_of, "f", ["orders_to_date", "first_order_date"])}
        {running_totals_on(window_start, "w", ["orders_to_date"])}
        LEFT JOIN (
            SELECT DISTINCT account_id FROM relationship_referral
            WHERE date > {date_literal(referral_start)} AND date <= {d}
        ) r ON r.account_id = acc.id
    """


METRIC_COLUMNS = [
    "revenue_12m_cents",
    "cogs_12m_cents",
    "gross_12m_cents",
    "cost_to_serve_12m_cents",
    "marketing_spend_12m_cents",
    "net_profit_12m_cents",
    "orders_total",
    "orders_12m",
    "orders_previous_window",
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "referrals_recent",
    "last_interaction_date",
    "days_without_contact",
    "commitments_kept",
    "commitments_broken",
    "trust_score",
]


def date_of(column: str) -> str:
    """The calendar date (UTC) of a timestamp column."""
    if connection.vendor == "postgresql":
        return f"CAST({column} AS DATE)"
    return f"date({column})"


def days_between_columns(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
