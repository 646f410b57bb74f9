"""Benchmark: the server-side render time of the staff pages on the demo company.

    python bench/pages.py [--scale 1] [--database-url URL] [--requests 30]

Times the dashboard, an account page and the lists (accounts, contacts, orders, interactions,
commitments, the pipeline board) for a sales manager and an account executive of the demo company, and
prints for each the median and 95th percentile over N requests, the number of SQL queries, the target and
PASS or MISS (on the median). Targets (issue: pages feel instant, on the demo at --scale 40): dashboard
and account page under 150 ms, lists under 100 ms. Pages whose URL is not installed are skipped with a
note. As the in-run reference it times a bare Django view rendering 50 accounts in a trivial template
through the same middleware (bench/pages_floor.py), alone first, then in turn with every page's requests,
so that each page's multiple of it is taken under the same load.

What is measured: each request goes through Django's test client inside this process, the full handler
(middleware, session and sign-in, the view, its queries, the templates), from the request object to the
rendered response. No HTTP server, socket or browser is involved: they add the same cost to every page
and are not what the target is about. DEBUG is off, as in production.

With --database-url, the pages are read from that database (a copy of a prepared demo, migrated first:
`cartera migrate`); nothing is written to it but sessions. Otherwise the demo company is built at the
scale given (`cartera migrate` and `cartera demo --scale N`) into bench/out/pages-scaleN.sqlite3, which
is kept and reused by later runs at the same scale (--rebuild to build it again).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path[:0] = [str(ROOT), str(BENCH)]

PAGE_MS = 150.0
LIST_MS = 100.0


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    target_ms: float
    needs_account: bool = False


PAGES = [
    Page("dashboard", "dashboard:home", PAGE_MS),
    Page("account page", "accounts:detail", PAGE_MS, needs_account=True),
    Page("accounts list", "accounts:list", LIST_MS),
    Page("contacts list", "accounts:contact_list", LIST_MS),
    Page("orders list", "commerce:order_list", LIST_MS),
    Page("interactions list", "relationship:interaction_list", LIST_MS),
    Page("commitments list", "relationship:commitment_list", LIST_MS),
    Page("pipeline board", "pipeline:board", LIST_MS),
]


def build_demo(scale: float, path: Path, rebuild: bool) -> str:
    """The demo company at `scale` in a SQLite file under bench/out/, built once and kept."""
    url = f"sqlite:///{path}"
    done = path.with_suffix(".done")
    if done.exists() and path.exists() and not rebuild:
        print(f"reusing {path.relative_to(ROOT)} (built earlier; --rebuild to build it again)")
        return url
    for stale in (path, done, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    OUT.mkdir(exist_ok=True)
    cartera = Path(sys.executable).parent / "cartera"
    env = {**os.environ, "DATABASE_URL": url}
    print(f"building the demo company at scale {scale:g} into {path.relative_to(ROOT)} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([str(cartera), "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    subprocess.run(
        [str(cartera), "demo", "--scale", f"{scale:g}"],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    done.write_text("ok\n")
    print(f"built in {time.perf_counter() - started:.0f} s (not part of the figures)")
    return url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the demo company (default 1)")
    parser.add_argument("--database-url", help="a prepared (migrated) demo database to read")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and user")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first, per page and user")
    parser.add_argument("--rebuild", action="store_true", help="build the demo database again")
    parser.add_argument("--manager", default="mgonzalez", help="username of the sales manager")
    parser.add_argument("--executive", default="pmorales", help="username of the account executive")
    args = parser.parse_args()

    url = args.database_url or build_demo(
        args.scale, OUT / f"pages-scale{args.scale:g}.sqlite3", args.rebuild
    )
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    from cartera.accounts.models import Account
    from cartera.commerce.models import Order
    from cartera.users.models import User

    users = {
        "manager": User.objects.filter(username=args.manager).first(),
        "executive": User.objects.filter(username=args.executive).first(),
    }
    missing = [role for role, user in users.items() if user is None]
    if missing:
        raise SystemExit(f"no {' or '.join(missing)} in this database (see --manager and --executive)")
    # The account page of the executive's account with the most orders: the heaviest page they open.
    busiest = (
        Order.objects.filter(account__in=Account.objects.visible_to(users["executive"]))
        .values("account")
        .annotate(orders=Count("id"))
        .order_by("-orders")
        .first()
    )
    account_id = busiest["account"] if busiest else Account.objects.visible_to(users["executive"]).first().pk
    counts = {
        "accounts": Account.objects.count(),
        "orders": Order.objects.count(),
        "executive's accounts": Account.objects.visible_to(users["executive"]).count(),
    }
    print(
        f"database: {connection.vendor}, {', '.join(f'{value:,} {name}' for name, value in counts.items())}; "
        f"account page: account {account_id} ({busiest['orders'] if busiest else 0} orders)"
    )
    print(
        f"{args.requests} timed requests per page and user, after {args.warmup} untimed; times in ms; "
        f"1-minute load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows the pages "
        "and the bare page alike: read the ratios to it under load)\n"
    )

    def timed(client: Client, path: str) -> float:
        started = time.perf_counter()
        client.get(path)
        return (time.perf_counter() - started) * 1000

    def measure(
        client: Client, path: str, reference: Client | None = None
    ) -> tuple[list[float], list[float], int, int]:
        """The page's times and, requested in turn with it when `reference` is given, the bare page's:
        both then run under the same load, however it changes during the run."""
        for _ in range(args.warmup):
            client.get(path)
        queries: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            status = client.get(path).status_code
        times, floor = [], []
        for _ in range(args.requests):
            if reference is not None:
                floor.append(timed(reference, "/bare/page/"))
            times.append(timed(client, path))
        return times, floor, len(queries), status

    failures = []
    misses = []
    header = f"{'page':<20} {'user':<10} {'median':>8} {'p95':>8} {'queries':>8} {'target':>8}  result"
    with override_settings(ROOT_URLCONF="pages_floor", ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        reference_client = Client()
        reference_client.force_login(users["manager"])
        floor, _, floor_queries, _ = measure(reference_client, "/bare/page/")
        floor_median = statistics.median(floor)
        print(header)
        print("-" * len(header))
        print(
            f"{'bare Django page':<20} {'':<10} {floor_median:8.1f} {percentile(floor, 0.95):8.1f} "
            f"{floor_queries:8d} {'':>8}  reference"
        )
        for page in PAGES:
            try:
                path = reverse(page.url_name, args=[account_id] if page.needs_account else [])
            except NoReverseMatch:
                print(f"{page.label:<20} skipped: {page.url_name} is not installed yet")
                continue
            for role, user in users.items():
                client = Client()
                client.force_login(user)
                times, floor_here, queries, status = measure(client, path, reference_client)
                median = statistics.median(times)
                if status != 200:
                    failures.append(f"{page.label} as {role}: HTTP {status}")
                    print(f"{page.label:<20} {role:<10} HTTP {status}")
                    continue
                result = "PASS" if median < page.target_ms else "MISS"
                if result == "MISS":
                    misses.append(f"{page.label} ({role})")
                print(
                    f"{page.label:<20} {role:<10} {median:8.1f} {percentile(times, 0.95):8.1f} {queries:8d} "
                    f"{page.target_ms:8.0f}  {result}  ({median / statistics.median(floor_here):.1f}× the bare page)"
                )
    print(f"\n1-minute load average at the end: {os.getloadavg()[0]:.1f}")
    if misses:
        print("MISS (median over the target): " + ", ".join(misses))
    else:
        print("Every page measured renders within its target.")
    if failures:
        print("Pages that did not answer 200: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
