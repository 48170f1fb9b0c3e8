"""A scripted agent day against pbxsim over real sockets: each agent's answered and missed calls,
talk, hold and pause time by reason and logged-in time on the board equal the simulator's truth,
and still do once a standby has taken over from a killed leader."""

import json
import os
import signal
from typing import Any

import pytest
import redis

from dashboard.worker.leader import LEADER_KEY
from tests.integration.stack import Rig, wait_until

pytestmark = pytest.mark.integration

AGENTS = ("1001", "1002", "1003")
# The worker times a span by when its events reach it, the simulator by when it acts.
CLOSE_MS = 400
NO_REASON = "(no reason)"
# Logged-in time before the worker first saw each agent: the simulator counts it, the board
# cannot (it counts from its `since`). Measured once, then taken off the truth.
Offsets = dict[str, int]


def published(rig: Rig) -> dict[str, Any]:
    raw = redis.Redis.from_url(rig.redis_url, decode_responses=True).get("wb:stream:queue:6400")
    empty: dict[str, Any] = {"epoch": None, "data": {"agents": []}}  # nothing published yet
    return json.loads(str(raw)) if raw else empty


def board(rig: Rig) -> dict[str, dict[str, Any]]:
    agents = published(rig)["data"]["agents"]
    return {agent["number"]: agent["today"] for agent in agents if agent["number"] in AGENTS}


def so_far(today: dict[str, Any], at_ms: int) -> dict[str, Any]:
    """The board's figures at `at_ms`, as the browser adds what runs (docs/protocol.md)."""
    running = today["running"]
    logged_in = running["logged_in"]
    pauses = dict(today["pause_ms"])
    if running["pause"]:
        reason = running["pause"]["reason"]
        pauses[reason] = pauses.get(reason, 0) + at_ms - running["pause"]["since"]
    return {
        "answered": today["answered"],
        "missed": today["missed"],
        "talk_ms": today["talk_ms"] + sum(at_ms - start for start in running["talk"]),
        "hold_ms": today["hold_ms"] + sum(at_ms - start for start in running["hold"]),
        "pause_ms": pauses,
        "logged_in_ms": today["logged_in_ms"] + (at_ms - logged_in if logged_in else 0),
    }


def kept(client: redis.Redis) -> tuple[list[str], list[str]]:
    """Who the leader has kept as paused, and which calls as held (`wb:today`)."""
    today = json.loads(str(client.get("wb:today")))
    return sorted(today["paused_since"]), sorted(today["held_since"])


def truth(rig: Rig) -> tuple[int, dict[str, dict[str, Any]]]:
    state = rig.sim("GET", "state")
    agents = {
        a["number"]: {
            **a["today"],
            **a["times"],
            "pause_ms": {reason or NO_REASON: ms for reason, ms in a["times"]["pause_ms"].items()},
        }
        for a in state["agents"]
        if a["number"] in AGENTS
    }
    return state["time"], agents


def unseen_logged_in(rig: Rig) -> Offsets:
    """How much logged-in time the simulator counted before the board began to."""
    wait_until(lambda: set(board(rig)) == set(AGENTS))
    at_ms, expected = truth(rig)
    shown = board(rig)
    return {n: want["logged_in_ms"] - so_far(shown[n], at_ms)["logged_in_ms"] for n, want in
            expected.items()}  # fmt: skip


def differences(rig: Rig, offsets: Offsets) -> list[str]:
    """Where the board's agent figures and the truth differ by more than CLOSE_MS."""
    at_ms, expected = truth(rig)
    shown = {number: so_far(today, at_ms) for number, today in board(rig).items()}
    found = []
    for number, want in expected.items():
        want = {**want, "logged_in_ms": want["logged_in_ms"] - offsets[number]}
        got = shown.get(number)
        if got is None or not close(want, got):
            found.append(f"{number}: simulator {want}, board {got}")
    return found


def close(want: dict[str, Any], got: dict[str, Any]) -> bool:
    counts = (want["answered"], want["missed"]) == (got["answered"], got["missed"])
    timed = [(want[key], got[key]) for key in ("talk_ms", "hold_ms", "logged_in_ms")] + [
        (ms, got["pause_ms"].get(reason, 0)) for reason, ms in want["pause_ms"].items()
    ]
    same_reasons = set(want["pause_ms"]) == set(got["pause_ms"])
    return counts and same_reasons and all(abs(a - b) <= CLOSE_MS for a, b in timed)


