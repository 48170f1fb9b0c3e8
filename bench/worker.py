"""`python -m bench.worker`: PBX events/s the worker (`manage.py listen_pbx`) parses, reduces and
publishes per core: a pbxsim burst into a real worker and a real Redis, timed by its CPU."""

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import redis

from bench.report import RESULTS, machine, write_json
from bench.stack import bench_env, private_redis, run_python, start_product
from bench.usage import UsageMeter
from devstack.procs import ProcessGroup

SETTLED = ("answered", "abandoned", "short_abandoned", "timed_out", "transferred")
DONE_TIMEOUT_S = 300.0


def settled_calls(redis_url: str) -> int:
    """Queue calls the worker has published an outcome for, over every queue."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    total = 0
    for key in client.scan_iter("wb:stream:queue:*"):
        today = (json.loads(str(client.get(key)))["data"] or {}).get("today") or {}
        total += sum(int(today.get(name, 0)) for name in SETTLED)
    return total


def wait_settled(redis_url: str, target: int) -> None:
    deadline = time.monotonic() + DONE_TIMEOUT_S
    while settled_calls(redis_url) < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the worker did not settle {target} calls in {DONE_TIMEOUT_S} s")
        time.sleep(0.05)


def burst_through(
    sim_url: str, redis_url: str, events: int, pids: dict[str, int]
) -> dict[str, Any]:
    """One burst of `events` 30011 events; CPU of each process until the worker settled them."""
    before = settled_calls(redis_url)
    meter = UsageMeter(pids)
    meter.start()
    started = time.monotonic()
    reply = httpx.post(f"{sim_url}/_sim/burst", json={"events": events}, timeout=DONE_TIMEOUT_S)
    wait_settled(redis_url, before + int(reply.json()["calls"]))
    wall = time.monotonic() - started
    usage = meter.stop()
    worker_cpu = usage["worker"].cpu_s
    return {
        "events": events,
        "calls": reply.json()["calls"],
        "wall_s": round(wall, 3),
        "worker_cpu_s": round(worker_cpu, 3),
        "events_per_worker_cpu_s": round(events / worker_cpu),
        "events_per_wall_s": round(events / wall),
        "usage": {name: vars(u) for name, u in usage.items()},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    state_dir = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    try:
        with private_redis() as handle, ProcessGroup(ready_timeout=60) as group:
            env = bench_env(state_dir, handle.url)
            run_python(env, "manage.py", "migrate", "--no-input", "-v0")
            sim_url = start_product(group, env, args.scenario)
            processes = {"worker": group["worker"], "pbxsim": group["pbxsim"]}
            pids = {
                name: p.pid or 0 for name, p in (processes | {"redis": handle.process}).items() if p
            }
            burst_through(sim_url, handle.url, 200, pids)  # warm-up: imports, caches, JIT-less
            return burst_through(sim_url, handle.url, args.events, pids)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("--scenario", default="contact-centre", help="pbxsim scenario")
    parser.add_argument("--events", type=int, default=20000, help="30011 events (even)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)
    args.events += args.events % 2  # an odd burst leaves a caller waiting for ever
    result = run(args)
    print(f"worker: {result['events']} events ({result['calls']} calls) in "
          f"{result['worker_cpu_s']} s of worker CPU: {result['events_per_worker_cpu_s']} "
          f"events/s per core; {result['events_per_wall_s']} events/s wall "
          f"({result['wall_s']} s)")  # fmt: skip
    config = vars(args) | {"out": str(args.out), "machine": machine()}
    path = write_json("worker", {"config": config, **result}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
