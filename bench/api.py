"""Benchmark: the REST API served as in production, against bare Django views over the same data.

    python bench/api.py [--accounts 100000] [--database-url URL] [--seconds 10] [--connections 8]

Builds a fresh database (a temporary SQLite file by default; with a PostgreSQL URL, the database named in
it is dropped and created again) with N accounts, starts gunicorn on 127.0.0.1 (2 sync workers,
persistent connections with CONN_MAX_AGE) and loads four endpoints with wrk for a bounded time each:

  bare detail   GET /bare/accounts/<id>                     one row by primary key, as JSON
  API detail    GET /api/v1/accounts/<id>                   token auth, visibility, schema, ETag
  bare list     GET /bare/accounts?region=R                 50 rows, filtered, by id
  API list      GET /api/v1/accounts?region=R&ordering=id   the same page through the API's filter class

Prints requests per second and latency percentiles for each, and the API's share of its bare
counterpart. Targets: detail at least 50 % and list at least 40 % of the bare views, p99 under 50 ms.
Needs wrk (Debian package `wrk`): installed with apt-get when running as root, else asked for.
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
TARGETS = {"detail": 0.50, "list": 0.40}
P99_LIMIT_MS = 50.0


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's wrk...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("This benchmark needs wrk: sudo apt-get install wrk")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(accounts: int) -> tuple[str, list[int], str]:
    """Migrate and add `accounts` accounts in bulk; returns a token, some account ids and a region."""
    import django

    django.setup()
    from django.core.management import call_command

    from cartera.accounts.models import Account, account_search_key
    from cartera.api.services import api_token_create
    from cartera.core.testing import make_rut
    from cartera.core.text import normalize_company_name
    from cartera.users.models import Role, User

    call_command("migrate", verbosity=0)
    regions = ["CL-RM", "CL-VS", "CL-BI", "CL-AN", "CL-LL", "CL-AR", "CL-ML", "CL-CO"]
    started = time.perf_counter()
    batch: list[Account] = []
    for n in range(accounts):
        name = f"Comercial Andes {n} SpA"
        tax_id = make_rut(60_000_000 + n)
        batch.append(
            Account(
                legal_name=name,
                tax_id=tax_id,
                country="CL",
                region=regions[n % len(regions)] if n % 16 else "CL-TA",
                city="Santiago",
                status="client" if n % 3 else "prospect",
                search_key=account_search_key(name, "", tax_id),
                name_key=normalize_company_name(name),
            )
        )
        if len(batch) == 10_000:
            Account.objects.bulk_create(batch)
            batch = []
    Account.objects.bulk_create(batch)
    # A database in service has its planner statistics kept up to date (autovacuum on PostgreSQL);
    # without them, right after a bulk load, PostgreSQL guesses 25 accounts per region and reads the
    # whole region through a bitmap scan and a sort on every list request instead of walking the
    # primary key (17 ms instead of 0.2 ms per page).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"seeded {Account.objects.count()} accounts in {time.perf_counter() - started:.1f} s")
    manager = User.objects.create_user(username="bench", password=None, role=Role.SALES_MANAGER)
    _token, key = api_token_create(actor=manager, name="bench")
    ids = list(Account.objects.order_by("?").values_list("pk", flat=True)[:1000])
    from django.db import connections

    connections.close_all()
    return key, ids, "CL-TA"


LUA = """
ids = {%s}
counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter %% #ids) + 1]
  return wrk.format("GET", string.gsub(path_template, "{id}", id), headers)
end
"""


def run_wrk(
    wrk: str, base: str, path: str, token: str | None, ids: list[int], seconds: int, connections: int
) -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    auth = f'["Authorization"] = "Bearer {token}"' if token else ""
    script.write_text(
        f'path_template = "{path}"\nheaders = {{{auth}}}\n' + LUA % ",".join(str(pk) for pk in ids)
    )
    output = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    script.unlink()
    return parse_wrk(output)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    percentiles = {f"p{p}": _ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, **percentiles, "non_2xx": int(errors.group(1)) if errors else 0}


def check_status(base: str, path: str, token: str | None) -> None:
    request = urllib.request.Request(
        base + path, headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, (path, response.status)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    seconds = max(1, min(args.seconds, 60))
    wrk = ensure_wrk()

    workdir = Path(tempfile.mkdtemp(prefix="cartera-bench-api-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgres"):
        _recreate_postgres(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": HOST,
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    }
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND")})
    token, ids, region = seed(args.accounts)

    port = free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--pythonpath",
            str(ROOT / "bench"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "api_settings"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                check_status(base, f"/bare/accounts/{ids[0]}", None)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.5)
        endpoints = {
            "bare detail": ("/bare/accounts/{id}", None),
            "API detail": ("/api/v1/accounts/{id}", token),
            "bare list": (f"/bare/accounts?region={region}&n={{id}}", None),
            "API list": (f"/api/v1/accounts?region={region}&ordering=id&page_size=50&n={{id}}", token),
        }
        for path, auth in endpoints.values():
            check_status(base, path.replace("{id}", str(ids[0])), auth)
        random.seed(1)
        results = {}
        for name, (path, auth) in endpoints.items():
            run_wrk(wrk, base, path, auth, ids, 2, args.connections)  # warm-up: both workers, caches
            results[name] = run_wrk(wrk, base, path, auth, ids, seconds, args.connections)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"\n{args.accounts} accounts, {url.split(':')[0]}, gunicorn 2 sync workers, wrk -c{args.connections} {seconds} s"
    )
    print(f"{'endpoint':<12} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, row in results.items():
        print(
            f"{name:<12} {row['rps']:>9.0f} {row['p50']:>8.2f} {row['p90']:>8.2f} {row['p99']:>8.2f} {row['non_2xx']:>8}"
        )
    verdicts = []
    for kind, target in TARGETS.items():
        api, bare = results[f"API {kind}"], results[f"bare {kind}"]
        ratio = api["rps"] / bare["rps"]
        ok = ratio >= target and api["p99"] < P99_LIMIT_MS and api["non_2xx"] == 0
        verdicts.append(ok)
        print(
            f"API {kind}: {ratio:.0%} of the bare view (target {target:.0%}), p99 {api['p99']:.1f} ms "
            f"(target < {P99_LIMIT_MS:.0f} ms): {'met' if ok else 'NOT met'}"
        )
    shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if all(verdicts) else 1)


if __name__ == "__main__":
    main()