def settled(rig: Rig, offsets: Offsets) -> None:
    def equal() -> bool:
        """the board's agent figures equal the simulator's truth"""
        return not differences(rig, offsets)

    try:
        wait_until(equal)
    except AssertionError as error:
        raise AssertionError("\n".join(differences(rig, offsets))) from error


def timed(rig: Rig, number: str, figure: str, reason: str = "") -> int:
    """The simulator's talk_ms or hold_ms (or pause_ms under `reason`) of an agent, so far."""
    times = truth(rig)[1][number]
    return int(times["pause_ms"].get(reason, 0) if figure == "pause_ms" else times[figure])


def lasts(rig: Rig, number: str, figure: str, ms: int, reason: str = "") -> None:
    """Let a talk, hold or pause run until the simulator has counted `ms` of it (at speed 1
    its clock is the wall clock: the span must really last, longer than CLOSE_MS)."""
    wait_until(lambda: timed(rig, number, figure, reason) >= ms)


def call(rig: Rig, caller: str) -> str:
    return str(rig.sim("POST", "calls", {"queue": "6400", "caller": caller})["call_id"])


def agent_day(rig: Rig) -> str:
    """1001 takes a call with a hold, then lunch, then a break (still on it); 1003 lets a call
    ring out and logs out of its queues while 1001 talks; 1002 answers the call 1003 missed
    and holds it (both still running)."""
    missed = call(rig, "5550102")
    rig.sim("POST", f"calls/{missed}/ring", {"agent": "1003"})
    rig.sim("POST", f"calls/{missed}/ring_out")
    rig.sim("POST", "agents/1003/logout", {})
    first = call(rig, "5550101")
    rig.sim("POST", f"calls/{first}/answer", {"agent": "1001"})
    lasts(rig, "1001", "talk_ms", 1000)
    rig.sim("POST", f"calls/{first}/hold", {"by": "caller"})
    lasts(rig, "1001", "hold_ms", 1500)
    rig.sim("POST", f"calls/{first}/unhold")
    lasts(rig, "1001", "talk_ms", 3500)
    rig.sim("POST", f"calls/{first}/hangup")
    rig.sim("POST", "agents/1003/login", {})
    rig.sim("POST", "agents/1001/pause", {"reason": "*01"})
    lasts(rig, "1001", "pause_ms", 1500, "Lunch")
    rig.sim("POST", "agents/1001/pause", {"reason": "*02"})
    rig.sim("POST", f"calls/{missed}/answer", {"agent": "1002"})
    rig.sim("POST", f"calls/{missed}/hold", {"by": "agent"})
    lasts(rig, "1002", "hold_ms", 1000)
    return missed


def test_the_boards_agent_figures_equal_the_simulators_and_survive_a_hand_over(rig: Rig) -> None:
    offsets = unseen_logged_in(rig)
    in_progress = agent_day(rig)
    settled(rig, offsets)
    expected = truth(rig)[1]
    assert (expected["1001"]["answered"], expected["1003"]["missed"]) == (1, 1)
    assert set(expected["1001"]["pause_ms"]) == {"Lunch", "Break"}
    # 1003 logged out while 1001 talked (3.5 s at least): its logged-in time shows the gap.
    logged_in = {n: expected[n]["logged_in_ms"] - offsets[n] for n in ("1001", "1003")}
    assert logged_in["1003"] <= logged_in["1001"] - 3000
    running = board(rig)["1002"]["running"]  # its call and hold in progress count so far
    assert (len(running["talk"]), len(running["hold"])) == (1, 1)

    # A successor carries on from what its predecessor kept (with a flush, at most once a
    # second: what came after, it counts again from REST, and a hold from when it sees it).
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    wait_until(lambda: kept(client) == (["1001"], [in_progress]))
    before = published(rig)["epoch"]
    rig.start_worker(wait_for=None)  # the standby
    os.kill(int(str(client.get(LEADER_KEY)).rsplit(":", 1)[1]), signal.SIGKILL)
    wait_until(lambda: published(rig)["epoch"] not in (before, None))
    settled(rig, offsets)
    rig.sim("POST", f"calls/{in_progress}/unhold")
    rig.sim("POST", "agents/1001/unpause")

    def over() -> bool:
        """the board shows 1001's pause and 1002's hold over"""
        shown = board(rig)
        return shown["1001"]["running"]["pause"] is None and not shown["1002"]["running"]["hold"]

    wait_until(over)
    settled(rig, offsets)
