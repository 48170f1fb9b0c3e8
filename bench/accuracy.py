"""`python -m bench.accuracy`: how often a board equals the PBX while calls flow, figure by
figure; how long a change of the truth takes to reach a screen; how often the worker's REST
resync had to correct what the events had told it. The real worker and Daphne against pbxsim,
whose clock the benchmark moves at `--speed` times wall time (docs/performance.md)."""

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import redis

from bench.accuracy_report import corrections, lags, summary
from bench.accuracy_run import BEHIND_S, BOARD, Run, Tally
from bench.accuracy_watch import BoardSocket, MissedCalls, SimClock
from bench.livetruth import (
    SHORT_ABANDON_S,
    Tracker,
    View,
    agent_days,
    between,
    board_view,
    differences,
    fingerprint,
    unequal,
)
from bench.report import RESULTS, machine, write_json
from bench.stack import (
    SIM_CLIENT_ID,
    bench_env,
    daphne_process,
    link_connected,
    private_redis,
    python_process,
    run_python,
    seed_board,
    sim_queues,
    start_sim,
)
from bench.usage import UsageMeter
from dashboard.worker.leader import LEADER_KEY
from devstack.procs import ManagedProcess, ProcessGroup, free_port
from devstack.web import APPLICATION

# 5 x: the service level's 20 s and a short abandon's 5 s are 4 s and 1 s of the worker's clock.
DEFAULT_SPEED = 5.0
# With faults, waits of calls settled by their CDRs are in the PBX's seconds, which are the
# worker's only at speed 1 (at 5 a 10 s wait reads 5 times longer than the worker's thresholds).
FAULTS_SPEED = 1.0
# After a fault the product may be wrong until: the pushes come back (10 s), the next REST re-read
# (PBX_RESYNC_SECONDS, 15 s) and its confirming read (1.5 s), and the next cdr/list read-back
# (PBX_CDR_RECONCILE_SECONDS, 60 s, of calls that ended 10 s before the newest).
RECOVERY_S = 90.0
SERVICE_LEVEL_S = 20.0
STEP_S = 0.2  # wall seconds between two moves of the simulated clock
SAMPLE_PAUSE_S = 0.05  # between samples: the benchmark must not starve what it measures
# --faults: one every FAULT_EVERY_MIN simulated minutes from FIRST_FAULT_MIN on, in turn.
FAULTS = ("pushes dropped", "link dropped", "hand-over")
FIRST_FAULT_MIN, FAULT_EVERY_MIN = 2.0, 5.0
PUSHES_DROPPED_S = 10.0  # wall seconds without events
# At the end, how long the board may take to equal the frozen truth: two cdr/list read-backs
# (PBX_CDR_RECONCILE_SECONDS), the first listing the newest calls, the next applying them.
SETTLE_S = 150.0


async def drive(run: Run) -> None:
    """Move the clock step by step for `--minutes` simulated minutes, reading the truth after
    each step (the tracker needs every step, and lag counts from the step that made a change)."""
    while run.clock.simulated_s < run.args.minutes * 60:
        step = await run.clock.step()
        run.observe(await run.truth(), step.wall)
    run.done = True


async def sample(run: Run) -> None:
    """Read the truth, the board, the truth again; compare when the truth did not change."""
    while not run.done:
        await asyncio.sleep(SAMPLE_PAUSE_S)
        missed_before = dict(run.missed.by_agent)
        first = await run.truth()
        snapshot = await run.board()
        read_at = time.time()
        second = await run.truth()
        missed_after = dict(run.missed.by_agent) if run.missed.known else None
        run.counts["samples"] += 1
        if fingerprint(first) != fingerprint(second):
            continue
        view = await _view_of(run, fingerprint(second))
        if view is None:
            run.counts["unmatched"] += 1  # changed by itself between the steps: not compared
            continue
        run.counts["stable"] += 1
        board = board_view(snapshot, run.clock.to_sim)
        if agent_days(second):
            _tally(run, view, board, read_at)  # the simulator counts missed calls itself
        elif missed_after is None:
            _tally(run, {**view, "agent_missed": {}}, board, read_at)
        else:
            # 30026 frames reach our subscription a moment after the step: the count before the
            # sample or right after it may be the one that goes with this truth.
            alternative = _with_missed(view, missed_before)
            _tally(run, _with_missed(view, missed_after), board, read_at, alternative)


