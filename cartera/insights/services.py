"""Writes of the insights engine: keeping the daily facts current, recomputing the metrics snapshot,
recording tier moves, and backfilling the ladder's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cartera.core.audit import audit_record
from cartera.core.events import emit_events, wanted
from cartera.core.models import AuditRecord
from cartera.core.services import model_update
from cartera.insights import sql
from cartera.insights.dependents import COLUMNS as DEPENDENT_COLUMNS
from cartera.insights.dependents import dependents_refresh, dependents_select
from cartera.insights.models import AccountInsight, LoyaltyRules, StagedInsight
from cartera.insights.services_support import lock_snapshot
from cartera.insights.sql import distinct_differs

CHUNK = 5000  # ids inlined per statement
Progress = Callable[[int], None]


def current_rules() -> sql.Rules:
    """The loyalty-ladder thresholds in force (the defaults of DESIGN.md until an administrator edits them)."""
    stored = LoyaltyRules.objects.order_by("pk").first()
    if stored is None:
        return sql.Rules()
    return sql.Rules(
        window_days=stored.window_days,
        frequent_min_orders=stored.frequent_min_orders,
        loyal_min_tenure_days=stored.loyal_min_tenure_days,
        loyal_referral_days=stored.loyal_referral_days,
    )


def loyalty_rules_update(*, actor: Any, expected_version: int, **changes: Any) -> LoyaltyRules:
    """Change the ladder's thresholds (audited, version-checked). Takes effect at the next recomputation."""
    allowed = {"window_days", "frequent_min_orders", "loyal_min_tenure_days", "loyal_referral_days"}
    if set(changes) - allowed:
        raise ValueError(f"loyalty_rules_update does not take {sorted(set(changes) - allowed)}")
    with transaction.atomic():
        # The row current_rules() reads (the lowest id), created with the defaults the first time.
        rules = LoyaltyRules.objects.select_for_update().order_by(
            "pk"
        ).first() or LoyaltyRules.objects.create(pk=1)
        return model_update(actor=actor, instance=rules, data=changes, expected_version=expected_version)


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def tune_for_bulk(cursor: Any) -> None:
    """Session settings for the big set-based statements, for the current transaction only: on
    PostgreSQL, memory for hash aggregates and sorts, and no JIT compilation (its compile time is a
    loss for statements like these)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")


def analyze(cursor: Any, table: str, columns: Iterable[str] = ()) -> None:
    """Refresh the planner's statistics of a table after a bulk rewrite: its size, and on PostgreSQL the
    statistics of `columns` (of every column when none are given; SQLite's are its indexes')."""
    listed = ", ".join(columns) if connection.vendor == "postgresql" else ""
    cursor.execute(f"ANALYZE {table} ({listed})" if listed else f"ANALYZE {table}")


# The snapshot columns whose statistics a whole rewrite refreshes before it commits: its keys, and those
# the account lists filter on and the refreshes join or rank by. Autovacuum analyzes every column later.
# At scale 1 on PostgreSQL, analyzing these took 0.13-0.17 s, against 0.56-0.82 s for all 32.
SNAPSHOT_ANALYZED = [
    "account_id",
    "as_of",
    "tier",
    "profit_class",
    "segment_id",
    "is_disconnected",
    "net_profit_12m_cents",
    "churn_risk",
]


def vacuum_after_bulk(*tables: str) -> None:
    """PostgreSQL, after a bulk rewrite has committed: VACUUM the tables, so that the old row versions
    are gone and the index-only scans of the refreshes that follow (the profit ranking, the facts'
    covering index) read no table pages. Not ANALYZE: the rewrite analyzed the tables it wrote before
    it committed (analyze()). Skipped inside a transaction (VACUUM cannot run there; autovacuum does it
    later) and on SQLite (no row versions)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM {table}")


_FACTS_INSERT = f"insights_accountday ({sql.FACT_COLUMNS}, {', '.join(sql.RUNNING_TOTALS)})"


