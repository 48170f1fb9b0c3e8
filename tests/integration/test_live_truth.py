"""The board equals the PBX while calls flow, not only once they stop: the simulator's clock is
moved through busy minutes a few simulated seconds at a time, and every stable sample of the
board (its snapshot API, read between two equal reads of `/_sim/state`) must show the truth of
that moment (unanswered callers per queue, each agent's login and pause, today's outcomes) or,
while the board catches up, a mix of it and the truth one step before. The worker's periodic
REST resync is kept out of the way, so a miscount cannot be corrected before it is seen.
Scripted callers make every way out of a queue happen (abandoned, timed out, transferred out),
each only as a real PBX would."""

import time
from typing import Any

import httpx
import pytest

from bench.livetruth import (
    OUTCOMES,
    View,
    between,
    board_view,
    differences,
    fingerprint,
    truth_view,
)
from bench.stack import seed_board
from devstack.procs import free_port
from pbxsim.directory import SMALL
from tests.integration.stack import Rig, start_daphne

pytestmark = pytest.mark.integration

# `small` overloaded (15 callers a minute per queue for 8 agents): callers wait, ring, are
# answered, abandon; a few leave by a key press (transferred), and in 6401 some time out.
BUSY = ["--speed", "0.001", "--arrival-per-min", "15", "--seed", "3"]
MINUTES, STEP_S = 4, 2  # simulated
# `small`'s queues: how long a caller may wait in each (6400's 600 s outlasts the test).
MAX_WAIT_S = {queue.number: queue.max_wait_time for queue in SMALL.queues}
# So that every way out of a queue happens, whatever the random traffic does: every SCRIPT_EVERY
# steps a scripted caller (one no agent rings) joins a queue and, so many simulated seconds
# later, leaves it as the next of SCRIPTED says. Only as a real PBX lets it: a caller times out
# once it has waited the queue's maximum, and here only in 6401, whose failover goes on (to
# 1005's voicemail). A board tells a timeout from an abandon by that wait or by the call going
# on to the failover; here the first cannot work (the board's wall clock stays behind the
# simulator's, pushed ahead), so a timeout in 6400, whose failover ends the call, would look
# like an abandon, and so would any timeout sent before the maximum wait.
SCRIPT_EVERY = 10
SCRIPTED = (
    ("6400", "transfer", 10),
    ("6401", "timeout", MAX_WAIT_S["6401"]),
    ("6400", "abandon", 10),
    ("6401", "transfer", 10),
    ("6401", "abandon", 10),
)
CATCH_UP_S = 10.0  # wall seconds the board may take to show a step (it takes ~0.1 s)
METRICS = ("unanswered", *OUTCOMES, "agent_login_pause")


def compared(view: View) -> View:
    """The metrics this test holds the board to; agents by login and pause only."""
    agents = {
        number: tuple((row[0], row[1], row[2]) for row in rows)
        for number, rows in view["agent_state"].items()
    }
    return {metric: view[metric] for metric in METRICS[:-1]} | {"agent_login_pause": agents}


def newest_call(state: dict[str, Any]) -> int:
    """The highest call sequence number the truth knows (call IDs are `<seconds>.<sequence>`)."""
    ids = [c["call_id"] for c in state["calls"]] + [
        e["call_id"] for q in state["queues"] for e in (*q["waiting"], *q["ringing"], *q["active"])
    ]
    return max((int(i.rsplit(".", 1)[1]) for i in ids), default=0)


def wrong(old: View, new: View, board: View, born_after: int) -> list[str]:
    """Where the board shows what was never true between the two truths (a caller who came and
    went within the step may flash by: newer than any call the older truth knew)."""
    found = []
    for metric in METRICS:
        for number, value in new[metric].items():
            shown = board[metric].get(number)
            if metric == "unanswered" and isinstance(shown, frozenset):
                shown = frozenset(
                    c for c in shown if c in old[metric][number] | value
                    or int(c.rsplit(".", 1)[1]) <= born_after
                )  # fmt: skip
            if not between(metric, old[metric][number], value, shown):
                found.append(f"{metric} {number}: before {old[metric][number]}, now {value}, "
                             f"board {board[metric].get(number)}")  # fmt: skip
    return found


def board_of(snapshot: dict[str, Any]) -> View:
    return compared(board_view(snapshot))


def follow(rig: Rig, web: httpx.Client, old: dict[str, Any], label: str) -> dict[str, Any]:
    """Sample until the board shows the truth; every stable sample meanwhile must show it or a
    mix of it and `old`, the truth one step before. Returns the truth reached."""
    before, born_after = compared(truth_view(old)), newest_call(old)
    deadline, samples, behind = time.monotonic() + CATCH_UP_S, 0, ["no stable sample"]
    while time.monotonic() < deadline:
        first = rig.sim("GET", "state")
        board = board_of(web.get("/api/boards/bench/snapshot/").raise_for_status().json())
        second: dict[str, Any] = rig.sim("GET", "state")
        if fingerprint(first) != fingerprint(second):
            # The simulator moved by itself (its clock creeps): sample again. The board may still
            # be on its way from `before`, so that stays the lower bound (raising it to `first`
            # called a board one event behind "never true").
            time.sleep(0.02)  # the poll's pace, within the deadline above
            continue
        truth, samples = compared(truth_view(second)), samples + 1
        if found := wrong(before, truth, board, born_after):
            never = f"the board shows what was never true: {'; '.join(found)}"
            pytest.fail(f"{label}, stable sample {samples}: {never}")
        if not (behind := [line for lines in differences(truth, board).values() for line in lines]):
            return second
        time.sleep(0.02)
    pytest.fail(f"{label}: the board never caught up: {'; '.join(behind)}")


def script(rig: Rig, step: int, scripted: dict[int, list[tuple[str, str]]]) -> None:
    """A scripted caller joins now, and those whose time has come leave their queue."""
    if step % SCRIPT_EVERY == 0:
        turn = step // SCRIPT_EVERY
        queue, action, after_s = SCRIPTED[turn % len(SCRIPTED)]
        call = rig.sim("POST", "calls", {"queue": queue, "caller": f"0990000{turn:03d}"})
        scripted.setdefault(step + after_s // STEP_S, []).append((call["call_id"], action))
    for call_id, action in scripted.pop(step, []):
        rig.sim("POST", f"calls/{call_id}/{action}")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("idle_rig", [BUSY], indirect=True)
def test_the_board_shows_the_truth_at_every_stable_sample_while_calls_flow(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.env["PBX_RESYNC_SECONDS"] = "3600"
    rig.start_worker()
    queues = [q["number"] for q in rig.sim("GET", "state")["queues"]]
    (token,) = seed_board(rig.env, queues, 1)  # the benchmark's board: every queue
    port = free_port()
    start_daphne(rig, port)
    headers = {"Cookie": f"wb_display={token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as web:
        state = follow(rig, web, rig.sim("GET", "state"), "before the first step")
        scripted: dict[int, list[tuple[str, str]]] = {}
        for step in range(MINUTES * 60 // STEP_S):
            script(rig, step, scripted)
            rig.sim("POST", "clock/advance", {"seconds": STEP_S})
            state = follow(rig, web, state, f"after {(step + 1) * STEP_S} simulated s")
    today = [q["today"] for q in state["queues"]]
    assert sum(t["offered"] for t in today) > 80
    assert all(sum(t[k] for t in today) > 0 for k in ("abandoned", "timed_out", "transferred"))
