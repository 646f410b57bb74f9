"""What follows from an account's metrics and profit class, refreshed in one statement: its segment, its
contact alert (from the segment's service model) and its churn risk (partly from the alert).

Each of the three reads the one before, so they are computed together, in one SELECT over the snapshot,
and each row is written once, only when one of them changes: a recomputation that changes every row
(a first one, or a new as-of date) pays one rewrite for the three rather than one per step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from cartera.insights import churn, sql
from cartera.insights.segments import segment_choice_select
from cartera.insights.services_support import current_window_days

SNAPSHOT = "insights_accountinsight"


def dependents_refresh(cursor: Any, *, as_of: dt.date, account_ids: Iterable[int] | None = None) -> None:
    """Give the snapshot rows in scope (all, or those of `account_ids`) their segment (the first by
    priority whose rule matches, else the default one), contact alert and churn risk with its factors.

    Contact alert: flagged when the days without contact (counted from the account's creation in cartera
    when it was never contacted) exceed the segment's limit, with the days overdue; an account without a
    segment has no limit. Churn risk: the factors of churn.py, `as_of` being the date of the complaints
    counted and of a change of risk."""
    ids = None if account_ids is None else sorted(set(account_ids))
    if ids == []:
        return
    # One read of each snapshot row: its segment is chosen and its columns read by the same SELECT.
    choice, params = segment_choice_select(
        ids, columns=[*churn.SNAPSHOT_COLUMNS, "as_of", "days_without_contact"]
    )
    days = f"COALESCE(s.days_without_contact, {sql.days_between_columns('s.as_of', 'acc.created_on')})"
    # No segment, or none with a service model: no limit, never flagged (a flag left is cleared).
    limit_passed = f"{days} > sm.max_days_without_contact"
    flag = f"CASE WHEN {limit_passed} THEN TRUE ELSE FALSE END"
    overdue = f"CASE WHEN {limit_passed} THEN {days} - sm.max_days_without_contact ELSE 0 END"
    d = sql.date_literal(as_of)
    changed = " OR ".join(
        [
            distinct_column("segment_id", "f.segment_id"),
            distinct_column("is_disconnected", "f.flag"),
            f"{SNAPSHOT}.days_overdue <> f.overdue",
            "f.risk <> f.old_risk",
            f"{SNAPSHOT}.churn_factors <> {churn.factors_json('f')}",
        ]
    )
    total = " + ".join(f"y.{name}" for name in churn.FACTORS)
    cursor.execute(
        f"""
        UPDATE {SNAPSHOT} SET
            segment_id = f.segment_id,
            is_disconnected = f.flag,
            days_overdue = f.overdue,
            churn_risk = f.risk,
            churn_factors = {churn.factors_json("f")},
            churn_risk_previous = CASE WHEN f.scored AND f.risk <> f.old_risk THEN f.old_risk
                                       ELSE churn_risk_previous END,
            churn_risk_changed_on = CASE WHEN f.scored AND f.risk <> f.old_risk THEN {d}
                                         ELSE churn_risk_changed_on END
        FROM (
            SELECT y.*, CASE WHEN {total} > 100 THEN 100 ELSE {total} END AS risk
            FROM (
                SELECT s.account_id, CAST(s.chosen AS BIGINT) AS segment_id,
                    {flag} AS flag, {overdue} AS overdue,
                    {churn.churn_columns(as_of=as_of, window=current_window_days(), disconnected=limit_passed)}
                FROM ({choice}) AS s
                JOIN (SELECT id, {sql.date_of("created_at")} AS created_on FROM accounts_account) acc
                    ON acc.id = s.account_id
                LEFT JOIN insights_segment seg ON seg.id = CAST(s.chosen AS BIGINT)
                LEFT JOIN insights_servicemodel sm ON sm.id = seg.service_model_id
                {churn.open_complaints_join(as_of=as_of, account_ids=ids)}
            ) y
        ) f
        WHERE {SNAPSHOT}.account_id = f.account_id AND ({changed})
        """,
        params,
    )


def distinct_column(column: str, value: str) -> str:
    return sql.distinct_differs(f"{SNAPSHOT}.{column}", value)