def facts_rebuild(
    *, account_ids: Iterable[int] | None = None, days: Iterable[tuple[int, dt.date]] | None = None
) -> None:
    """Recompute the daily facts from orders, lines, costs and spend: of the given (account, date)
    pairs, of every day of some accounts, or of all."""
    _facts_rebuild(account_ids=account_ids, days=days)
    if account_ids is None and days is None:
        vacuum_after_bulk("insights_accountday")


def _facts_rebuild(
    *, account_ids: Iterable[int] | None = None, days: Iterable[tuple[int, dt.date]] | None = None
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        tune_for_bulk(cursor)
        if days is not None:
            _facts_rebuild_days(cursor, sorted(set(days)))
            return
        if account_ids is None:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE insights_accountday")
            else:
                cursor.execute("DELETE FROM insights_accountday")
            # In account order, so that one account's days share a few pages (PostgreSQL keeps rows where
            # they are inserted): reading some accounts' facts touches few pages.
            cursor.execute(f"INSERT INTO {_FACTS_INSERT} {sql.facts_with_running_totals(sql.facts_select())}")
            analyze(cursor, "insights_accountday")
            return
        for chunk in _chunks(sorted(set(account_ids))):
            cursor.execute(f"DELETE FROM insights_accountday WHERE account_id IN ({sql.id_list(chunk)})")
            cursor.execute(
                f"INSERT INTO {_FACTS_INSERT} {sql.facts_with_running_totals(sql.facts_select(chunk))}"
            )


def _facts_rebuild_days(cursor: Any, pairs: list[tuple[int, dt.date]]) -> None:
    """Replace the facts rows of exactly these (account, date) pairs: what new or changed orders, costs
    or spend on those days touched, without reading the accounts' other days."""
    if not pairs:
        return
    table = sql.DAYS_TABLE
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMPORARY TABLE {table} (account_id BIGINT NOT NULL, date DATE NOT NULL)")
    cursor.executemany(
        f"INSERT INTO {table} (account_id, date) VALUES (%s, %s)", [(int(pk), day) for pk, day in pairs]
    )
    analyze(cursor, table)
    cursor.execute(
        f"DELETE FROM insights_accountday WHERE (account_id, date) IN (SELECT account_id, date FROM {table})"
    )
    # Written with empty running totals, set just below with those of the accounts' later days, which
    # move with the rebuilt days.
    cursor.execute(
        f"INSERT INTO {_FACTS_INSERT} SELECT facts.*, {sql.NO_RUNNING_TOTALS} "
        f"FROM ({sql.facts_select(days_table=table)}) AS facts"
    )
    cursor.execute(f"DROP TABLE IF EXISTS {sql.RUNNING_TABLE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {sql.RUNNING_TABLE} AS {sql.running_totals_select(table)}")
    analyze(cursor, sql.RUNNING_TABLE)
    cursor.execute(sql.running_totals_update())
    cursor.execute(f"DROP TABLE {sql.RUNNING_TABLE}")
    cursor.execute(f"DROP TABLE {table}")


@dataclass
class RecomputeResult:
    """What a recomputation did."""

    as_of: dt.date
    accounts: int
    tier_changes: int
    # Snapshot rows a recomputation of every account inserted or changed (None for some accounts).
    rows_written: int | None = None


_SNAPSHOT_TABLE = AccountInsight._meta.db_table
_TEMP = "insights_tmp_metrics"


def snapshot_recompute(
    *, as_of: dt.date | None = None, account_ids: Iterable[int] | None = None, record_moves: bool = True
) -> RecomputeResult:
    """Recompute the metrics snapshot as of `as_of` (today by default) from the daily facts, for some
    accounts or all, and record every change of tier since the previous snapshot, with what depends on
    the whole population (profit classes) and on the segment (segments, contact alerts, churn risk).

    For all accounts, every column of a row is computed before the row is written, once
    (_snapshot_all). For some, their metrics are written first, then the classes of the population are
    ranked again, then the rest of those rows and of those whose class moved (dependents_refresh)."""
    day = as_of or timezone.localdate()
    rules = current_rules()
    ids = None if account_ids is None else sorted(set(account_ids))
    refreshed = len(ids) if ids is not None else None
    moves = 0
    written = None
    with transaction.atomic(), connection.cursor() as cursor:
        lock_snapshot(cursor)
        tune_for_bulk(cursor)
        if ids is None:
            moves, written = _snapshot_all(cursor, day, rules, record_moves)
            if written:
                analyze(cursor, _SNAPSHOT_TABLE, SNAPSHOT_ANALYZED)
        else:
            for group in _chunks(ids):
                moves += _snapshot_chunk(cursor, day, rules, group, record_moves)
            # A refresh of some accounts can move the class of others (the ranking is population-wide):
            # those are refreshed with them.
            ids = sorted(set(ids) | set(profit_classes_refresh(cursor, changed=ids)))
            dependents_refresh(cursor, as_of=day, account_ids=ids)
    count = refreshed if refreshed is not None else _count_accounts()
    return RecomputeResult(as_of=day, accounts=count, tier_changes=moves, rows_written=written)


def _count_accounts() -> int:
    from cartera.accounts.models import Account

    return Account.objects.count()


def _tier_since(d: str) -> str:
    """Since when a recomputed row `n` holds its tier, given the row `o` it replaces and the date `d`."""
    return f"CASE WHEN o.account_id IS NULL OR o.tier <> n.tier THEN {d} ELSE o.tier_since END"


def _snapshot_chunk(cursor: Any, day: dt.date, rules: sql.Rules, ids: list[int], record_moves: bool) -> int:
    """The metrics, tier and tier since of some accounts' snapshot rows (their class and what follows
    from it are refreshed after, for the population); returns the tier moves recorded."""
    d = sql.date_literal(day)
    cursor.execute(f"DROP TABLE IF EXISTS {_TEMP}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_TEMP} AS {sql.metrics_select(day, rules, ids)}")
    # A few rows: with their count known, the planner reaches the snapshot rows by primary key instead
    # of reading the whole snapshot to join them.
    analyze(cursor, _TEMP)
    moves = 0
    if record_moves:
        moves = _record_tier_moves(
            cursor,
            f"""SELECT n.account_id AS account_id, o.tier AS from_tier, n.tier AS to_tier
            FROM {_TEMP} n JOIN {_SNAPSHOT_TABLE} o ON o.account_id = n.account_id
            WHERE o.tier <> n.tier AND o.as_of <= {d}""",
            day,
        )
    columns = ", ".join(sql.METRIC_COLUMNS)
    selected = ", ".join(f"n.{column}" for column in sql.METRIC_COLUMNS)
    tier_since = _tier_since(d)
    # Only rows whose figures change are written (an unchanged row costs no write, nor index upkeep).
    compared = {"as_of": d, **{column: f"n.{column}" for column in sql.METRIC_COLUMNS}}
    compared |= {"tier": "n.tier", "tier_since": tier_since}
    profit_class = "COALESCE(o.profit_class, 'L')"  # ranked over the whole snapshot just after
    current = ", ".join(f"{_SNAPSHOT_TABLE}.{column}" for column in compared)
    incoming = ", ".join(f"excluded.{column}" for column in compared)
    previous = ", ".join(f"o.{column}" for column in compared)
    computed = ", ".join(compared.values())
    updates = ", ".join(f"{column} = excluded.{column}" for column in compared)
    cursor.execute(
        f"""
        INSERT INTO {_SNAPSHOT_TABLE} (account_id, as_of, {columns}, tier, tier_since, profit_class,
            is_disconnected, days_overdue, churn_risk, churn_factors, updated_at)
        SELECT n.account_id, {d}, {selected}, n.tier, {tier_since}, {profit_class},
            FALSE, 0, COALESCE(o.churn_risk, 0), COALESCE(o.churn_factors, '{{}}'), %s
        FROM {_TEMP} n LEFT JOIN {_SNAPSHOT_TABLE} o ON o.account_id = n.account_id
        -- The same test as the conflict clause's, made here so that an unchanged row is not even tried.
        WHERE o.account_id IS NULL OR {distinct_differs(f"({previous})", f"({computed})")}
        ON CONFLICT (account_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at
        WHERE {distinct_differs(f"({current})", f"({incoming})")}
        """,
        [timezone.now()],
    )
    cursor.execute(f"DROP TABLE {_TEMP}")
    return moves


_STAGED = StagedInsight._meta.db_table


def _snapshot_all(cursor: Any, day: dt.date, rules: sql.Rules, record_moves: bool) -> tuple[int, int]:
    """Every account's snapshot row, each computed whole before it is written once: the metrics into a
    temporary table; then, staged in the table StagedInsight reads, with the profit class ranked over
    them, the tier since and what the row held before; then segment, contact alert and churn risk from
    the staged rows (dependents_select), in the statement that writes the rows that change. A first
    recomputation, or one on a new date (which moves every buying account's recency), so writes each
    row once rather than once per step. Returns the tier moves recorded and the rows written."""
    d = sql.date_literal(day)
    cursor.execute(f"DROP TABLE IF EXISTS {_TEMP}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_TEMP} AS {sql.metrics_select(day, rules)}")
    tier_since = _tier_since(d)
    figures = ["as_of", *sql.METRIC_COLUMNS, "tier", "tier_since", "profit_class"]
    written = [*figures, *DEPENDENT_COLUMNS]
    # What each row held before, read once here: the tier moves and the upsert compare with it.
    previous = ["account_id", *written]
    profit_class = profit_class_case(cursor, _TEMP, "n.")  # ranked over every account's new figures
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGED}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {_STAGED} AS
        SELECT n.*, {d} AS as_of, {profit_class} AS profit_class,
            {tier_since} AS tier_since, COALESCE(o.churn_risk, 0) AS churn_risk,
            COALESCE(o.churn_factors, '{{}}') AS churn_factors, o.churn_risk_previous AS churn_risk_previous,
            o.churn_risk_changed_on AS churn_risk_changed_on,
            {", ".join(f"o.{column} AS previous_{column}" for column in previous)}
        FROM {_TEMP} n LEFT JOIN {_SNAPSHOT_TABLE} o ON o.account_id = n.account_id
        """
    )
    cursor.execute(f"DROP TABLE {_TEMP}")
    cursor.execute(f"CREATE UNIQUE INDEX {_STAGED}_account ON {_STAGED} (account_id)")
    moves = 0
    if record_moves:
        moves = _record_tier_moves(
            cursor,
            f"""SELECT account_id, previous_tier AS from_tier, tier AS to_tier FROM {_STAGED}
            WHERE previous_tier <> tier AND previous_as_of <= {d}""",
            day,
        )
    # Segment, alert and churn of each staged row, joined back to it for its figures and previous values.
    select, params = dependents_select(as_of=day, model=StagedInsight)
    columns = ", ".join(written)
    # Only rows that change are written (an unchanged row costs no write, nor index upkeep).
    current = ", ".join(f"{_SNAPSHOT_TABLE}.{column}" for column in written)
    incoming = ", ".join(f"excluded.{column}" for column in written)
    before = ", ".join(f"t.previous_{column}" for column in written)
    computed = ", ".join(
        [*(f"t.{column}" for column in figures), *(f"f.{column}" for column in DEPENDENT_COLUMNS)]
    )
    cursor.execute(
        f"""
        INSERT INTO {_SNAPSHOT_TABLE} (account_id, {columns}, updated_at)
        SELECT t.account_id, {computed}, %s
        FROM ({select}) AS f JOIN {_STAGED} t ON t.account_id = f.account_id
        -- The same test as the conflict clause's, made here so that an unchanged row is not even tried.
        WHERE t.previous_account_id IS NULL OR {distinct_differs(f"({before})", f"({computed})")}
        ON CONFLICT (account_id) DO UPDATE SET
            {", ".join(f"{column} = excluded.{column}" for column in written)},
            updated_at = excluded.updated_at
        WHERE {distinct_differs(f"({current})", f"({incoming})")}
        """,
        [timezone.now(), *params],
    )
    rows_written = cursor.rowcount
    cursor.execute(f"DROP TABLE {_STAGED}")
    return moves, rows_written


def _record_tier_moves(cursor: Any, moves: str, day: dt.date) -> int:
    """Record the tier moves of `moves` (a SELECT of account_id, from_tier, to_tier) on `day`, announce
    them, and return how many there were."""
    now = timezone.now()
    cursor.execute(
        f"""
        INSERT INTO insights_tierchange (account_id, date, from_tier, to_tier, created_at, updated_at)
        SELECT m.account_id, {sql.date_literal(day)}, m.from_tier, m.to_tier, %s, %s
        FROM ({moves}) AS m
        """,
        [now, now],
    )
    count = max(cursor.rowcount, 0)
    if count and wanted("tier.changed"):
        _announce_tier_changes(recorded_at=now)
    return count


def _announce_tier_changes(*, recorded_at: dt.datetime) -> None:
    """Emit tier.changed for every move the INSERT just above recorded (stamped from `recorded_at` on;
    >= because SQLite keeps a raw query's timestamp as text of another precision)."""
    from cartera.insights.models import TierChange

    moves = TierChange.objects.filter(created_at__gte=recorded_at)
    emit_events(
        "tier.changed",
        [
            {"account_id": account_id, "date": date, "from_tier": from_tier or None, "to_tier": to_tier}
            for account_id, date, from_tier, to_tier in moves.values_list(
                "account_id", "date", "from_tier", "to_tier"
            )
        ],
    )


CLASS_RANGE_LIMIT = 20_000  # changed accounts beyond which the whole snapshot is checked
Start = tuple[int, int] | None  # (net profit, account) where a class starts in the ranking


def profit_classes_refresh(cursor: Any, changed: list[int]) -> list[int]:
    """A/B/C over accounts with positive net profit, ranked by it (ties by account id): A while the
    cumulative share before the account is under 80 %, B under 95 %, C the rest; L for zero or negative.

    Returns the accounts whose class changed: a refresh of some accounts can move the class of others,
    and what depends on the class (segment, contact alert, churn) must follow for those too.

    The cumulative share only grows along the ranking, so each class is a stretch of it: two walks down
    the ranking index find where B and C start (stopping there). `changed` are the accounts whose net
    profit changed since the classes were last ranked; every other row sits in its class's stretch, so
    only those and the rows between each new start and the nearest unchanged rows of the right class on
    either side of it can be wrong: the stretch the start moved over (_around_start). With many changed
    accounts, or an empty class, one pass checks the whole snapshot instead.
    """
    starts = _class_starts(cursor, _SNAPSHOT_TABLE)
    expected = _class_case(starts)
    if len(changed) > CLASS_RANGE_LIMIT or None in starts:
        scopes = ["1 = 1"]
    else:
        scopes = [f"account_id IN ({sql.id_list(changed)})"] if changed else []
        scopes += [
            _around_start(cursor, start, upper, changed)
            for start, upper in zip(starts, (("A",), ("A", "B")), strict=True)
            if start is not None
        ]
    moved: list[int] = []
    for scope in scopes:
        cursor.execute(
            f"""
            UPDATE {_SNAPSHOT_TABLE} SET profit_class = {expected}
            WHERE {scope} AND profit_class <> {expected}
            RETURNING account_id
            """
        )
        moved += [row[0] for row in cursor.fetchall()]
    return sorted(set(moved))


def _ranked_before(start: tuple[int, int], alias: str = "") -> str:
    """SQL true for the rows ranked before the row (net profit, account) `start`; its first conjunct
    bounds the ranking index's range."""
    net, account = f"{alias}net_profit_12m_cents", f"{alias}account_id"
    return f"({net} >= {start[0]} AND ({net} > {start[0]} OR {account} < {start[1]}))"


def _ranked_from(start: tuple[int, int], alias: str = "") -> str:
    """SQL true for the row `start` and those ranked after it (the complement of _ranked_before)."""
    net, account = f"{alias}net_profit_12m_cents", f"{alias}account_id"
    return f"({net} <= {start[0]} AND ({net} < {start[0]} OR {account} >= {start[1]}))"


def _around_start(cursor: Any, start: tuple[int, int], upper: tuple[str, ...], changed: list[int]) -> str:
    """SQL selecting the positive rows that may be on the wrong side of the class boundary `start` (the
    first row of the lower classes) after the accounts `changed` moved in the ranking: those strictly
    between the nearest unchanged row of an upper class ranked before it and the nearest unchanged row of
    a lower class ranked from it on. Each is found by a short walk from `start` along the ranking index."""
    classes = ", ".join(f"'{code}'" for code in upper)
    unchanged = f"account_id NOT IN ({sql.id_list(changed)})"
    cursor.execute(
        f"""
        SELECT net_profit_12m_cents, account_id FROM {_SNAPSHOT_TABLE}
        WHERE {_ranked_before(start)} AND profit_class IN ({classes}) AND {unchanged}
        ORDER BY net_profit_12m_cents, account_id DESC LIMIT 1
        """
    )
    above = cursor.fetchone()
    cursor.execute(
        f"""
        SELECT net_profit_12m_cents, account_id FROM {_SNAPSHOT_TABLE}
        WHERE {_ranked_from(start)} AND net_profit_12m_cents > 0 AND profit_class NOT IN ({classes})
            AND {unchanged}
        ORDER BY net_profit_12m_cents DESC, account_id LIMIT 1
        """
    )
    below = cursor.fetchone()
    bounds = ["net_profit_12m_cents > 0"]
    if above is not None:  # ranked after it
        bounds.append(_ranked_from((int(above[0]), int(above[1]) + 1)))
    if below is not None:  # ranked before it
        bounds.append(_ranked_before((int(below[0]), int(below[1]))))
    return f"({' AND '.join(bounds)})"


def profit_class_case(cursor: Any, table: str, alias: str = "") -> str:
    """The CASE giving each row of `table` (rows with account_id and net_profit_12m_cents; `alias.` as
    their prefix in the statement it goes into) its class among that table's rows (profit_classes_refresh)."""
    return _class_case(_class_starts(cursor, table), alias)


def _class_starts(cursor: Any, table: str) -> list[Start]:
    """Where B and C start in the ranking of `table`'s rows: (net profit, account) of each, or None."""
    cursor.execute(
        f"SELECT COALESCE(SUM(net_profit_12m_cents), 0) FROM {table} WHERE net_profit_12m_cents > 0"
    )
    total = int(cursor.fetchone()[0])
    return [_ranking_start(cursor, table, total, share) for share in (80, 95)]


def _class_case(starts: list[Start], alias: str = "") -> str:
    net = f"{alias}net_profit_12m_cents"
    if starts[0] is None:  # every positive account is in A
        return f"CASE WHEN {net} <= 0 THEN 'L' ELSE 'A' END"
    if starts[1] is None:
        return f"CASE WHEN {net} <= 0 THEN 'L' WHEN {_ranked_before(starts[0], alias)} THEN 'A' ELSE 'B' END"
    return f"""CASE WHEN {net} <= 0 THEN 'L' WHEN {_ranked_before(starts[0], alias)} THEN 'A'
        WHEN {_ranked_before(starts[1], alias)} THEN 'B' ELSE 'C' END"""


def _ranking_start(cursor: Any, table: str, total: int, share: int) -> Start:
    """(net profit, account) of the first positive account, in ranking order, whose cumulative profit
    before it reaches `share` % of the total; None when none does."""
    cursor.execute(
        f"""
        SELECT net_profit, account_id FROM (
            SELECT net_profit_12m_cents AS net_profit, account_id,
                SUM(net_profit_12m_cents) OVER (
                    ORDER BY net_profit_12m_cents DESC, account_id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS before
            FROM {table} WHERE net_profit_12m_cents > 0
            ORDER BY net_profit_12m_cents DESC, account_id
        ) ranked
        WHERE COALESCE(before, 0) * 100 >= CAST({int(total)} AS BIGINT) * {int(share)}
        LIMIT 1
        """
    )
    row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def tier_history_backfill(
    *, start: dt.date, end: dt.date | None = None, progress: Progress | None = None
) -> int:
    """Evaluate the ladder at every month end from `start` to `end` (today) and record the moves between
    consecutive month ends, replacing the history from `start` on. Returns the number of moves recorded."""
    last = end or timezone.localdate()
    ends = month_ends(start, last)
    rules = current_rules()
    moves = 0
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM insights_tierchange WHERE date >= {sql.date_literal(start)}")
        cursor.execute("DROP TABLE IF EXISTS insights_tmp_prev")
        cursor.execute("DROP TABLE IF EXISTS insights_tmp_next")
        previous: dt.date | None = None
        for day in ends:
            cursor.execute(f"CREATE TEMPORARY TABLE insights_tmp_next AS {sql.tiers_select(day, rules)}")
            if previous is not None:
                cursor.execute(
                    f"""
                    INSERT INTO insights_tierchange (account_id, date, from_tier, to_tier, created_at, updated_at)
                    SELECT n.account_id, {sql.date_literal(day)}, p.tier, n.tier, %s, %s
                    FROM insights_tmp_next n JOIN insights_tmp_prev p ON p.account_id = n.account_id
                    WHERE p.tier <> n.tier
                    """,
                    [now, now],
                )
                moves += max(cursor.rowcount, 0)
                cursor.execute("DROP TABLE insights_tmp_prev")
            cursor.execute("ALTER TABLE insights_tmp_next RENAME TO insights_tmp_prev")
            previous = day
            if progress:
                progress(1)
        if previous is not None:
            # The snapshot continues from the last month end: its tier and since-when come from history.
            cursor.execute(
                f"""
                UPDATE {_SNAPSHOT_TABLE} SET tier = p.tier, as_of = {sql.date_literal(previous)},
                    tier_since = COALESCE(
                        (SELECT MAX(tc.date) FROM insights_tierchange tc
                         WHERE tc.account_id = p.account_id AND tc.to_tier = p.tier),
                        {sql.date_literal(ends[0])})
                FROM insights_tmp_prev p WHERE {_SNAPSHOT_TABLE}.account_id = p.account_id
                """
            )
            cursor.execute("DROP TABLE insights_tmp_prev")
        audit_record(
            actor=None,
            action=AuditRecord.Action.UPDATE,
            object_type="insights.tierchange",
            object_repr=f"history {start.isoformat()}..{last.isoformat()}",
            changes={"month_ends": len(ends), "moves": moves},
        )
    return moves


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every last day of a month from `start`'s month to `end` (inclusive, not after `end`)."""
    days = []
    year, month = start.year, start.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last_day = following - dt.timedelta(days=1)
        if last_day > end:
            break
        if last_day >= start:
            days.append(last_day)
        year, month = following.year, following.month
    return days


def insights_refresh_accounts(
    *,
    account_ids: Iterable[int] = (),
    as_of: dt.date | None = None,
    days: Iterable[tuple[int, dt.date]] | None = None,
) -> RecomputeResult:
    """Bring some accounts up to date after new data: their facts, then their snapshot.

    With `days`, the (account, date) pairs the new or changed rows fall on, only those facts rows are
    rebuilt (a cost that follows the new rows, not the accounts' history); their accounts join
    `account_ids`. Without it, every day of each account is rebuilt."""
    pairs = None if days is None else sorted({(int(pk), day) for pk, day in days})
    ids = sorted(set(account_ids) | {pk for pk, _day in pairs or ()})
    with transaction.atomic():
        if pairs is not None:
            facts_rebuild(days=pairs)
        else:
            facts_rebuild(account_ids=ids)
        return snapshot_recompute(as_of=as_of, account_ids=ids)


def insights_recompute_all(*, as_of: dt.date | None = None, full: bool = False) -> RecomputeResult:
    """Recompute every account's snapshot; with `full`, rebuild the daily facts from the raw rows first."""
    with transaction.atomic():
        if full:
            facts_rebuild()
        result = snapshot_recompute(as_of=as_of)
    # Nothing to clean in a table no row of which was written.
    tables = [*(["insights_accountday"] if full else []), *([_SNAPSHOT_TABLE] if result.rows_written else [])]
    vacuum_after_bulk(*tables)
    return result
