"""Run every benchmark in bench/ at a modest scale (a few minutes in all) and keep their output.

    python bench/run.py [--scale S] [--postgres-url URL]

Each benchmark runs on SQLite and, when a PostgreSQL server answers at the URL (default
postgres://postgres@127.0.0.1:5432/cartera_bench, or BENCH_POSTGRES_URL), on PostgreSQL too, in scratch
databases named after it that the benchmarks create and drop. Each run's output is also written to bench/out/.
See bench/README.md for full-scale runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/cartera_bench"


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def benchmarks(scale: float, postgres_url: str) -> list[tuple[str, list[str]]]:
    """Every benchmark, as (name, command): on SQLite, and on PostgreSQL when it answers."""
    postgres = postgres_reachable(postgres_url)
    if not postgres:
        print(f"PostgreSQL not reachable at {urlsplit(postgres_url).netloc}: benchmarks run on SQLite only")
    insights = [sys.executable, str(BENCH / "insights.py"), "--scale", f"{scale:g}"]
    runs = [("insights-sqlite", insights)]
    if postgres:
        runs.append(("insights-postgresql", [*insights, "--database-url", postgres_url, "--replace"]))
    if (BENCH / "api.py").exists():
        # 200,000 accounts at scale 1; a few seconds of load per endpoint.
        api = [
            sys.executable,
            str(BENCH / "api.py"),
            "--accounts",
            str(max(1000, round(200_000 * scale))),
            "--seconds",
            "5",
        ]
        runs.append(("api-sqlite", api))
        if postgres:
            other = urlunsplit(urlsplit(postgres_url)._replace(path=urlsplit(postgres_url).path + "_api"))
            runs.append(("api-postgresql", [*api, "--database-url", other]))
    if (BENCH / "import_orders.py").exists():
        # 2 million lines at scale 1, like the insights history's order lines at scale 0.1.
        imports = [
            sys.executable,
            str(BENCH / "import_orders.py"),
            "--lines",
            str(max(1000, round(2_000_000 * scale))),
        ]
        runs.append(("import-orders-sqlite", imports))
        if postgres:
            other = urlunsplit(urlsplit(postgres_url)._replace(path=urlsplit(postgres_url).path + "_import"))
            runs.append(("import-orders-postgresql", [*imports, "--database-url", other]))
    if (BENCH / "pages.py").exists():
        # The demo company at 20 × scale (scale 1, 500 accounts, at the default): built once into
        # bench/out/ and reused; SQLite only, as the demo builds it.
        pages_scale = max(0.1, round(20 * scale, 2))
        runs.append(
            ("pages-sqlite", [sys.executable, str(BENCH / "pages.py"), "--scale", f"{pages_scale:g}"])
        )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="scale of every benchmark (default 0.05)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    failed = []
    for name, command in benchmarks(args.scale, args.postgres_url):
        print(
            f"\n=== {name}: {' '.join(Path(part).name if part.startswith('/') else part for part in command[1:])}"
        )
        log = OUT / f"{name}.log"
        with log.open("w", encoding="utf-8") as handle:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=BENCH.parent
            )
            assert process.stdout is not None
            for line in process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                handle.write(line)
            code = process.wait()
        if code:
            failed.append(f"{name} (exit {code}; see {log.relative_to(BENCH.parent)})")
    if failed:
        print("\nFailed: " + ", ".join(failed))
        return 1
    print(f"\nAll benchmarks ran; their output is in {OUT.relative_to(BENCH.parent)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