def _with_missed(view: View, missed: dict[str, int]) -> View:
    """The view with each agent's missed calls as counted in `missed`."""
    rows = {
        number: tuple((row[0], missed.get(row[0], 0)) for row in agents)
        for number, agents in view["agent_state"].items()
    }
    return {**view, "agent_missed": rows}


async def _view_of(run: Run, key: str) -> View | None:
    """The driver's view of this truth (its read of it may still be on its way)."""
    for _ in range(20):
        if key in run.views:
            return run.views[key]
        await asyncio.sleep(0.05)
    return None


def _tally(
    run: Run, truth: View, board: View, read_at: float, alternative: View | None = None
) -> None:
    found = differences(truth, board)
    if alternative is not None and found.get("agent_missed"):
        also = set(unequal(alternative, board, "agent_missed"))
        found["agent_missed"] = [
            line for line in found["agent_missed"] if line.split(" ", 2)[1].rstrip(":") in also
        ]
    near_fault = run.recovering(read_at)
    run.counts["all_equal"] += not any(found.values())
    run.counts["stable_outside"] += not near_fault
    run.counts["all_equal_outside"] += not near_fault and not any(found.values())
    for metric, wrong in found.items():
        tally = run.tallies[metric]
        tally.outside += not near_fault
        if not wrong:
            tally.equal += 1
            tally.outside_equal += not near_fault
            continue
        tally.near_fault += near_fault
        if _behind(run, truth, board, metric, read_at):
            tally.behind += 1
            tally.outside_behind += not near_fault
            continue
        tally.different += 1
        if metric == "agent_state":
            _agent_rows(run, truth, board)
        if len(tally.examples) < 5:
            sim_s = run.clock.simulated_s
            tally.examples.append(f"at {sim_s:.0f} s: " + "; ".join(wrong)[:400])


def _agent_rows(run: Run, truth: View, board: View) -> None:
    """What the agents the board shows wrong are shown as, against the truth."""
    for number in unequal(truth, board, "agent_state"):
        shown = {row[0]: row for row in board["agent_state"].get(number, ())}
        for row in truth["agent_state"][number]:
            other = shown.get(row[0])
            if other is None or other == row:
                continue
            kind = "login/pause" if other[1:3] != row[1:3] else f"{row[3]} shown as {other[3]}"
            run.agent_rows[kind] += 1


def _behind(run: Run, truth: View, board: View, metric: str, read_at: float) -> bool:
    """Whether every queue the board shows wrong shows what was true at most BEHIND_S ago, or
    a moment between two such truths one step apart (queues are published one by one, and the
    events of one step one by one)."""
    views = [view for at, view in run.recent if at <= read_at]
    start = next((i for i, (at, _) in enumerate(run.recent) if at >= read_at - BEHIND_S), 0)
    views = [*views[max(0, start - 1) :], truth]
    shown = board[metric]
    return all(
        number in shown
        and any(
            number in old[metric] and number in new[metric]
            and between(metric, old[metric][number], new[metric][number], shown[number])
            for old, new in pairwise(views)
        )
        for number in unequal(truth, board, metric)
    )  # fmt: skip


async def inject_faults(run: Run, start_worker: Callable[[], None]) -> None:
    """Every FAULT_EVERY_MIN simulated minutes one fault, in turn."""
    due, index = FIRST_FAULT_MIN * 60, 0
    while not run.done:
        await asyncio.sleep(0.2)
        if run.clock.simulated_s < due:
            continue
        kind = FAULTS[index % len(FAULTS)]
        run.faults.append((time.time(), kind))
        run.missed.known = False  # our own subscription loses what the worker loses
        if kind == "pushes dropped":
            await run.sim.post("/_sim/faults/events", json={"paused": True})
            await asyncio.sleep(PUSHES_DROPPED_S)
            await run.sim.post("/_sim/faults/events", json={"paused": False})
        elif kind == "link dropped":
            await run.sim.post("/_sim/faults/drop_sockets")
        else:
            await asyncio.to_thread(hand_over, run.args.redis_url, start_worker)
        due, index = due + FAULT_EVERY_MIN * 60, index + 1


