"""`rebuild_history` makes the 15-minute history equal the PBX's calls (docs/operations.md#history):
two simulated hours of scripted calls, the worker killed for half an hour of them, then the
command; every interval kept must then hold what the simulator's truth says happened in it.

The simulator's clock is moved by hand (`clock/advance`), two hours in a few wall seconds; the
worker counts its intervals by its own wall clock, so what it wrote while running all sits in the
wall-clock interval of the test, and every simulated interval (the outage's included) is one the
command has to fill. The truth per interval: `/_sim/state`'s outcome counters read at each
interval's start (the simulator's own tally), and, for waits and talk, what the script told the
simulator to do, at the simulated second it did it."""

import json
import os
import signal
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from dashboard.streams import EPOCH_KEY
from tests.integration.stack import Rig, manage, wait_until

pytestmark = pytest.mark.integration

ZONE = "Asia/Bangkok"  # the simulator's, which TIME_ZONE must be
INTERVAL_S = 900
INTERVALS = 8  # two simulated hours of calls; in the interval after, the last talk ends
OUTAGE = range(3, 5)  # the intervals the worker is down for
SERVICE_LEVEL_S = 20
SETTLE_S = 3600 + INTERVAL_S  # the command leaves the last hour to the worker: move past it
OUTCOMES = ("offered", "answered", "abandoned", "short_abandoned", "timed_out", "transferred")


@dataclass(frozen=True)
class Call:
    """One scripted caller, seconds from its interval's start: arrives, then leaves the queue
    (`how`: answer by `agent`, abandon or timeout) at `leaves`, and (answered) hangs up at
    `ends`, which may fall in the next interval."""

    queue: str
    arrives: int
    how: str
    leaves: int
    agent: str = ""
    ends: int = 0


# Per interval; agents of one queue only (1003 serves both), none the failover's (1005).
SCRIPT = (
    Call("6400", 60, "answer", 70, "1001", 190),  # within the service level
    Call("6400", 300, "answer", 340, "1002", 400),  # after it
    Call("6400", 500, "abandon", 530),
    Call("6400", 600, "abandon", 602),  # short
    Call("6401", 100, "answer", 105, "1004", 805),
    Call("6401", 200, "timeout", 320),  # 6401's maximum wait is 120 s
    Call("6401", 850, "answer", 880, "1006", 960),  # talks into the next interval
)


# Read through the ORM in a process on the rig's database, whichever engine it is.
READ_INTERVALS = """
import json
from dashboard.models import QueueInterval
rows = QueueInterval.objects.values_list("queue", "start", "counters")
print(json.dumps([[queue, int(start.timestamp()), counters] for queue, start, counters in rows]))
"""


def db_intervals(env: dict[str, str]) -> dict[tuple[str, int], dict[str, int]]:
    """Every QueueInterval row, by queue and start (epoch seconds)."""
    rows = json.loads(manage(env, "shell", "--no-imports", "-c", READ_INTERVALS))
    return {(queue, start_s): counters for queue, start_s, counters in rows}


def tally(rig: Rig) -> dict[str, dict[str, int]]:
    """The simulator's outcome counters per queue (its `abandoned` holds the short ones)."""
    return {q["number"]: dict(q["today"]) for q in rig.sim("GET", "state")["queues"]}


class Script:
    """Drives the simulator through the script, reading its tally at each interval's start."""

    def __init__(self, rig: Rig, base_s: int) -> None:
        self.rig, self.base_s = rig, base_s
        self.now_s = rig.sim("GET", "state")["time"] / 1000
        self.ids: dict[tuple[int, Call], str] = {}
        self.tallies: list[dict[str, dict[str, int]]] = []

    def advance_to(self, at_s: float) -> None:
        """Move the clock to `at_s` (or leave it, if it crept past: by microseconds)."""
        moved = self.rig.sim("POST", "clock/advance", {"seconds": max(0.0, at_s - self.now_s)})
        self.now_s = moved["time"] / 1000

    def run_interval(self, k: int) -> None:
        start = self.base_s + k * INTERVAL_S
        self.advance_to(start)
        self.tallies.append(tally(self.rig))
        for offset, step, call, key in sorted(self._steps(k), key=lambda item: item[0]):
            self.advance_to(start + offset)
            self._do(step, call, key)

    def _steps(self, k: int) -> list[tuple[int, str, Call, tuple[int, Call]]]:
        steps = []
        for call in arriving(k):
            steps += [
                (call.arrives, "arrive", call, (k, call)),
                (call.leaves, call.how, call, (k, call)),
            ]
            steps += [(call.ends, "hangup", call, (k, call))] if call.ends else []
        # A call talking into this interval from the one before hangs up in it.
        steps += [
            (call.ends - INTERVAL_S, "hangup", call, (k - 1, call))
            for call in SCRIPT
            if k > 0 and call.ends > INTERVAL_S
        ]
        return [step for step in steps if step[0] < INTERVAL_S]

    def _do(self, step: str, call: Call, key: tuple[int, Call]) -> None:
        if step == "arrive":
            body = {"queue": call.queue, "caller": f"08{key[0]:02d}{call.arrives:06d}"}
            self.ids[key] = self.rig.sim("POST", "calls", body)["call_id"]
            return
        body = {"agent": call.agent} if step == "answer" else {}
        self.rig.sim("POST", f"calls/{self.ids[key]}/{step}", body)


