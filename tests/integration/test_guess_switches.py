"""The reducer stays right under every GUESS the reference leaves open: pbxsim switches each one
(docs/yeastar-api.md §3.4, §4.1, §4.9, §6.2) and the board must match the simulator's truth."""

import json
from typing import Any

import pytest
import redis

from tests.integration.stack import Rig, wait_until

pytestmark = pytest.mark.integration

SWITCHES = [
    [],
    ["--waiting-shape", "answered"],
    ["--waiting-shape", "queue_member"],
    ["--call-path", "ivr_then_queue"],
    ["--call-path", "ivr_dash_queue"],
    ["--queue-prefix", "--agent-status-style", "compact"],
    ["--agent-status-style", "lower"],
    ["--msg-object", "30011", "--msg-object", "30029", "--msg-object", "30025"],
    ["--listener-member"],
]


def published(rig: Rig) -> dict[str, Any]:
    raw = redis.Redis.from_url(rig.redis_url, decode_responses=True).get("wb:stream:queue:6400")
    return json.loads(str(raw))["data"]  # type: ignore[no-any-return]


def agent_row(rig: Rig, number: str) -> dict[str, Any]:
    return next(agent for agent in published(rig)["agents"] if agent["number"] == number)


@pytest.mark.parametrize(
    "idle_rig", SWITCHES, indirect=True, ids=lambda s: " ".join(s) or "defaults"
)
def test_calls_and_pauses_read_right_under_each_guess(idle_rig: Rig) -> None:
    rig = idle_rig
    rig.start_worker()
    call = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550031"})
    wait_until(lambda: [c["caller"] for c in published(rig)["waiting"]] == ["5550031"])

    rig.sim("POST", f"calls/{call['call_id']}/answer", {"agent": "1001"})
    wait_until(
        lambda: not published(rig)["waiting"] and agent_row(rig, "1001")["state"] == "on_call"
    )
    (live,) = published(rig)["calls"]  # what call/listen needs: the agent's own channel
    assert (live["call_id"], live["agent"]) == (call["call_id"], "1001")
    assert live["agent_channel_id"].startswith("PJSIP/1001-")

    rig.sim("POST", "agents/1002/pause", {"reason": "Lunch"})
    wait_until(lambda: agent_row(rig, "1002")["pause_reason"] == "Lunch")
    rig.sim("POST", "agents/1002/unpause")
    wait_until(lambda: not agent_row(rig, "1002")["paused"])

    gone = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550032"})
    wait_until(lambda: len(published(rig)["waiting"]) == 1)
    rig.sim("POST", f"calls/{gone['call_id']}/abandon")
    wait_until(lambda: published(rig)["today"]["offered"] == 2 and not published(rig)["waiting"])
    today = published(rig)["today"]
    assert (today["answered"], today["abandoned"] + today["short_abandoned"]) == (1, 1)