def hand_over(redis_url: str, start_worker: Callable[[], None]) -> None:
    """A fresh standby joins, then the leader is killed (SIGKILL): the standby already
    running takes over, as in production."""
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        holder = str(client.get(LEADER_KEY) or "")
    start_worker()
    if ":" in holder:
        os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)


async def settle(run: Run) -> dict[str, Any]:
    """The clock stopped: how long until the board equals the truth, or what still differs."""
    started = time.monotonic()
    found: dict[str, list[str]] = {}
    while time.monotonic() - started < SETTLE_S:
        view = run.follow(await run.truth())
        found = differences(view, board_view(await run.board(), run.clock.to_sim))
        found = {metric: wrong for metric, wrong in found.items() if wrong}
        if not found:
            return {"equal": True, "after_s": round(time.monotonic() - started, 1)}
        await asyncio.sleep(0.5)
    return {"equal": False, "after_s": SETTLE_S, "differences": found}


async def measure(
    args: argparse.Namespace, web_port: int, token: str, start_worker: Callable[[], None]
) -> tuple[Run, float, dict[str, Any]]:
    headers = {"Cookie": f"wb_display={token}", "Origin": f"http://127.0.0.1:{web_port}"}
    async with (
        httpx.AsyncClient(base_url=args.sim_url, timeout=30) as sim,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{web_port}", headers=headers) as web,
    ):
        screen = BoardSocket(f"ws://127.0.0.1:{web_port}/ws/board/{BOARD}/", headers)
        missed = MissedCalls(args.sim_url, SIM_CLIENT_ID, args.sim_secret)
        watchers = [asyncio.create_task(screen.run()), asyncio.create_task(missed.run())]
        await asyncio.wait_for(asyncio.gather(screen.ready.wait(), missed.ready.wait()), 60)
        clock = SimClock(sim, args.speed, STEP_S)
        run = Run(args, sim, web, clock, screen, missed, Tracker(SERVICE_LEVEL_S))
        await clock.start()
        run.observe(await run.truth(), time.time(), first=True)
        started = time.monotonic()
        tasks = [asyncio.create_task(sample(run))]
        if args.faults:
            tasks.append(asyncio.create_task(inject_faults(run, start_worker)))
        await drive(run)
        wall = time.monotonic() - started
        await asyncio.gather(*tasks)
        end = await settle(run)
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        return run, wall, end


