"""Churn risk that explains itself: a 0-100 score summed from named factors, each one stored.

Factors (points, each rounded half up to a whole number; W is the window, 365 days by default):
- recency: the days since the last order against the account's own usual gap between orders (the days
  from its first to its last order dated <= D, divided by the orders minus one, at least one day). No
  points up to the usual gap, then 17.5 per gap beyond it, 35 at three times it or more: 60 days since
  the last order of an account that orders every 30 is 17.5, so 18. A one-order account scores by age
  alone: nothing up to W/2 days (whole days), 35 from three times that, linear in between.
- orders_falling: orders in the window against the window before (D - 2W < d <= D - W): 25 points times
  the share lost, so 8 orders then and 2 now is 18.75, so 19; a fall to zero is 25.
- broken_commitments: 5 points per commitment broken in the window (an overdue open one counts), up to 15.
- open_complaints: 8 points per complaint dated <= D and not closed, up to 15.
- disconnected: 10 points when the account has gone longer without contact than its segment allows.

The maxima add up to exactly 100, the cap of the score. `churn_factors` holds every factor by name with
its points, and they add up to `churn_risk`. When a recomputation changes the risk of an account that was
already scored, `churn_risk_previous` keeps the value before and `churn_risk_changed_on` the as-of date of
that recomputation; an unchanged risk leaves both as they were.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from cartera.insights import sql

FACTORS = ["recency", "orders_falling", "broken_commitments", "open_complaints", "disconnected"]
# The snapshot columns churn_columns reads.
SNAPSHOT_COLUMNS = [
    "churn_risk",
    "churn_factors",
    "orders_total",
    "orders_12m",
    "orders_previous_window",
    "first_order_date",
    "last_order_date",
    "recency_days",
    "commitments_broken",
]


def _int(expression: str) -> str:
    return f"CAST(ROUND({expression}) AS INTEGER)"


def churn_columns(*, as_of: dt.date, window: int, disconnected: str) -> str:
    """The select list of the churn factors (named as FACTORS) of a snapshot row `s`, with its previous
    risk (`old_risk`) and whether it was scored before (`scored`), given `fb` (open_complaints_join) and
    the SQL `disconnected` telling whether the account is flagged for contact now."""
    # Everything comes from the snapshot row, whose metrics were computed as of the same date: the usual
    # gap is (last order - first order) / (orders - 1), and the window before has its own count.
    span = sql.days_between_columns("s.last_order_date", "s.first_order_date")
    usual = f"(CASE WHEN {span} * 1.0 / (s.orders_total - 1) < 1 THEN 1.0 ELSE {span} * 1.0 / (s.orders_total - 1) END)"
    recency = f"""
        CASE
            WHEN s.orders_total >= 2 THEN
                CASE WHEN s.recency_days * 1.0 / {usual} <= 1 THEN 0
                     WHEN s.recency_days * 1.0 / {usual} >= 3 THEN 35
                     ELSE {_int(f"(s.recency_days * 1.0 / {usual} - 1) * 17.5")} END
            WHEN s.orders_total = 1 THEN
                CASE WHEN s.recency_days >= 3 * {window // 2} THEN 35
                     WHEN s.recency_days <= {window // 2} THEN 0
                     ELSE {_int(f"(s.recency_days - {window // 2}) * 35.0 / ({window})")} END
            ELSE 0
        END"""
    falling = f"""
        CASE WHEN s.orders_previous_window > 0 AND s.orders_12m < s.orders_previous_window
             THEN {_int("25.0 * (s.orders_previous_window - s.orders_12m) / s.orders_previous_window")}
             ELSE 0 END"""
    broken = "CASE WHEN s.commitments_broken * 5 > 15 THEN 15 ELSE s.commitments_broken * 5 END"
    complaints = "CASE WHEN COALESCE(fb.open_complaints, 0) * 8 > 15 THEN 15 ELSE COALESCE(fb.open_complaints, 0) * 8 END"
    # A row never scored yet (just inserted, factors still empty) has no previous risk to keep.
    scored = (
        "(s.churn_factors <> '{}'::jsonb)"
        if connection.vendor == "postgresql"
        else "(s.churn_factors <> '{}')"
    )
    return f"""s.churn_risk AS old_risk, {scored} AS scored,
        {recency} AS recency,
        {falling} AS orders_falling,
        {broken} AS broken_commitments,
        {complaints} AS open_complaints,
        CASE WHEN {disconnected} THEN 10 ELSE 0 END AS disconnected"""


def open_complaints_join(*, as_of: dt.date, account_ids: list[int] | None) -> str:
    """A LEFT JOIN giving, as `fb`, each account's complaints dated <= as_of and not closed."""
    scope = "" if account_ids is None else f"AND account_id IN ({sql.id_list(account_ids)})"
    return f"""
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS open_complaints FROM relationship_feedback
            WHERE kind = 'complaint' AND status <> 'closed' AND date <= {sql.date_literal(as_of)} {scope}
            GROUP BY account_id
        ) fb ON fb.account_id = s.account_id"""


def factors_json(alias: str) -> str:
    """The JSON object of the factors of the row `alias` (every name of FACTORS with its points)."""
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    pairs = ", ".join(f"'{name}', {alias}.{name}" for name in FACTORS)
    return f"{build}({pairs})"
