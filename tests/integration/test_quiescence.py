"""Ten simulated minutes of the contact-centre scenario, run at high speed with faults between
the minutes and GUESS switches chosen at random: once the simulator is still, the published state
equals its truth — waiting callers, every agent's login, pause and call status, today's counters."""

import json
import random
import time
from typing import Any

import pytest
import redis

from tests.integration.stack import Rig, read_link, wait_until

pytestmark = pytest.mark.integration

# The model barely moves on its own (1 ms of simulated time per second); the test advances it.
FROZEN = ["--scenario", "contact-centre", "--speed", "0.001", "--arrival-per-min", "12"]
SWITCHES = [
    ["--waiting-shape", "answered", "--queue-prefix"],
    ["--call-path", "ivr_dash_queue", "--agent-status-style", "lower", "--msg-object", "30029"],
    ["--waiting-shape", "queue_member", "--call-path", "ivr_then_queue"],
]
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("faults/expire_tokens", {"refresh": False}),
    ("faults/expire_tokens", {"refresh": True}),
    ("faults/errcode", {"endpoint": "queue/agent_status", "errcode": 10004, "times": 1}),
]
CALL_STATUS = {"talking": "talking", "ringing": "ringing", "hold": "hold"}  # sim state → ours
SETTLE_S = 30  # the worker takes in a simulated minute's burst and, if needed, one REST re-read


def truth(rig: Rig) -> dict[str, Any]:
    """What the board should show, from the simulator's ground truth."""
    state = rig.sim("GET", "state")
    statuses = {a["number"]: CALL_STATUS.get(a["state"], "idle") for a in state["agents"]}
    queues = {}
    for queue in state["queues"]:
        unanswered = queue["waiting"] + queue["ringing"]
        queues[queue["number"]] = {
            "waiting": sorted({call["call_id"] for call in unanswered}),
            "agents": sorted(
                (agent["number"], member["logged_in"], member["paused"], statuses[agent["number"]])
                for agent in state["agents"]
                for member in agent["queues"]
                if member["number"] == queue["number"]
            ),
            "today": {key: queue["stats"][key] for key in
                      ("offered", "answered", "abandoned", "timed_out", "transferred")},
        }  # fmt: skip
    return queues


def published(rig: Rig, numbers: list[str]) -> dict[str, Any]:
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    queues = {}
    for number in numbers:
        data = json.loads(str(client.get(f"wb:stream:queue:{number}")))["data"]
        today = data["today"]
        queues[number] = {
            "waiting": sorted(caller["call_id"] for caller in data["waiting"]),
            "agents": sorted((a["number"], a["logged_in"], a["paused"], a["call_status"])
                             for a in data["agents"]),
            "today": {"offered": today["offered"], "answered": today["answered"],
                      "abandoned": today["abandoned"] + today["short_abandoned"],
                      "timed_out": today["timed_out"], "transferred": today["transferred"]},
        }  # fmt: skip
    return queues


def differences(rig: Rig) -> list[str]:
    """Where the published state and the simulator's truth differ (empty when equal)."""
    expected = truth(rig)
    got = published(rig, list(expected))
    return [
        f"queue {number} {key}: simulator {expected[number][key]} board {got[number][key]}"
        for number in expected
        for key in expected[number]
        if expected[number][key] != got[number][key]
    ]


def settle(rig: Rig, minute: int) -> None:
    """Wait until the board equals the truth; on timeout, say where they differ."""
    deadline = time.monotonic() + SETTLE_S
    while found := differences(rig):
        assert time.monotonic() < deadline, f"after minute {minute}: " + "\n".join(found)[:3000]
        time.sleep(0.2)


def reconnect(rig: Rig) -> None:
    """Drop the event socket and wait for the worker's next connection (the model stands still
    meanwhile, so no event is lost: counters can match exactly)."""
    before = read_link(rig.redis_url)
    rig.sim("POST", "faults/drop_sockets")

    def connected_again() -> bool:
        """the worker connected again after the drop"""
        link = read_link(rig.redis_url)
        return bool(link and before and link["state"] == "connected"
                    and link["since"] != before["since"])  # fmt: skip

    wait_until(connected_again)


@pytest.mark.parametrize("idle_rig", [FROZEN + switches for switches in SWITCHES], indirect=True)
def test_ten_busy_minutes_with_faults_end_equal_to_the_truth(idle_rig: Rig) -> None:
    rig, rng = idle_rig, random.Random(7)
    rig.env["PBX_RESYNC_SECONDS"] = "5"
    rig.start_worker()
    for minute in range(10):
        rig.sim("POST", "clock/advance", {"seconds": 60})
        settle(rig, minute)
        path, body = rng.choice(FAULTS)
        rig.sim("POST", path, body)
        if minute % 3 == 2:
            reconnect(rig)
    settle(rig, 10)
    assert sum(queue["today"]["offered"] for queue in truth(rig).values()) > 100