def worker_env(env: dict[str, str], speed: float) -> dict[str, str]:
    """The thresholds the board applies by its own clock, which runs `speed` times slower than
    the simulated one: 20 s of simulated wait is 20 / speed s of the worker's."""
    return {
        **env,
        "SERVICE_LEVEL_SECONDS": str(max(1, round(SERVICE_LEVEL_S / speed))),
        "SHORT_ABANDON_SECONDS": str(round(SHORT_ABANDON_S / speed)),
    }


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    state_dir = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    try:
        with private_redis() as handle, ProcessGroup(ready_timeout=60) as group:
            env = worker_env(bench_env(state_dir, handle.url), args.speed)
            run_python(env, "manage.py", "migrate", "--no-input", "-v0")
            args.sim_secret, args.redis_url = env["PBX_CLIENT_SECRET"], handle.url
            sim = ["--scenario", args.scenario, "--speed", "0.001", "--seed", str(args.seed),
                   *(["--arrival-per-min", str(args.arrival_per_min)]
                     if args.arrival_per_min is not None else [])]  # fmt: skip
            args.sim_url = start_sim(group, env, *sim)
            (token,) = seed_board(env, sim_queues(args.sim_url), 1)
            workers: list[ManagedProcess] = []

            def start_worker(wait: bool = False) -> None:
                """A worker whose every output line is kept (its corrections are read from it)."""
                name = f"worker{len(workers) + 1}"
                check = {"ready_check": lambda: link_connected(handle.url)} if wait else {}
                argv = ["manage.py", "listen_pbx"]
                workers.append(python_process(name, argv, env, tail_lines=10**6, **check))
                group.start(workers[-1])

            start_worker(wait=True)
            if args.faults:
                start_worker()  # the standby a hand-over needs
            port = free_port()
            group.start(daphne_process("daphne", APPLICATION, port, env))
            pids = {n: group[n].pid or 0 for n in ("pbxsim", "daphne", "worker1")}
            redis_pid = handle.process.pid if handle.process else 0
            meter = UsageMeter({**pids, "redis": redis_pid or 0, "bench": os.getpid()})
            meter.start()
            run, wall, end = asyncio.run(measure(args, port, token, start_worker))
            usage = {name: asdict(u) for name, u in meter.stop().items()}
            return report(run, wall, end, usage, corrections(workers, run.recovering))
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def _metric(tally: Tally) -> dict[str, Any]:
    outside = tally.outside_equal + tally.outside_behind
    return {
        **asdict(tally), "samples": tally.samples, "equal_pct": _pct(tally.equal, tally.samples),
        "outside_equal_pct": _pct(tally.outside_equal, tally.outside),
        "outside_right_pct": _pct(outside, tally.outside),
    }  # fmt: skip


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def report(
    run: Run, wall: float, end: dict[str, Any], usage: dict[str, Any], fixed: dict[str, Any]
) -> dict[str, Any]:
    stable = run.counts["stable"]
    metrics = {metric: _metric(tally) for metric, tally in run.tallies.items()}
    return {
        "simulated_s": round(run.clock.simulated_s, 1),
        "wall_s": round(wall, 1),
        "achieved_speed": round(run.clock.simulated_s / wall, 2) if wall else None,
        "steps": len(run.clock.steps) - 1,
        "samples": run.counts["samples"],
        "stable": stable,
        "unmatched": run.counts["unmatched"],
        "all_equal_pct": _pct(run.counts["all_equal"], stable),
        "stable_outside": run.counts["stable_outside"],
        "all_equal_outside_pct": _pct(
            run.counts["all_equal_outside"], run.counts["stable_outside"]
        ),
        "metrics": metrics,
        "agent_rows_different": dict(run.agent_rows.most_common()),
        "lag": lags(run.changes, run.screen),
        "lag_outside": lags([c for c in run.changes if not run.recovering(c[2])], run.screen),
        "corrections": fixed,
        "faults": [
            {"at_s": round(at - run.clock.steps[0].wall, 1), "kind": kind}
            for at, kind in run.faults
        ],
        "end": end,
        "board_socket_reconnects": run.screen.reconnects,
        "missed_calls_known": run.missed.known,
        "per_agent_answered_known": run.tracker.complete,
        "usage": usage,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30, help="simulated minutes")
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        help="simulated seconds per wall second (default 5: the thresholds stay whole; with "
        "--faults 1: waits counted from CDRs are on the PBX's clock, the worker's only at 1)",
    )
    parser.add_argument("--scenario", default="contact-centre", help="pbxsim scenario")
    parser.add_argument(
        "--arrival-per-min",
        type=float,
        default=None,
        help="callers per minute per queue (default: pbxsim's)",
    )
    parser.add_argument("--seed", type=int, default=1, help="pbxsim's traffic seed")
    parser.add_argument(
        "--faults",
        action="store_true",
        help="dropped pushes, link drops and worker hand-overs, in turn",
    )
    parser.add_argument(
        "--recovery-s",
        type=float,
        default=RECOVERY_S,
        help="wall seconds after a fault counted as its recovery (reported apart)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)  # fmt: skip
    if args.speed is None:
        args.speed = FAULTS_SPEED if args.faults else DEFAULT_SPEED
    result = run_bench(args)
    print(summary(args, result))
    config = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()
              if k not in ("sim_secret",)}  # fmt: skip
    path = write_json("accuracy", {"config": config, "machine": machine(), **result}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
