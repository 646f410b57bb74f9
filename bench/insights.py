"""Benchmark of the insights engine: full recomputation and incremental refresh against a DuckDB reference.

    python bench/insights.py --scale N [--database-url URL] [--seed S] [--keep]

Scale 1 is about 200,000 buying accounts and 20 million order lines over three years (0.05: about one
million lines). The benchmark creates a fresh database (a new SQLite file under bench/out/, or the
PostgreSQL database named in the URL, created and dropped here), migrates it, generates the history with
the demo company's buying patterns (history.py; not part of the measured figures), and then measures:

- facts build: `facts_rebuild()`, the daily facts from the raw order lines (for information);
- full recomputation: `insights_recompute_all(as_of=D)` from the daily facts, D being the history's last
  day — once over an empty snapshot and once more over the existing one;
- the DuckDB reference, right after: one DuckDB query computing the same per-account figures from the
  raw rows held in memory (reference.py), lines joined to their orders as the database holds them, best
  of three; the recomputation is reported as a multiple of it, and the figures must equal the
  snapshot's for every account. For information, the same query over lines carrying a copy of their
  order's account and date (no join);
- incremental: append 10,000 order lines (orders dated D for random accounts, through
  `orders_bulk_create`) and time `insights_refresh_accounts` for the accounts they touch, in a few
  rounds; the snapshot it leaves must equal a full rebuild's (`insights_recompute_all(full=True)`);
- peak memory of the process, and DuckDB's.

Targets at 20 million lines: full recomputation within 3x the DuckDB time on PostgreSQL and 10x on SQLite;
the incremental refresh under 1 second on both, whatever the size of the history. A benchmark reports;
it exits non-zero only when a check of the figures fails.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fcntl
import functools
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_AS_OF = dt.date(2025, 12, 31)
TARGETS = {"postgresql": 3.0, "sqlite": 10.0}
INCREMENTAL_TARGET_SECONDS = 1.0
# What the incremental refresh must leave exactly as a full rebuild does: the metrics and the ladder...
CHECKED_METRICS = ["tier", "tier_since", "profit_class"]
# ...and what is derived from them and the population (segments, contact alerts, churn risk).
CHECKED_DERIVED = [
    "segment_id",
    "is_disconnected",
    "days_overdue",
    "churn_risk",
    "churn_factors",
    "churn_risk_previous",
    "churn_risk_changed_on",
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1 = ~20M order lines (default 0.05)")
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/NEW_DB (created and dropped) or sqlite:///FILE; "
        "default: a new SQLite file under bench/out/",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and the reference files")
    parser.add_argument("--replace", action="store_true", help="drop an existing database of that name first")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, help="last day of history"
    )
    parser.add_argument("--incremental-lines", type=int, default=10_000)
    parser.add_argument("--incremental-rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="processes generating the history (default: one per CPU)")
    parser.add_argument(
        "--generate-while-others-measure",
        action="store_true",
        help="start generating even while another run is measuring (say, under nice); measure in turn still",
    )
    parser.add_argument(
        "--analyze", action="store_true", help="SQLite: run ANALYZE after the load (PostgreSQL always does)"
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate the history, keep the database and the reference files, and stop (see --reuse)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on a database kept by an earlier run of the same scale and seed (--keep or "
        "--generate-only) instead of generating: migrate it, remove the order lines earlier incremental "
        "rounds appended and the derived insights, and measure again; the database is kept",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated steps not to measure: again (the second full recomputation), duckdb "
        "(the reference and its check), incremental (the rounds and the rebuild that checks them)",
    )
    parser.add_argument(
        "--statements",
        type=int,
        default=0,
        metavar="N",
        help="after each measured step, print its N slowest SQL statements (time summed over repeats)",
    )
    args = parser.parse_args(argv)
    args.skip = {step.strip() for step in args.skip.split(",") if step.strip()}
    if args.skip - {"again", "duckdb", "incremental"}:
        parser.error(f"--skip: unknown steps {sorted(args.skip - {'again', 'duckdb', 'incremental'})}")
    if args.generate_only and args.reuse:
        parser.error("--generate-only and --reuse exclude each other")
    args.keep = args.keep or args.generate_only or args.reuse
    if args.scale <= 0:
        parser.error("--scale must be positive")
    return args


# -- the database --------------------------------------------------------------------------------------


class ScratchDatabase:
    """A database made for one run and removed after it (unless kept)."""

    def __init__(
        self, url: str | None, *, scale: float, seed: int, replace: bool, reuse: bool = False
    ) -> None:
        if url is None:
            OUT.mkdir(parents=True, exist_ok=True)
            path = OUT / f"insights-scale{scale:g}-seed{seed}.sqlite3"
            url = f"sqlite:///{path}"
            replace = True  # bench/out/ is ours
        self.url = url
        parts = urlsplit(url)
        self.vendor = "sqlite" if parts.scheme == "sqlite" else "postgresql"
        if self.vendor == "sqlite":
            self.path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
            self.label = str(self.path)
            if reuse:
                if not self.path.exists():
                    raise SystemExit(f"--reuse: {self.path} does not exist")
            elif self.path.exists():
                if not replace:
                    raise SystemExit(f"{self.path} exists: remove it or pass --replace")
                self._remove_sqlite_files()
        else:
            if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
                raise SystemExit(f"unsupported database URL scheme: {parts.scheme}")
            self.name = parts.path.lstrip("/")
            if not self.name or self.name in {"postgres", "template0", "template1"}:
                raise SystemExit("name a new PostgreSQL database in the URL, e.g. .../cartera_bench")
            self.label = f"{parts.hostname}:{parts.port or 5432}/{self.name}"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            with self._admin() as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone()
                if reuse:
                    if not exists:
                        raise SystemExit(f"--reuse: database {self.name} does not exist")
                    return
                if exists:
                    if not replace:
                        raise SystemExit(f"database {self.name} exists: drop it or pass --replace")
                    admin.execute(f'DROP DATABASE "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def _remove_sqlite_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def drop(self) -> None:
        if self.vendor == "sqlite":
            self._remove_sqlite_files()
        else:
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextmanager
def turn(*, measuring: bool) -> Iterator[None]:
    """Runs on one machine may generate at the same time, but each measures alone: generating takes a
    shared lock on a file under bench/out/, measuring an exclusive one."""
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / ".insights.lock").open("w") as handle:
        mode = fcntl.LOCK_EX if measuring else fcntl.LOCK_SH
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            say(
                "waiting for another run "
                + ("to finish generating or measuring..." if measuring else "to finish measuring...")
            )
            fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- measuring -----------------------------------------------------------------------------------------


class Phases:
    """Times the engine's steps by wrapping them (the wrappers only add up elapsed time)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def install(self) -> None:
        from cartera.insights import services

        for module, name, label in (
            (services, "facts_rebuild", "facts"),
            (services, "_snapshot_all", "whole rows (all accounts)"),
            (services, "_snapshot_chunk", "metrics snapshot"),
            (services, "profit_classes_refresh", "profit classes"),
            (services, "dependents_refresh", "segments, alerts, churn"),
        ):
            setattr(module, name, self._wrap(getattr(module, name), label))

    def _wrap(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def take(self) -> dict[str, float]:
        taken = dict(self.seconds)
        self.seconds.clear()
        return taken


class Statements:
    """Times each SQL statement of the measured steps (an execute wrapper on the connection), summed
    by the statement's opening words, and prints the slowest of each step."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seconds: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def install(self, connection: Any) -> None:
        if self.count:
            connection.execute_wrappers.append(self._wrapper)

    def _wrapper(
        self, execute: Callable[..., Any], sql_text: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            entry = self.seconds[" ".join(str(sql_text).split())[:110]]
            entry[0] += time.perf_counter() - started
            entry[1] += 1

    def start(self) -> None:
        """Forget the statements run since the last report (those of unmeasured work)."""
        self.seconds.clear()

    def report(self) -> None:
        slowest = sorted(self.seconds.items(), key=lambda item: -item[1][0])[: self.count]
        for text, (seconds, count) in slowest:
            times = f" ×{count}" if count > 1 else ""
            say(f"      {fmt_seconds(seconds):>7} s{times}  {text}")
        self.seconds.clear()


def settle() -> None:
    """Before a measured step, write back what the steps before it left to write (PostgreSQL: a
    CHECKPOINT of its dirty buffers; SQLite: a checkpoint of its write-ahead log; then the system's
    dirty pages), so that the step does not pay for the write-back of the facts build's gigabytes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.sync()


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def say(text: str = "") -> None:
    print(text, flush=True)


def export_snapshot(path: Path, columns: list[str]) -> int:
    """Write the snapshot's figures to CSV (for the DuckDB check); returns the rows written."""
    from cartera.insights.models import AccountInsight

    count = 0
    with path.open("w", newline="", encoding="ascii") as handle:
        writer = csv.writer(handle)
        for row in (
            AccountInsight.objects.order_by().values_list("account_id", *columns).iterator(chunk_size=20_000)
        ):
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def compare_with_copy(copy: str, columns: list[str]) -> tuple[int, str | None]:
    """Accounts whose snapshot row differs from the row in the table `copy` (or is missing on either
    side): their number, and a description of the first."""
    from django.db import connection

    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    condition = " OR ".join(f"a.{column} {differs} b.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), MIN(account_id) FROM (
                SELECT a.account_id AS account_id FROM insights_accountinsight a
                LEFT JOIN {copy} b ON b.account_id = a.account_id
                WHERE b.account_id IS NULL OR {condition}
                UNION ALL
                SELECT b.account_id FROM {copy} b
                LEFT JOIN insights_accountinsight a ON a.account_id = b.account_id
                WHERE a.account_id IS NULL
            ) differing
            """
        )
        count, first = cursor.fetchone()
        if not count:
            return 0, None
        flags = ", ".join(
            f"CASE WHEN a.{column} {differs} b.{column} THEN 1 ELSE 0 END" for column in columns
        )
        values = ", ".join(f"a.{column}, b.{column}" for column in columns)
        cursor.execute(
            f"""
            SELECT {flags}, {values} FROM (SELECT %s AS account_id) k
            LEFT JOIN insights_accountinsight a ON a.account_id = k.account_id
            LEFT JOIN {copy} b ON b.account_id = k.account_id
            """,
            [first],
        )
        row = cursor.fetchone()
    width = len(columns)
    detail = "; ".join(
        f"{column}: {row[width + 2 * position + 1]!r} (incremental) vs {row[width + 2 * position]!r} (full)"
        for position, column in enumerate(columns)
        if row[position]
    )
    return int(count), f"account {first}: {detail}"


def append_order_lines(*, count: int, as_of: dt.date, round_number: int, rng: random.Random) -> set[int]:
    """Write `count` new order lines on orders dated `as_of` for random existing accounts, through the
    commerce service (without queueing a refresh). Returns the accounts touched."""
    from cartera.accounts.models import Account
    from cartera.commerce.models import Channel, Order, OrderLine, Product, PurchaseType
    from cartera.commerce.services import orders_bulk_create

    products = list(Product.objects.values_list("pk", "list_price", "unit_cost"))
    last_account = Account.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    orders: list[Order] = []
    lines: list[OrderLine] = []
    remaining = count
    while remaining > 0:
        order = Order(
            account_id=rng.randint(1, last_account),
            number=f"N{round_number}-{len(orders) + 1}",
            date=as_of,
            channel=rng.choice(Channel.values),
            purchase_type=PurchaseType.STRAIGHT_REBUY,
        )
        orders.append(order)
        for _line in range(min(remaining, rng.randint(1, 8))):
            product_id, list_price, unit_cost = rng.choice(products)
            lines.append(
                OrderLine(
                    order=order,
                    product_id=product_id,
                    quantity=Decimal(rng.randint(1, 60)),
                    unit_price=list_price,
                    unit_cost=None if rng.random() < 0.3 else unit_cost,  # None: the product's cost
                    discount_pct=Decimal(rng.choice((0, 0, 0, 2, 5, 7.5, 12.5))).quantize(Decimal("0.01")),
                )
            )
            remaining -= 1
    orders_bulk_create(actor=None, orders=orders, lines=lines, source="benchmark", refresh_insights=False)
    return {order.account_id for order in orders}


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def postgres_settings() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    names = ["shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"]
    with connection.cursor() as cursor:
        values = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(values)


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:,.3f}" if seconds < 10 else f"{seconds:,.1f}"


def breakdown(phases: dict[str, float], total: float) -> str:
    parts = [f"{label} {fmt_seconds(seconds)}" for label, seconds in phases.items()]
    rest = total - sum(phases.values())
    if rest > 0.0005:
        parts.append(f"other {fmt_seconds(rest)}")
    return ", ".join(parts)


def run(args: argparse.Namespace, database: ScratchDatabase) -> int:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    import duckdb
    import history
    import reference

    from cartera.insights import sql
    from cartera.insights.services import current_rules, facts_rebuild

    as_of: dt.date = args.as_of
    folder = OUT / f"insights-{database.vendor}-scale{args.scale:g}-seed{args.seed}"
    generated_file = folder / "generated.json"
    if args.reuse:
        if not generated_file.exists():
            raise SystemExit(
                f"--reuse: {generated_file.relative_to(ROOT)} is missing (run with --generate-only)"
            )
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    results: dict[str, Any] = {
        "benchmark": "insights",
        "database": database.vendor,
        "scale": args.scale,
        "seed": args.seed,
        "as_of": as_of.isoformat(),
    }

    say(
        f"cartera insights benchmark: scale {args.scale:g}, seed {args.seed}, as of {as_of}, {database.label}"
    )
    migrate_seconds = timed(lambda: call_command("migrate", verbosity=0, interactive=False))
    version = database_version()
    say(f"{version}; DuckDB {duckdb.__version__}; Python {platform.python_version()}; {os.cpu_count()} CPUs")
    if settings := postgres_settings():
        say(f"server settings: {settings}")
    if args.reuse:
        generated = json.loads(generated_file.read_text())
        say(
            f"migrated in {migrate_seconds:.1f} s; reusing the history generated on {generated['generated_at']}"
        )
        stats = history.HistoryStats(
            counts=Counter(generated["counts"]),
            seconds=generated["seconds"],
            maintenance_seconds=generated["maintenance_seconds"],
            processes=generated["processes"],
        )
        reset_to_generated(generated)
    else:
        say(f"migrated in {migrate_seconds:.1f} s; generating the history...")
        with turn(measuring=False) if not args.generate_while_others_measure else nullcontext():
            stats = history.generate(
                scale=args.scale,
                seed=args.seed,
                as_of=as_of,
                reference_folder=folder,
                analyze=args.analyze,
                report=say,
                processes=args.jobs,
            )
            history.create_segments()
        generated_file.write_text(
            json.dumps(
                {
                    "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "counts": dict(stats.counts),
                    "seconds": stats.seconds,
                    "maintenance_seconds": stats.maintenance_seconds,
                    "processes": stats.processes,
                    "last_ids": last_ids(),
                },
                indent=2,
            )
            + "\n"
        )
    counts = stats.counts
    results["history"] = dict(counts)
    results["generation_seconds"] = stats.seconds
    results["maintenance_seconds"] = stats.maintenance_seconds
    rss_generation = peak_rss_mib()
    maintenance = (
        "VACUUM ANALYZE"
        if database.vendor == "postgresql"
        else "checkpoint" + (" + ANALYZE" if args.analyze else "")
    )
    say(
        f"history: {counts['accounts']:,} accounts ({counts['buying_accounts']:,} buying), "
        f"{counts['orders']:,} orders, {counts['order_lines']:,} order lines, "
        f"{counts['service_costs']:,} service costs, {counts['marketing_spend']:,} marketing spend, "
        f"{counts['referrals']:,} referrals"
    )
    say(
        f"generation: {stats.seconds:,.1f} s (plan, compute and load; {stats.processes} processes) "
        f"+ {stats.maintenance_seconds:,.1f} s "
        f"({maintenance}); not part of the figures below"
    )
    say()
    if args.generate_only:
        say("generated only; measure with --reuse (same --scale, --seed and --database-url)")
        return 0

    with turn(measuring=True):
        phases = Phases()
        phases.install()
        statements = Statements(args.statements)
        statements.install(connection)
        loads: dict[str, float] = {}  # the 1-minute load average when each step started (others' work)
        loads["facts"] = os.getloadavg()[0]
        say("facts build (facts_rebuild, from the raw lines)...")
        statements.start()
        facts_seconds = timed(facts_rebuild)
        phases.take()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM insights_accountday")
            account_days = cursor.fetchone()[0]
        say(f"  {fmt_seconds(facts_seconds)} s, {account_days:,} account-days")
        statements.report()

        from cartera.insights.services import insights_recompute_all, insights_refresh_accounts

        say("full recomputation (insights_recompute_all, from the daily facts)...")
        settle()
        loads["first"] = os.getloadavg()[0]
        statements.start()
        first_seconds = timed(lambda: insights_recompute_all(as_of=as_of))
        first_phases = phases.take()
        say(
            f"  first (empty snapshot): {fmt_seconds(first_seconds)} s: {breakdown(first_phases, first_seconds)}"
        )
        statements.report()
        again_seconds: float | None = None
        again_phases: dict[str, float] = {}
        if "again" not in args.skip:
            settle()
            loads["again"] = os.getloadavg()[0]
            statements.start()
            again_seconds = timed(lambda: insights_recompute_all(as_of=as_of))
            again_phases = phases.take()
            say(
                f"  again (over the snapshot): {fmt_seconds(again_seconds)} s: "
                f"{breakdown(again_phases, again_seconds)}"
            )
            statements.report()
        rss_engine = peak_rss_mib()

        snapshot_rows = 0
        duck_runs: list[float] = []
        duck_seconds: float | None = None
        dated_runs: list[float] = []
        dated_seconds: float | None = None
        duck_memory = 0.0
        duck_threads = 0
        duck_differences, duck_first = 0, None
        if "duckdb" not in args.skip:
            snapshot_rows = export_snapshot(folder / "snapshot.csv", reference.FIGURES)
            say("DuckDB reference (loading the same rows into memory; not timed)...")
            duck = reference.Reference(folder)
            loaded = duck.load()
            rules = current_rules()
            reference_rules = {
                "as_of": as_of,
                "window_days": rules.window_days,
                "frequent_min_orders": rules.frequent_min_orders,
                "loyal_min_tenure_days": rules.loyal_min_tenure_days,
                "loyal_referral_days": rules.loyal_referral_days,
            }
            loads["duckdb"] = os.getloadavg()[0]
            # For information first: the lines with a copy of their order's account and date.
            dated = reference.figures_sql(**reference_rules, dated_lines=True)
            dated_runs = [duck.compute(dated) for _run in range(3)]
            dated_seconds = min(dated_runs)
            # The reference, last, so that its figures are the ones compared with the snapshot.
            select = reference.figures_sql(**reference_rules)
            duck_runs = [duck.compute(select) for _run in range(3)]
            duck_seconds = min(duck_runs)
            duck_memory = duck.memory_bytes() / 2**20
            duck_threads = duck.threads
            say(
                f"  {loaded['lines']:,} lines; runs {', '.join(fmt_seconds(s) for s in duck_runs)} s "
                f"({duck.threads} threads); DuckDB holds {duck_memory:,.0f} MiB"
            )
            say(
                f"  lines carrying their order's account and date (information): runs "
                f"{', '.join(fmt_seconds(s) for s in dated_runs)} s"
            )
            duck_differences, duck_first = duck.compare_with_snapshot(folder / "snapshot.csv")
            duck.close()
            again_ratio = "" if again_seconds is None else f", {again_seconds / duck_seconds:,.1f}× again"
            say(
                f"  full recomputation / DuckDB: {first_seconds / duck_seconds:,.1f}× first{again_ratio} "
                f"(target ≤ {TARGETS[database.vendor]:g}×); figures "
                + ("equal for every account" if not duck_differences else f"DIFFER: {duck_first}")
            )

        rounds: list[dict[str, Any]] = []
        rebuild_seconds: float | None = None
        rebuild_phases: dict[str, float] = {}
        metric_columns = [*sql.METRIC_COLUMNS, *CHECKED_METRICS]
        incremental_differences, incremental_first = 0, None
        derived_differences, derived_first = 0, None
        if "incremental" not in args.skip:
            say(
                f"incremental ({args.incremental_rounds} rounds of {args.incremental_lines:,} new order lines)..."
            )
            rng = random.Random(f"{args.seed}:incremental")
            settle()
            for number in range(1, args.incremental_rounds + 1):
                touched: set[int] = set()
                write_seconds = timed(
                    lambda number=number, touched=touched: touched.update(
                        append_order_lines(
                            count=args.incremental_lines, as_of=as_of, round_number=number, rng=rng
                        )
                    )
                )
                loads[f"round {number}"] = os.getloadavg()[0]
                statements.start()
                # The new lines are all on orders dated D: the refresh rebuilds those account-days.
                refresh_seconds = timed(
                    lambda touched=touched: insights_refresh_accounts(
                        days=[(pk, as_of) for pk in touched], as_of=as_of
                    )
                )
                round_phases = phases.take()
                rounds.append(
                    {
                        "accounts": len(touched),
                        "write": write_seconds,
                        "refresh": refresh_seconds,
                        "phases": round_phases,
                    }
                )
                say(
                    f"  round {number}: {len(touched):,} accounts; written in {fmt_seconds(write_seconds)} s; "
                    f"refreshed in {fmt_seconds(refresh_seconds)} s: {breakdown(round_phases, refresh_seconds)}"
                )
                statements.report()
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_incremental")
                cursor.execute("CREATE TABLE bench_incremental AS SELECT * FROM insights_accountinsight")
            say(
                "full rebuild after the incremental rounds (insights_recompute_all(full=True)), to check them..."
            )
            loads["rebuild"] = os.getloadavg()[0]
            statements.start()
            rebuild_seconds = timed(lambda: insights_recompute_all(as_of=as_of, full=True))
            rebuild_phases = phases.take()
            say(f"  {fmt_seconds(rebuild_seconds)} s: {breakdown(rebuild_phases, rebuild_seconds)}")
            statements.report()
            incremental_differences, incremental_first = compare_with_copy(
                "bench_incremental", metric_columns
            )
            derived_differences, derived_first = compare_with_copy("bench_incremental", CHECKED_DERIVED)
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_incremental")
        rss_total = peak_rss_mib()

    target = TARGETS[database.vendor]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    def multiple(seconds: float | None) -> str:
        return "" if seconds is None or duck_seconds is None else f"{seconds / duck_seconds:,.1f}×"

    def against_target(seconds: float | None) -> str:
        if seconds is None or duck_seconds is None:
            return ""
        return verdict(seconds <= target * duck_seconds)

    def load(key: str) -> str:
        return f"{loads[key]:.1f}" if key in loads else ""

    say()
    say(
        f"Results: {version}, scale {args.scale:g} ({counts['order_lines']:,} order lines, "
        f"{counts['buying_accounts']:,} buying accounts)"
    )
    rows = [
        ("step", "seconds", "× DuckDB", "target", "", "load"),
        (
            "facts build (from raw lines, information)",
            fmt_seconds(facts_seconds),
            multiple(facts_seconds),
            "",
            "",
            load("facts"),
        ),
        (
            "full recomputation, first",
            fmt_seconds(first_seconds),
            multiple(first_seconds),
            f"≤ {target:g}×",
            against_target(first_seconds),
            load("first"),
        ),
    ]
    if again_seconds is not None:
        rows.append(
            (
                "full recomputation, again",
                fmt_seconds(again_seconds),
                multiple(again_seconds),
                f"≤ {target:g}×",
                against_target(again_seconds),
                load("again"),
            )
        )
    if duck_seconds is not None:
        rows.append(
            ("DuckDB reference (best of 3)", fmt_seconds(duck_seconds), "1.0×", "", "", load("duckdb"))
        )
    if dated_seconds is not None:
        rows.append(
            (
                "DuckDB, lines dated (information)",
                fmt_seconds(dated_seconds),
                multiple(dated_seconds),
                "",
                "",
                "",
            )
        )
    incremental_median = incremental_worst = None
    if rounds:
        refreshes = [item["refresh"] for item in rounds]
        incremental_median = statistics.median(refreshes)
        incremental_worst = max(refreshes)
        rows += [
            (
                f"incremental {args.incremental_lines:,} lines, median",
                fmt_seconds(incremental_median),
                "",
                f"< {INCREMENTAL_TARGET_SECONDS:g} s",
                verdict(incremental_median < INCREMENTAL_TARGET_SECONDS),
                "",
            ),
            (
                f"incremental {args.incremental_lines:,} lines, worst",
                fmt_seconds(incremental_worst),
                "",
                f"< {INCREMENTAL_TARGET_SECONDS:g} s",
                verdict(incremental_worst < INCREMENTAL_TARGET_SECONDS),
                f"{max(value for key, value in loads.items() if key.startswith('round')):.1f}",
            ),
        ]
    if rebuild_seconds is not None:
        rows.append(
            (
                "full rebuild, facts + snapshot (information)",
                fmt_seconds(rebuild_seconds),
                multiple(rebuild_seconds),
                "",
                "",
                load("rebuild"),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for position, row in enumerate(rows):
        say(
            "  "
            + "  ".join(
                cell.ljust(widths[column]) if column == 0 else cell.rjust(widths[column])
                for column, cell in enumerate(row)
            ).rstrip()
        )
        if position == 0:
            say("  " + "  ".join("-" * width for width in widths))
    say(f"  (load: the 1-minute load average of this {os.cpu_count()}-CPU machine when the step started)")
    if args.skip:
        say(f"  (not measured: {', '.join(sorted(args.skip))})")
    say()
    say(
        f"peak memory (max RSS of this process): {rss_generation:,.0f} MiB after generation, "
        f"{rss_engine:,.0f} MiB after the facts build and full recomputations, {rss_total:,.0f} MiB at the "
        f"end (DuckDB in this process); DuckDB held {duck_memory:,.0f} MiB"
    )

    def outcome(differences: int, first: str | None) -> str:
        return "passed" if not differences else f"FAILED for {differences:,} accounts, first {first}"

    if "duckdb" not in args.skip:
        say(
            f"check, DuckDB figures = snapshot for all {snapshot_rows:,} accounts: "
            f"{outcome(duck_differences, duck_first)}"
        )
    if "incremental" not in args.skip:
        say(
            f"check, incremental = full rebuild, metrics and tier ({len(metric_columns)} columns): "
            f"{outcome(incremental_differences, incremental_first)}"
        )
        say(
            "check, incremental = full rebuild, segment, contact alert, churn risk and its previous value: "
            f"{outcome(derived_differences, derived_first)}"
        )

    results.update(
        {
            "database_version": version,
            "reused_database": bool(args.reuse),
            "skipped": sorted(args.skip),
            "account_days": account_days,
            "facts_build_seconds": facts_seconds,
            "full_recompute_first_seconds": first_seconds,
            "full_recompute_first_phases": first_phases,
            "full_recompute_again_seconds": again_seconds,
            "full_recompute_again_phases": again_phases,
            "duckdb_seconds": duck_runs,
            "duckdb_dated_lines_seconds": dated_runs,
            "duckdb_threads": duck_threads,
            "ratio_first": None if duck_seconds is None else first_seconds / duck_seconds,
            "ratio_again": None
            if duck_seconds is None or again_seconds is None
            else again_seconds / duck_seconds,
            "ratio_target": target,
            "incremental_rounds": rounds,
            "incremental_median_seconds": incremental_median,
            "full_rebuild_seconds": rebuild_seconds,
            "full_rebuild_phases": rebuild_phases,
            "peak_rss_mib": {"generation": rss_generation, "engine": rss_engine, "total": rss_total},
            "duckdb_memory_mib": duck_memory,
            "check_duckdb_differences": duck_differences,
            "check_incremental_differences": incremental_differences,
            "check_derived_differences": derived_differences,
            "load_average": loads,
        }
    )
    result_file = OUT / f"insights-{database.vendor}-scale{args.scale:g}.json"
    result_file.write_text(json.dumps(results, indent=2, default=str) + "\n")
    say(f"results written to {result_file.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if duck_differences or incremental_differences or derived_differences else 0


def last_ids() -> dict[str, int]:
    """The highest ids of the tables incremental rounds append to, right after generation."""
    from django.db import connection

    ids = {}
    with connection.cursor() as cursor:
        for table in ("commerce_order", "commerce_orderline"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            ids[table] = int(cursor.fetchone()[0])
    return ids


def reset_to_generated(generated: dict[str, Any]) -> None:
    """Bring a kept database back to the history as generated: remove the orders earlier incremental
    rounds appended, and everything the insights engine derived (facts, snapshot, tier moves)."""
    from django.db import connection

    last = generated["last_ids"]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM commerce_orderline WHERE id > %s", [last["commerce_orderline"]])
        cursor.execute("DELETE FROM commerce_order WHERE id > %s", [last["commerce_order"]])
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE insights_accountday, insights_accountinsight, insights_tierchange")
            cursor.execute("VACUUM ANALYZE")
        else:
            for table in ("insights_accountday", "insights_accountinsight", "insights_tierchange"):
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    database = ScratchDatabase(
        args.database_url, scale=args.scale, seed=args.seed, replace=args.replace, reuse=args.reuse
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database.url
    try:
        return run(args, database)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            say(f"kept the database: {database.url}")
        else:
            database.drop()


if __name__ == "__main__":
    sys.exit(main())
