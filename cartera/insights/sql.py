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
        SELECT account_id, date, SUM(orders), SUM(revenue), SUM(cogs), SUM(gross), SUM(cts), SUM(mkt)
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


def facts_for_orders_select(account_ids: Iterable[int]) -> str:
    """Like facts_select, restricted to the given accounts through an indexed join on the order table."""
    return facts_select(account_ids)


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
    in_window = f"date > {w}"
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
                COALESCE(f.revenue, 0) AS revenue_12m_cents,
                COALESCE(f.cogs, 0) AS cogs_12m_cents,
                COALESCE(f.gross, 0) AS gross_12m_cents,
                COALESCE(f.cts, 0) AS cost_to_serve_12m_cents,
                COALESCE(f.mkt, 0) AS marketing_spend_12m_cents,
                COALESCE(f.revenue, 0) - COALESCE(f.cogs, 0) - COALESCE(f.cts, 0) - COALESCE(f.mkt, 0)
                    AS net_profit_12m_cents,
                COALESCE(f.orders_total, 0) AS orders_total,
                COALESCE(f.orders_12m, 0) AS orders_12m,
                COALESCE(f.orders_previous, 0) AS orders_previous_window,
                f.first_order_date AS first_order_date,
                f.last_order_date AS last_order_date,
                COALESCE(r.referrals, 0) AS referrals_recent,
                i.last_interaction_date AS last_interaction_date,
                COALESCE(c.kept, 0) AS commitments_kept,
                COALESCE(c.broken, 0) AS commitments_broken
            FROM accounts_account acc
            LEFT JOIN (
                SELECT account_id,
                    SUM(CASE WHEN {in_window} THEN revenue_cents ELSE 0 END) AS revenue,
                    SUM(CASE WHEN {in_window} THEN cogs_cents ELSE 0 END) AS cogs,
                    SUM(CASE WHEN {in_window} THEN gross_cents ELSE 0 END) AS gross,
                    SUM(CASE WHEN {in_window} THEN cost_to_serve_cents ELSE 0 END) AS cts,
                    SUM(CASE WHEN {in_window} THEN marketing_cents ELSE 0 END) AS mkt,
                    SUM(orders) AS orders_total,
                    SUM(CASE WHEN {in_window} THEN orders ELSE 0 END) AS orders_12m,
                    SUM(CASE WHEN date > {date_literal(previous_start)} AND date <= {w} THEN orders ELSE 0 END)
                        AS orders_previous,
                    MIN(CASE WHEN orders > 0 THEN date END) AS first_order_date,
                    MAX(CASE WHEN orders > 0 THEN date END) AS last_order_date
                FROM insights_accountday
                WHERE date <= {d} {fact_filter}
                GROUP BY account_id
            ) f ON f.account_id = acc.id
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
    return f"""
        SELECT acc.id AS account_id,
            CASE
                WHEN COALESCE(f.orders_total, 0) = 0 THEN 'prospect'
                WHEN f.orders_total = 1 THEN 'buyer'
                WHEN f.orders_12m >= {rules.frequent_min_orders}
                     AND f.first_order_date <= {date_literal(tenure_cut)}
                     AND r.account_id IS NOT NULL THEN 'loyal'
                WHEN f.orders_12m >= {rules.frequent_min_orders} THEN 'frequent'
                ELSE 'sporadic'
            END AS tier
        FROM accounts_account acc
        LEFT JOIN (
            SELECT account_id, SUM(orders) AS orders_total,
                SUM(CASE WHEN date > {date_literal(window_start)} THEN orders ELSE 0 END) AS orders_12m,
                MIN(date) AS first_order_date
            FROM insights_accountday
            WHERE date <= {d} AND orders > 0
            GROUP BY account_id
        ) f ON f.account_id = acc.id
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
