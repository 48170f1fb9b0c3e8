"""`python -m bench.demo_day`: what the demo's call centre looks like, without the product: pbxsim
alone with the `demo` scenario (as `make demo` should run it), its clock moved a simulated second
at a time for `--minutes`, `/_sim/state` read after every second. Per 5-minute window and queue:
callers offered and how each call ended, the service level (answered within 20 s ÷ answered +
abandoned after 20 s, from the waits the reads show), the most callers unanswered at once, the
longest wait, agents paused, and how long a board's tile would have been amber or red."""

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bench.livetruth import OUTCOMES, Counts, Tracker, unanswered_entries
from bench.report import RESULTS, write_json
from bench.stack import SIM_READY, python_process
from devstack.procs import ProcessGroup

WINDOW_S = 300
# A board's default thresholds (dashboard.models.Board): unanswered callers, longest wait (s),
# the day's service level (%). At or beyond warn a tile is amber, at critical red.
WAITING, LONGEST, LEVEL = (3, 6), (60, 120), (80, 60)


@dataclass
class Window:
    """One queue over one window."""

    start_s: int
    today_before: dict[str, int]
    counts_before: Counts
    today: dict[str, int] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    peak_unanswered: int = 0
    longest_wait_s: float = 0.0
    paused_peak: int = 0
    amber_s: int = 0
    red_s: int = 0

    def row(self) -> dict[str, Any]:
        delta = {k: self.today[k] - self.today_before.get(k, 0) for k in self.today}
        level = _window_level(self.counts_before, self.counts)
        return {"minute": self.start_s // 60, **delta, "service_level": level,
                "peak_unanswered": self.peak_unanswered,
                "longest_wait_s": round(self.longest_wait_s),
                "paused_peak": self.paused_peak, "amber_s": self.amber_s,
                "red_s": self.red_s}  # fmt: skip


def _window_level(before: Counts, after: Counts) -> float | None:
    """The service level of the calls of one window (the middle of its bounds, which are as
    wide as one simulated second of each wait)."""
    bounds = after.since(before).service_level()
    return None if bounds is None else round((bounds.low + bounds.high) / 2, 1)


def colour(unanswered: int, longest_s: float, level: float | None) -> int:
    """0 green, 1 amber, 2 red: the worst of the three thresholds."""
    worst = 0
    for value, (warn, critical) in ((unanswered, WAITING), (longest_s, LONGEST)):
        worst = max(worst, 2 if value >= critical else 1 if value >= warn else 0)
    if level is not None:
        worst = max(worst, 2 if level <= LEVEL[1] else 1 if level <= LEVEL[0] else 0)
    return worst


def run(args: argparse.Namespace) -> dict[str, Any]:
    sim = ["-m", "pbxsim", "--port", "0", "--scenario", args.scenario, "--speed", "0.001",
           "--arrival-per-min", str(args.arrival_per_min), "--seed", str(args.seed)]  # fmt: skip
    with ProcessGroup(ready_timeout=60) as group:
        (url,) = group.start(python_process("pbxsim", sim, {}, ready_line_pattern=SIM_READY))
        with httpx.Client(base_url=str(url), timeout=30) as http:
            return walk(http, args.minutes)


def walk(http: httpx.Client, minutes: float) -> dict[str, Any]:
    tracker, windows = Tracker(), dict[str, Window]()
    state = http.get("/_sim/state").json()
    tracker.observe(state)
    start = state["time"]
    rows: dict[str, list[dict[str, Any]]] = {}
    for second in range(int(minutes * 60) + 1):
        if second:
            http.post("/_sim/clock/advance", json={"seconds": 1})
            state = http.get("/_sim/state").json()
            tracker.observe(state)
        for queue in state["queues"]:
            number, today = queue["number"], {k: queue["today"].get(k, 0) for k in _counters()}
            window = windows.get(number)
            if window is None:
                window = windows[number] = Window(0, dict.fromkeys(today, 0), Counts())
            elif second - window.start_s >= WINDOW_S:
                rows.setdefault(number, []).append(window.row())
                window = windows[number] = Window(second, window.today, window.counts)
            _observe(window, tracker, queue, state["time"], today)
    return {"start_ms": start, "windows": rows}


def _counters() -> tuple[str, ...]:
    return (*OUTCOMES, "short_abandoned")


def _observe(
    window: Window, tracker: Tracker, queue: dict[str, Any], now_ms: float, today: dict[str, int]
) -> None:
    number = queue["number"]
    window.today, window.counts = today, replace(tracker.counts[number])
    unanswered = len(unanswered_entries(queue))
    since = tracker.longest_wait(queue)
    longest = 0.0 if since is None else (now_ms - since.high) / 1000
    paused = sum(1 for agent in queue["agents"] if agent["paused"])
    window.peak_unanswered = max(window.peak_unanswered, unanswered)
    window.longest_wait_s = max(window.longest_wait_s, longest)
    window.paused_peak = max(window.paused_peak, paused)
    level = tracker.counts[number].service_level()
    shown = None if level is None else (level.low + level.high) / 2
    tint = colour(unanswered, longest, shown)
    window.amber_s += tint == 1
    window.red_s += tint == 2


COLUMNS = ("minute", "offered", "answered", "abandoned", "short_abandoned", "timed_out",
           "transferred", "service_level", "peak_unanswered", "longest_wait_s", "paused_peak",
           "amber_s", "red_s")  # fmt: skip


def table(result: dict[str, Any]) -> str:
    lines = []
    for number, rows in result["windows"].items():
        lines.append(f"queue {number}")
        cells = [list(COLUMNS)] + [[str(row[c]) for c in COLUMNS] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
        levels = [row["service_level"] for row in rows if row["service_level"] is not None]
        inside = sum(70 <= level <= 95 for level in levels)
        lines.append(f"  service level between 70 and 95 % in {inside} of {len(levels)} windows; "
                     f"red in {sum(row['red_s'] > 0 for row in rows)} windows")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_day", description=__doc__)
    parser.add_argument("--minutes", type=float, default=60, help="simulated minutes")
    parser.add_argument("--scenario", default="demo", help="pbxsim scenario")
    parser.add_argument("--arrival-per-min", type=float, default=10, help="as make demo runs it")
    parser.add_argument("--seed", type=int, default=1, help="pbxsim's seed (make demo: 1)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)
    result = run(args)
    print(table(result))
    config = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    print(f"wrote {write_json('demo_day', {'config': config, **result}, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
