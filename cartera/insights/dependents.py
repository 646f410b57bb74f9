"""What follows from an account's metrics and profit class, computed in one SELECT: its segment, its
contact alert (from the segment's service model) and its churn risk (partly from the alert).

Each of the three reads the one before, so they are computed together and each row is written once,
only when one of them changes: by `dependents_refresh` over the snapshot after a refresh of some
accounts, or, in a full recomputation, with the metrics, from the staged rows (services.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from cartera.insights import churn, sql
from cartera.insights.models import AccountInsight, SnapshotFigures
from cartera.insights.segments import segment_choice_select
from cartera.insights.services_support import current_window_days

SNAPSHOT = AccountInsight._meta.db_table
# The columns dependents_select computes, as named in the snapshot (churn_factors is built from FACTORS).
COLUMNS = [
    "segment_id",
    "is_disconnected",
    "days_overdue",
    "churn_risk",
    "churn_factors",
    "churn_risk_previous",
    "churn_risk_changed_on",
]


def dependents_select(
    *, as_of: dt.date, account_ids: list[int] | None = None, model: type[SnapshotFigures] = AccountInsight
) -> tuple[str, list[Any]]:
    """SELECT (with its parameters) of account_id and COLUMNS for the rows of `model`'s table in scope
    (all, or those of `account_ids`).

    Segment: the first by priority whose rule matches, else the default one. Contact alert: flagged when
    the days without contact (counted from the account's creation in cartera when it was never contacted)
    exceed the segment's limit, with the days overdue; an account without a segment has no limit. Churn
    risk: the factors of churn.py, `as_of` being the date of the complaints counted and of a change of
    risk; the previous risk and the date of the change follow a change of an already scored row."""
    read = [
        *churn.SNAPSHOT_COLUMNS,
        "as_of",
        "days_without_contact",
        "churn_risk_previous",
        "churn_risk_changed_on",
    ]
    # One read of each row: its segment is chosen and its columns read by the same SELECT.
    choice, params = segment_choice_select(account_ids, columns=read, model=model)
    days = f"COALESCE(s.days_without_contact, {sql.days_between_columns('s.as_of', 'acc.created_on')})"
    # No segment, or none with a service model: no limit, never flagged (a flag left is cleared).
    limit_passed = f"{days} > sm.max_days_without_contact"
    total = " + ".join(f"x.{name}" for name in churn.FACTORS)
    changed = "y.scored AND y.risk <> y.old_risk"
    select = f"""
        SELECT y.account_id, y.segment_id, y.flag AS is_disconnected, y.overdue AS days_overdue,
            y.risk AS churn_risk, {churn.factors_json("y")} AS churn_factors,
            CASE WHEN {changed} THEN y.old_risk ELSE y.churn_risk_previous END AS churn_risk_previous,
            CASE WHEN {changed} THEN {sql.date_literal(as_of)} ELSE y.churn_risk_changed_on END
                AS churn_risk_changed_on
        FROM (
            SELECT x.*, CASE WHEN {total} > 100 THEN 100 ELSE {total} END AS risk
            FROM (
                SELECT s.account_id, CAST(s.chosen AS BIGINT) AS segment_id, s.churn_risk_previous,
                    s.churn_risk_changed_on,
                    CASE WHEN {limit_passed} THEN TRUE ELSE FALSE END AS flag,
                    CASE WHEN {limit_passed} THEN {days} - sm.max_days_without_contact ELSE 0 END AS overdue,
                    {churn.churn_columns(as_of=as_of, window=current_window_days(), disconnected=limit_passed)}
                FROM ({choice}) AS s
                JOIN (SELECT id, {sql.date_of("created_at")} AS created_on FROM accounts_account) acc
                    ON acc.id = s.account_id
                LEFT JOIN insights_segment seg ON seg.id = CAST(s.chosen AS BIGINT)
                LEFT JOIN insights_servicemodel sm ON sm.id = seg.service_model_id
                {churn.open_complaints_join(as_of=as_of, account_ids=account_ids)}
                {sql.fence()}  -- each factor computed once per row: the risk, its JSON and a compare read them
            ) x
        ) y
    """
    return select, params


def dependents_refresh(cursor: Any, *, as_of: dt.date, account_ids: Iterable[int] | None = None) -> None:
    """Give the snapshot rows in scope (all, or those of `account_ids`) their segment, contact alert and
    churn risk with its factors (dependents_select), writing only the rows where one of them changes."""
    ids = None if account_ids is None else sorted(set(account_ids))
    if ids == []:
        return
    select, params = dependents_select(as_of=as_of, account_ids=ids)
    current = ", ".join(f"{SNAPSHOT}.{column}" for column in COLUMNS)
    computed = ", ".join(f"f.{column}" for column in COLUMNS)
    cursor.execute(
        f"""
        UPDATE {SNAPSHOT} SET {", ".join(f"{column} = f.{column}" for column in COLUMNS)}
        FROM ({select}) AS f
        WHERE {SNAPSHOT}.account_id = f.account_id AND {sql.distinct_differs(f"({current})", f"({computed})")}
        """,
        params,
    )
