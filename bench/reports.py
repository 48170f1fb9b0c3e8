"""`python -m bench.reports`: the reports pages over a full history (90 days, 50 queues, 200
agents) on SQLite and PostgreSQL, timed as a signed-in staff user gets them (Django's test
client, in the process that seeded the database: the real view, middleware and templates)."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.report import RESULTS, machine, write_json
from bench.stack import bench_env, private_redis
from tests.postgres import DEFAULT_SERVER, SERVER_ENV, create_database, drop_created, refusal

RUN_TIMEOUT_S = 3600  # the slowest pages, before they were paged, took minutes
# A Thai call centre's day; the test client asks as host "testserver".
SETTINGS = {
    "TIME_ZONE": "Asia/Bangkok",
    "BUSINESS_DAY_START": "06:00",
    "ALLOWED_HOSTS": "testserver",
}


def postgres_server() -> str:
    """The server's maintenance database, found as the PostgreSQL test run finds it."""
    return os.environ.get(SERVER_ENV, DEFAULT_SERVER)


@contextmanager
def database(engine: str, state_dir: Path) -> Iterator[str]:
    """A fresh, empty database's URL: a SQLite file, or a PostgreSQL database dropped after."""
    if engine == "sqlite":
        yield f"sqlite:///{state_dir / 'reports.sqlite3'}"
        return
    server = postgres_server()
    try:
        yield create_database(server)
    finally:
        drop_created(server)


def one(engine: str, args: argparse.Namespace, redis_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        state_dir = Path(folder)
        with database(engine, state_dir) as url:
            env = {**bench_env(state_dir, redis_url), **SETTINGS, "DATABASE_URL": url}
            sizes = ("--days", args.days, "--queues", args.queues, "--agents", args.agents)
            options = [str(option) for option in (*sizes, "--repeat", args.repeat)]
            child = [sys.executable, "-m", "bench.reports_run", *options]
            out = subprocess.run(child, env={**os.environ, **env}, stdout=subprocess.PIPE,
                                 text=True, check=True, timeout=RUN_TIMEOUT_S).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def table(runs: list[dict[str, Any]]) -> str:
    lines = []
    for run in runs:
        lines.append(f"{run['engine']}: {run['interval_rows']} interval rows seeded in "
                     f"{run['seed_s']} s")  # fmt: skip
        lines.append(f"  {'request':34} {'p50 ms':>7} {'max ms':>7} {'CPU p50':>7} {'KB':>7} "
                     f"{'SQL':>4} {'SQL ms':>6} status")  # fmt: skip
        for row in run["results"]:
            ms, cpu = row["ms"], row["cpu_ms"]
            lines.append(f"  {row['request']:34} {ms['p50']:7.0f} {ms['max']:7.0f} "
                         f"{cpu['p50']:7.0f} {row['bytes'] / 1024:7.0f} {row['queries']:4} "
                         f"{row['sql_ms']:6} {row['status']}")  # fmt: skip
        write = run["worker_write"]
        lines.append(f"  the worker's write of an interval of every queue, with its day totals: "
                     f"p50 {write['ms']['p50']:.0f} ms, max {write['ms']['max']:.0f} ms, "
                     f"{write['queries']} SQL")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    engines = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    refused = refusal(postgres_server()) if "postgres" in engines else None
    if refused and args.database == "both":  # `make bench` where there is no PostgreSQL
        print(f"{refused}: SQLite only", file=sys.stderr)
        engines = ("sqlite",)
    with private_redis() as handle:
        runs = [one(engine, args, handle.url) for engine in engines]
    print(table(runs))
    config = {key: value for key, value in vars(args).items() if key != "out"}
    payload = {"config": config, "machine": machine(), "runs": runs}
    print(f"wrote {write_json('reports', payload, args.out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
