"""`GET /_sim/state` in the shape issue 3 asks for, with the older names kept as aliases."""

import pytest

from tests.pbxsim.sim_harness import SALES, RunningSim

CALLER = "5550001"


async def test_state_shows_a_waiting_caller_per_queue_in_epoch_ms(sim: RunningSim) -> None:
    before = (await sim.state())["time"]
    call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]

    state = await sim.state()

    sales = next(q for q in state["queues"] if q["number"] == SALES)
    assert (sales["id"], sales["name"]) == (1, "Sales")
    (waiting,) = sales["waiting"]
    assert (waiting["call_id"], waiting["caller"]) == (call_id, CALLER)
    assert before <= waiting["since"] <= state["time"]
    # The older names stay: `caller_number`, and `waiting_since` in epoch seconds.
    assert waiting["caller_number"] == CALLER
    assert round(waiting["waiting_since"] * 1000) == waiting["since"]


async def test_state_lists_each_queues_agents_with_their_call_status(sim: RunningSim) -> None:
    call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]
    await sim.control(f"calls/{call_id}/answer", {"agent": "1002"})
    await sim.control("agents/1003/pause", {"reason": "*01", "queues": [SALES]})
    await sim.control("agents/1007/logout", {"queues": [SALES]})

    (sales, _) = (await sim.state())["queues"]

    agents = {a["number"]: a for a in sales["agents"]}
    assert list(agents) == ["1001", "1002", "1003", "1007"]
    assert agents["1001"] == {
        "number": "1001",
        "type": "static",
        "logged_in": True,
        "paused": False,
        "pause_reason": "",
        "call_status": 1,
    }
    assert agents["1002"]["call_status"] == 2
    assert (agents["1003"]["paused"], agents["1003"]["pause_reason"]) == (True, "Lunch")
    assert (agents["1007"]["type"], agents["1007"]["logged_in"]) == ("dynamic", False)


async def test_state_counts_todays_outcomes_under_today_and_stats(sim: RunningSim) -> None:
    for caller, outcome in (("5550001", "abandon"), ("5550002", "timeout"), ("5550003", "answer")):
        call_id = (await sim.control("calls", {"queue": SALES, "caller": caller}))["call_id"]
        await sim.control(f"calls/{call_id}/{outcome}")

    (sales, support) = (await sim.state())["queues"]

    expected = {"offered": 3, "answered": 1, "abandoned": 1, "timed_out": 1, "transferred": 0}
    # `abandoned` counts every caller who hung up; `short_abandoned` those within 5 s of them.
    expected["short_abandoned"] = 1
    assert sales["today"] == sales["stats"] == expected
    assert support["today"]["offered"] == 0


async def test_state_lists_every_live_call_with_its_30011_members(sim: RunningSim) -> None:
    call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]
    await sim.control(f"calls/{call_id}/ring", {"agent": "1001"})

    (call,) = (await sim.state())["calls"]

    assert (call["call_id"], call["type"]) == (call_id, "inbound")
    inbound, agent = (m.get("inbound") or m["extension"] for m in call["members"])
    assert (inbound["from"], inbound["member_status"]) == (CALLER, "ALERT")
    assert (agent["number"], agent["member_status"]) == ("1001", "RING")


async def test_state_counts_live_tokens(sim: RunningSim) -> None:
    for _ in range(2):
        await sim.token()

    tokens = (await sim.state())["tokens"]

    assert tokens["live"] == tokens["live_access"] == 2


@pytest.mark.parametrize(("by", "state"), [("agent", "talking"), ("caller", "hold")])
async def test_state_says_an_agents_call_is_held_whoever_holds_it(
    sim: RunningSim, by: str, state: str
) -> None:
    """`held` is what 30011's HOLD shows; `state` tells who holds, as queue/agent_status does."""
    call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]
    await sim.control(f"calls/{call_id}/answer", {"agent": "1001"})
    await sim.control(f"calls/{call_id}/hold", {"by": by})

    agent = next(a for a in (await sim.state())["agents"] if a["number"] == "1001")

    assert (agent["state"], agent["held"]) == (state, True)