def arriving(k: int) -> tuple[Call, ...]:
    return SCRIPT if k < INTERVALS else ()


def expected(script: Script) -> dict[tuple[str, int], dict[str, int]]:
    """Each queue's interval as the simulator tallied it, with the script's waits and talk."""
    found: dict[tuple[str, int], dict[str, int]] = {}
    for k in range(INTERVALS + 1):
        start = script.base_s + k * INTERVAL_S
        for queue in ("6400", "6401"):
            before, after = script.tallies[k][queue], script.tallies[k + 1][queue]
            counts = {outcome: after[outcome] - before[outcome] for outcome in OUTCOMES}
            counts["abandoned"] -= counts["short_abandoned"]  # the board counts them apart
            row = counts | _timings(queue, k)
            if any(row.values()):
                found[(queue, start)] = row
    return found


def _timings(queue: str, k: int) -> dict[str, int]:
    """What the script's waits and talk put in interval k of the queue."""
    mine = [call for call in arriving(k) if call.queue == queue]
    answered = [c for c in mine if c.how == "answer"]
    carried = [c for c in arriving(k - 1) if c.queue == queue and c.ends >= INTERVAL_S]
    ended_here = [c for c in answered if c.ends < INTERVAL_S] + (carried if k > 0 else [])
    abandoned = [c for c in mine if c.how == "abandon"]
    return {
        "answered_in_sl": sum(c.leaves - c.arrives <= SERVICE_LEVEL_S for c in answered),
        "abandoned_after_sl": sum(c.leaves - c.arrives > SERVICE_LEVEL_S for c in abandoned),
        "answered_wait_ms": sum((c.leaves - c.arrives) * 1000 for c in answered),
        "handled": len(ended_here),
        "talk_ms": sum((c.ends - c.leaves) * 1000 for c in ended_here),
        "waits_unknown": 0,
    }


def days_spanned(*epochs_s: float) -> tuple[str, str]:
    local = [datetime.fromtimestamp(s, ZoneInfo(ZONE)).date() for s in epochs_s]
    return min(local).isoformat(), max(local).isoformat()


def restart_worker(rig: Rig, client: redis.Redis) -> None:
    """A new worker, leading once the killed one's lease ran out (a new epoch)."""
    epoch = client.get(EPOCH_KEY)
    rig.start_worker(wait_for=None)
    wait_until(lambda: client.get(EPOCH_KEY) not in (epoch, None))


# The clock stands all but still (a second every ~12 days) but for `clock/advance`.
@pytest.mark.parametrize("idle_rig", [["--speed", "0.000001"]], indirect=True)
def test_rebuilt_intervals_equal_the_simulators_truth_after_a_worker_outage(
    idle_rig: Rig,
) -> None:
    rig = idle_rig
    rig.env |= {"TIME_ZONE": ZONE, "BUSINESS_DAY_START": "00:00"}
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    started_s = rig.sim("GET", "state")["time"] / 1000
    worker = rig.start_worker()
    base_s = (int(started_s) // INTERVAL_S + 1) * INTERVAL_S  # the next interval's start
    script = Script(rig, base_s)
    for k in range(INTERVALS + 1):
        if k == OUTAGE.start:
            os.kill(worker.pid or 0, signal.SIGKILL)
        if k == OUTAGE.stop:
            restart_worker(rig, client)
        script.run_interval(k)
    script.advance_to(base_s + (INTERVALS + 1) * INTERVAL_S)
    script.tallies.append(tally(rig))
    script.advance_to(base_s + (INTERVALS + 1) * INTERVAL_S + SETTLE_S)
    rig.workers[-1].stop()
    live = db_intervals(rig.env)
    first, last = days_spanned(started_s, script.now_s)
    outage_start = base_s + OUTAGE.start * INTERVAL_S
    assert not any(start >= base_s for _, start in live)  # nothing yet where the calls were

    report = manage(rig.env, "rebuild_history", "--from", first, "--to", last)

    truth = expected(script)
    rows = db_intervals(rig.env)
    assert rows == truth
    assert ("6401", outage_start) in rows  # the outage's intervals are filled
    shown = datetime.fromtimestamp(outage_start, ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")
    assert f"6401 {shown} offered: 0 → 3" in report
    assert f"changed {len(truth.keys() | live.keys())} queue intervals" in report
    again = manage(rig.env, "rebuild_history", "--from", first, "--to", last)
    assert "changed 0 queue intervals" in again
