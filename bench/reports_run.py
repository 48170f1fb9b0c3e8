"""One database's run of `bench.reports` (a child process: its DATABASE_URL is in the environment):
migrate, seed, then time the reports pages as a signed-in staff user gets them."""

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import django

django.setup()

from asgiref.sync import async_to_sync  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.report import percentiles  # noqa: E402
from bench.reports_seed import queues, seed  # noqa: E402
from dashboard.live.intervals import INTERVAL_MS  # noqa: E402
from dashboard.live.today import QueueDay, Today  # noqa: E402
from dashboard.reports.aggregate import span  # noqa: E402
from dashboard.reports.views import business_today  # noqa: E402
from dashboard.worker import history  # noqa: E402


def requests(last: date, days: int, numbers: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, path, query) of what a supervisor asks: the longest range at each grouping, every
    queue and one, the agents' day, and a month's downloads."""
    asked: list[tuple[str, str, dict[str, Any]]] = []
    spans = [("day", days), ("week", days), ("hour", days), ("15min", 1), ("15min", 7)]
    spans.append(("15min", days))
    for grouping, length in spans:
        for which, chosen in (("all queues", numbers), ("one queue", numbers[:1])):
            query = _query(last, length, grouping, chosen)
            asked.append((f"{grouping}, {length} d, {which}", "/reports/", query))
    month = _query(last, 30, "day", numbers)
    asked.append(("agents' day", "/reports/agents/", {"day": (last - timedelta(days=1))}))
    asked.append(("CSV, 30 d by day, all queues", "/reports/report.csv", month))
    asked.append(("XLSX, 30 d by day, all queues", "/reports/report.xlsx", month))
    asked.append(
        ("CSV, 30 d by hour, all queues", "/reports/report.csv", {**month, "grouping": "hour"})
    )
    return asked


def _query(last: date, length: int, grouping: str, chosen: list[str]) -> dict[str, Any]:
    first = last - timedelta(days=length - 1)
    return {"date_from": first, "date_to": last, "grouping": grouping, "queues": chosen}


def timed(get: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Wall time of each of `repeat` responses (after one untimed) and this process's CPU time
    (the view's, and SQLite's: on a shared machine the steadier figure), status, size, SQL."""
    get()
    samples, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        response = get()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    with CaptureQueriesContext(connection) as queries:
        get()
    size = len(response.content) if not response.streaming else sum(map(len, response))
    return {"ms": percentiles(samples), "cpu_ms": percentiles(cpu), **sql(queries),
            "status": response.status_code, "bytes": size}  # fmt: skip


def sql(queries: CaptureQueriesContext) -> dict[str, Any]:
    """How many statements, how long they took together (as the database driver saw them, on a
    run of its own), and the slowest."""
    timed = sorted(queries.captured_queries, key=lambda query: float(query["time"]))
    return {"queries": len(timed), "sql_ms": round(1000 * sum(float(q["time"]) for q in timed)),
            "slowest_sql": timed[-1]["sql"][:300] if timed else ""}  # fmt: skip


def worker_write(last: date, numbers: list[str], repeat: int) -> dict[str, Any]:
    """What the totals cost the worker: its write of the day's last interval of every queue
    (every 10 s and at each interval's end), which sums the day again."""
    end = span(last, last, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[1]
    interval = Today(last.isoformat(), int(end.timestamp() * 1000) - INTERVAL_MS)
    interval.queues = {queue: QueueDay(offered=5, answered=5, handled=5) for queue in numbers}
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        async_to_sync(history.save_interval)(interval)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        async_to_sync(history.save_interval)(interval)
    return {"ms": percentiles(samples), **sql(queries)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    call_command("migrate", "--no-input", verbosity=0)
    last = business_today() - timedelta(days=1)
    started = time.perf_counter()
    rows = seed(last, args.days, args.queues, args.agents)
    seeded_s = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.create_user("boss", is_staff=True))
    results = []
    for name, path, query in requests(last, args.days, queues(args.queues)):
        result = timed(lambda: client.get(path, query), args.repeat)  # noqa: B023
        results.append({"request": name, "path": path, **result})
        print(name, result, file=sys.stderr, flush=True)
    written = worker_write(last, queues(args.queues), args.repeat)
    return {"engine": connection.vendor, "interval_rows": rows, "seed_s": round(seeded_s, 1),
            "results": results, "worker_write": written}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    print(json.dumps(run(parser.parse_args()), default=str))


if __name__ == "__main__":
    main()
