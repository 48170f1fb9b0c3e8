"""The accuracy benchmark's reading and writing: the worker's log read for its REST
corrections, lags from a truth change to the screen, and the result as text."""

import argparse
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bench.accuracy_watch import BoardSocket, Fact
from bench.report import percentiles
from devstack.procs import ManagedProcess

CORRECTED = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) WARNING \S+: "
    r"REST resync corrected the live state: (.*)$"
)
# The worker's INFO line naming each fact two REST reads confirmed wrong (kept in the JSON).
CONFIRMED = re.compile(r" INFO \S+: (Confirmed by a second REST read: .*)$")


def lags(changes: list[tuple[Fact, Any, float]], screen: BoardSocket) -> dict[str, Any]:
    """Truth change (the clock step that made it) → the board socket showing it, in ms."""
    by_key: dict[Fact, list[tuple[Any, float]]] = {}
    for key, value, at in changes:
        by_key.setdefault(key, []).append((value, at))
    samples: list[float] = []
    outcome: Counter[str] = Counter()
    for key, moves in by_key.items():
        ends = [at for _, at in moves[1:]] + [float("inf")]
        for (value, at), end in zip(moves, ends, strict=True):
            shown = screen.first_shown(key, value, at, end)
            if shown is not None:
                samples.append((shown - at) * 1000)
            elif _showing(screen, key, at) == value:
                outcome[f"already_shown:{key[0]}"] += 1  # flickered back to what was shown
            else:
                outcome[f"never_shown:{key[0]}"] += 1  # before the truth moved on
    return {
        "ms": percentiles(samples),
        "already_shown": sum(n for k, n in outcome.items() if k.startswith("already")),
        "never_shown": sum(n for k, n in outcome.items() if k.startswith("never")),
        "by_metric": dict(outcome),
    }


def _showing(screen: BoardSocket, key: Fact, at: float) -> Any:
    before = [value for when, value in screen.history.get(key, []) if when < at]
    return before[-1] if before else None


def corrections(
    workers: list[ManagedProcess], recovering: Callable[[float], bool]
) -> dict[str, Any]:
    """The worker's "REST resync corrected the live state" lines, by kind, how many came in an
    injected fault's recovery window, and its lines naming the facts confirmed."""
    kinds: Counter[str] = Counter()
    near: Counter[str] = Counter()
    facts: list[str] = []
    for worker in workers:
        for line in worker.output_tail().splitlines():
            confirmed = CONFIRMED.search(line)
            facts += [f"{line[:19]} {confirmed[1]}"] if confirmed else []
            match = CORRECTED.match(line)
            if match is None:
                continue
            at = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").timestamp() + int(match[2]) / 1e3
            for part in match[3].split(", "):
                kind, _, count = part.rpartition(" x")
                kinds[kind] += int(count)
                if recovering(at):
                    near[kind] += int(count)
    return {
        "total": sum(kinds.values()), "by_kind": dict(kinds), "after_faults": dict(near),
        "confirmed": facts,
    }  # fmt: skip


def table(result: dict[str, Any]) -> str:
    rows = [("metric", "samples", "equal %", "behind", "different", "near fault")]
    for metric, m in result["metrics"].items():
        if m["samples"]:
            rows.append((metric, str(m["samples"]), f"{m['equal_pct']:.2f}", str(m["behind"]),
                         str(m["different"]), str(m["near_fault"])))  # fmt: skip
        else:
            rows.append((metric, "0", "no truth", "-", "-", "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]  # fmt: skip
    return "\n".join(lines)


def _outside(args: argparse.Namespace, result: dict[str, Any]) -> list[str]:
    """The figures outside the faults' recovery windows."""
    ms = result["lag_outside"]["ms"]
    right = ", ".join(
        f"{metric} {m['outside_equal_pct']} % ({m['outside_right_pct']} % with behind)"
        for metric, m in result["metrics"].items()
        if m["outside"]
    )
    return [
        f"outside the {args.recovery_s:.0f} s after each fault: {result['stable_outside']} "
        f"stable samples, all metrics equal in {result['all_equal_outside_pct']} %; {right}",
        f"  lag outside: p50 {ms.get('p50')} ms, p99 {ms.get('p99')}, max {ms.get('max')}",
    ]


def summary(args: argparse.Namespace, result: dict[str, Any]) -> str:
    lag, fixed, end = result["lag"], result["corrections"], result["end"]
    ms = lag["ms"]
    kinds = ", ".join(f"{k} x{n}" for k, n in sorted(fixed["by_kind"].items())) or "none"
    lines = [
        f"accuracy: {args.scenario}, {result['simulated_s'] / 60:.1f} simulated minutes in "
        f"{result['wall_s']:.0f} s (speed {args.speed:g}, achieved {result['achieved_speed']}), "
        f"faults: {', '.join(f['kind'] for f in result['faults']) or 'none'}",
        f"samples {result['samples']}, stable {result['stable']} (compared; "
        f"{result['unmatched']} unmatched), all metrics equal in {result['all_equal_pct']} %",
        table(result),
        f"lag truth change -> board socket: p50 {ms.get('p50')} ms, p95 {ms.get('p95')}, "
        f"p99 {ms.get('p99')}, max {ms.get('max')} ({ms.get('count', 0)} changes; "
        f"{lag.get('never_shown', 0)} never shown, {lag.get('already_shown', 0)} already shown)",
        f"REST corrections: {fixed['total']} ({kinds}); within {args.recovery_s:.0f} s after a "
        f"fault: {sum(fixed['after_faults'].values())}",
        *(_outside(args, result) if result["faults"] else []),
        "end (clock stopped): "
        + (
            f"equal after {end['after_s']} s"
            if end["equal"]
            else f"still different after {end['after_s']} s: {end['differences']}"
        ),
    ]
    rows = ", ".join(f"{kind} x{n}" for kind, n in result["agent_rows_different"].items())
    lines.append(f"agents shown wrong (agent x samples, not behind): {rows or 'none'}")
    for metric, m in result["metrics"].items():
        lines += [f"  {metric}: {example}" for example in m["examples"][:2]]
    return "\n".join(lines)
