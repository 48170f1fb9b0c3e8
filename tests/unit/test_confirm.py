"""The periodic REST re-read corrects the board only when a second read shows the same difference:
what the events in flight tell meanwhile is no correction, what they lost is."""

from collections import Counter
from typing import Any, cast

import pytest

from dashboard.live.agents import Agent, Extension
from dashboard.live.calls import load_active
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.queues import apply_call_event
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.worker.sweep import Sweep
from tests.unit.call_query import call_query_entry

QUEUES = {"6400": 1}
IDLE, TALKING, RINGING = 1, 2, 3


class Pbx:
    """REST replies as the tests set them: one queue, its agents, and the live calls."""

    def __init__(self) -> None:
        self.agent_status = {"1001": IDLE, "1002": IDLE}
        self.waiting: list[dict[str, object]] = []
        self.active: list[dict[str, object]] = []
        self.calls: list[dict[str, object]] = []

    async def get(self, endpoint: str, empty_ok: bool = False, **params: Any) -> dict[str, Any]:
        if endpoint == "queue/call_status":
            return {"waiting_list": self.waiting, "active_list": self.active}
        if endpoint == "queue/agent_status":
            return {"data": [self._agent(n, s) for n, s in self.agent_status.items()]}
        return {"data": self.calls if params["type"] == "inbound" else []}

    @staticmethod
    def _agent(number: str, status: int) -> dict[str, object]:
        return {"number": number, "is_login": 1, "is_pause": 0, "call_status": status}


def centre() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales"})
    live.queues["6400"].agents = {"1001": Agent("1001"), "1002": Agent("1002")}
    live.extensions = {"1001": Extension("1001"), "1002": Extension("1002")}
    return live


@pytest.fixture
def rig() -> tuple[Pbx, LiveState, Sweep]:
    pbx, live = Pbx(), centre()
    return pbx, live, Sweep(cast(PbxApi, pbx), live)


async def sweep(sweep: Sweep, now_ms: int, confirming: bool = False) -> Counter[str]:
    return (await sweep.run(QUEUES, now_ms, confirming))[0]


async def test_a_difference_the_events_then_tell_is_no_correction(rig: Any) -> None:
    pbx, live, rest = rig
    pbx.agent_status["1001"] = RINGING  # its 30029 is still on its way
    assert await sweep(rest, 1000) == Counter()
    assert live.queues["6400"].agents["1001"].call_status == "idle"  # not taken from REST yet
    live.queues["6400"].agents["1001"].call_status = "ringing"  # the event comes
    assert await sweep(rest, 2500, confirming=True) == Counter()
    assert rest.confirmer.pending() == []


async def test_a_difference_seen_twice_is_corrected_and_counted(rig: Any) -> None:
    pbx, live, rest = rig
    pbx.agent_status["1001"] = TALKING  # its 30029 was lost
    await sweep(rest, 1000)
    assert await sweep(rest, 2500, confirming=True) == Counter({"agent_call_status": 1})
    assert live.queues["6400"].agents["1001"].call_status == "talking"


async def test_a_difference_that_moved_on_between_reads_waits_for_the_next(rig: Any) -> None:
    pbx, live, rest = rig
    pbx.agent_status["1001"] = RINGING
    await sweep(rest, 1000)
    pbx.agent_status["1001"] = TALKING  # REST ran ahead again: not the same difference
    assert await sweep(rest, 2500, confirming=True) == Counter()
    assert live.queues["6400"].agents["1001"].call_status == "idle"
    assert await sweep(rest, 16_000) == Counter({"agent_call_status": 1})


async def test_lost_callers_and_calls_are_corrected_on_the_second_read(rig: Any) -> None:
    pbx, live, rest = rig
    load_active(live, live.queues["6400"], [active("2.1", "1002")], 0, connecting=True)
    pbx.waiting = [{"call_id": "1.1", "caller_number": "5550001", "duration": 3}]
    pbx.active = [active("3.1", "1001")]  # and 2.1 hung up unseen
    pbx.agent_status["1001"] = TALKING
    answered = CallMember("extension", "1001", "PJSIP/1001-0000000c", "ANSWER", "6400")
    pbx.calls = [call_query_entry("1.1", caller("ALERT")),
                 call_query_entry("3.1", caller("ANSWERED"), answered)]  # fmt: skip
    await sweep(rest, 10_000)
    assert (live.calls.waiting_in("6400"), list(live.calls.talking())) == ([], ["2.1"])
    found = await sweep(rest, 11_500, confirming=True)
    assert found == Counter({"waiting": 1, "call_added": 1, "call_removed": 1,
                             "agent_call_status": 1, "extension_call_state": 1})  # fmt: skip
    assert [c.call_id for c in live.calls.waiting_in("6400")] == ["1.1"]
    assert list(live.calls.talking()) == ["3.1"]


async def test_a_lost_phone_state_is_corrected_on_the_second_read(rig: Any) -> None:
    pbx, live, rest = rig
    ringing = CallMember("extension", "1002", "PJSIP/1002-0000000b", "RING", "6400")
    pbx.calls = [call_query_entry("4.1", caller("ALERT"), ringing)]
    pbx.waiting = [{"call_id": "4.1", "caller_number": "5550001", "duration": 1}]
    apply_call_event(live, CallEvent("4.1", (caller("ALERT"),)), 500)  # its 30008 was lost
    await sweep(rest, 1000)
    assert live.extensions["1002"].call_state == "Idle"
    found = await sweep(rest, 2500, confirming=True)
    assert found == Counter({"extension_call_state": 1})
    assert live.extensions["1002"].call_state == "Ringing"


async def test_a_read_that_agrees_applies_at_once_and_leaves_nothing_to_confirm(rig: Any) -> None:
    _, _, rest = rig
    assert await sweep(rest, 1000) == Counter()
    assert rest.confirmer.pending() == []
    assert not rest.confirm_due(0)


async def test_the_confirming_read_waits_until_the_events_received_are_applied(
    rig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pbx, _, rest = rig
    monkeypatch.setattr("dashboard.worker.sweep.CONFIRM_S", 0)
    pbx.agent_status["1001"] = RINGING
    await sweep(rest, 1000)
    assert not rest.confirm_due(3)  # three frames still to apply: they may tell it
    assert rest.confirm_due(0)
    assert not rest.confirm_due(0)  # once


async def test_a_queue_gone_before_its_confirming_read_is_not_read_again(rig: Any) -> None:
    pbx, _, rest = rig
    pbx.agent_status["1001"] = RINGING
    await sweep(rest, 1000)
    assert rest.confirmer.pending() == ["6400"]
    assert await rest.run({}, 2500, confirming=True) == (Counter(), set())
    assert rest.confirmer.pending() == []


def caller(status: str) -> CallMember:
    return CallMember("inbound", "5550001", "PJSIP/trunk-t-00000001", status, "6400")


def active(call_id: str, agent: str) -> dict[str, object]:
    return {"call_id": call_id, "caller_number": "5550009", "callee_number": agent, "duration": 5}
