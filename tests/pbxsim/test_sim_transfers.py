"""Calls that go on after their queue, as the frames show them (docs/pbxsim.md, "Calls that go
on"): a key press or the failover sends a waiting caller on (§4.1: its leg stays up, `call_path`
goes on); an agent transfers an answered call, blind or attended (30013, §4.10)."""

import pytest
from websockets.asyncio.client import ClientConnection

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim, StartSim, next_event

SUPPORT, CALLER = "6401", "5550001"


NUMBER = {"extension": "number", "inbound": "from", "outbound": "to"}


def legs(msg: JsonObj) -> list[tuple[str, str, str]]:
    """(number, member_status, call_path) of every member: the extension, the trunk caller, the
    outside number dialled."""
    members = [next(iter(m.items())) for m in msg["members"]]
    return [(m[NUMBER[kind]], m["member_status"], m["call_path"]) for kind, m in members]


async def frames(ws: ClientConnection, count: int) -> list[tuple[int, list[tuple[str, str, str]]]]:
    """The next `count` 30011/30013 frames as (type, legs); other types are skipped."""
    seen: list[tuple[int, list[tuple[str, str, str]]]] = []
    while len(seen) < count:
        event = await next_event(ws)
        if event["type"] in (30011, 30013):
            seen.append((event["type"], legs(event["msg"])))
    return seen


async def waiting_call(sim: RunningSim, queue: str = SALES) -> str:
    return str((await sim.control("calls", {"queue": queue, "caller": CALLER}))["call_id"])


async def answered(sim: RunningSim, agent: str = "1001") -> str:
    call_id = await waiting_call(sim)
    await sim.control(f"calls/{call_id}/answer", {"agent": agent})
    return call_id


def sales(state: JsonObj) -> JsonObj:
    return next(q for q in state["queues"] if q["number"] == SALES)


def agent(state: JsonObj, number: str) -> JsonObj:
    return next(a for a in state["agents"] if a["number"] == number)


@pytest.mark.parametrize(("onward_path", "path"), [("dash", "6400-6500"), ("last", "6500")])
async def test_a_key_press_sends_the_caller_on_to_the_ivr(
    start_sim: StartSim, onward_path: str, path: str
) -> None:
    """The caller's leg stays up (the IVR answers it) and its path goes on; it is transferred
    out of the queue at once, and the queue call's CDR is written then (GUESS: what follows is
    in no CDR)."""
    sim = await start_sim(onward_path=onward_path)
    async with sim.socket([30011, 30012]) as ws:
        call_id = await waiting_call(sim)
        await sim.control(f"calls/{call_id}/transfer")
        assert (await frames(ws, 2))[1] == (30011, [(CALLER, "ANSWERED", path)])
        cdr = await next_event(ws)
        state = await sim.state()
        await sim.control(f"calls/{call_id}/hangup")
        assert (await frames(ws, 1)) == [(30011, [(CALLER, "BYE", path)])]

    assert sales(state)["today"]["transferred"] == 1
    assert sales(state)["unanswered"] == []
    assert [(c["call_id"], c["type"]) for c in state["calls"]] == [(call_id, "inbound")]
    assert (cdr["type"], cdr["msg"]["call_id"], cdr["msg"]["status"]) == (
        30012, call_id, "NO ANSWER")  # fmt: skip
    assert (await sim.state())["cdrs"] == 1


async def test_a_key_press_for_an_extension_rings_it_with_the_queues_path(sim: RunningSim) -> None:
    """§4.1 names features on the path, not extensions: the phone is a member of its own."""
    async with sim.socket([30011]) as ws:
        call_id = await waiting_call(sim)
        await sim.control(f"calls/{call_id}/transfer", {"to": "1100"})
        await sim.control(f"calls/{call_id}/answer")
        seen = await frames(ws, 3)

    assert seen[1:] == [
        (30011, [(CALLER, "ALERT", SALES), ("1100", "RING", SALES)]),
        (30011, [(CALLER, "ANSWERED", SALES), ("1100", "ANSWER", SALES)]),
    ]
    assert sales(await sim.state())["today"]["transferred"] == 1


async def test_the_failover_takes_a_caller_who_waited_the_maximum(sim: RunningSim) -> None:
    """Support fails over to 1005's voicemail (`ext_vm`): timed out, the call goes on there."""
    async with sim.socket([30011]) as ws:
        call_id = await waiting_call(sim, SUPPORT)
        await sim.control(f"calls/{call_id}/timeout")
        assert (await frames(ws, 2))[1] == (30011, [(CALLER, "ANSWERED", "6401-1005")])

    (_, support) = (await sim.state())["queues"]
    assert (support["today"]["timed_out"], support["unanswered"]) == (1, [])


@pytest.mark.parametrize(("report", "reported"), [("after", "1002"), ("before", "1001")])
async def test_a_blind_transfer_hangs_the_agent_up_and_rings_the_destination(
    start_sim: StartSim, report: str, reported: str
) -> None:
    sim = await start_sim(transfer_report=report)
    async with sim.socket([30011, 30013]) as ws:
        call_id = await answered(sim)
        await sim.control(f"calls/{call_id}/transfer", {"to": "1002"})
        seen = await frames(ws, 5)
        state = await sim.state()

    assert seen[3] == (30011, [(CALLER, "ALERT", SALES), ("1002", "RING", SALES),
                               ("1001", "BYE", SALES)])  # fmt: skip
    kind, members = seen[4]
    assert (kind, members[1][0]) == (30013, reported)
    assert sales(state)["today"] == {**sales(state)["today"], "offered": 1, "answered": 1}
    assert sales(state)["active"] == []
    assert (agent(state, "1001")["today"]["answered"], agent(state, "1002")["state"]) == (
        1, "ringing")  # fmt: skip
    assert agent(state, "1001")["wrap_up_until"] is not None


async def test_a_transfer_to_another_queue_waits_there(sim: RunningSim) -> None:
    async with sim.socket([30011]) as ws:
        call_id = await answered(sim)
        await sim.control(f"calls/{call_id}/transfer", {"to": SUPPORT})
        assert (await frames(ws, 4))[3] == (
            30011, [(CALLER, "ALERT", "6400-6401"), ("1001", "BYE", "6400-6401")])  # fmt: skip

    (sales_queue, support) = (await sim.state())["queues"]
    assert (sales_queue["today"]["answered"], support["today"]["offered"]) == (1, 1)
    assert [c["call_id"] for c in support["unanswered"]] == [call_id]


async def test_a_call_sent_from_queue_to_queue_keeps_one_cdr_from_its_first_arrival(
    sim: RunningSim,
) -> None:
    """One call, one CDR: `time_start` and `call_duration` from when it first reached a queue
    (a CDR names its call by when it started), the talk until its last agent left."""
    async with sim.socket([30012]) as ws:
        call_id = await answered(sim)
        await sim.control("clock/advance", {"seconds": 20})
        await sim.control(f"calls/{call_id}/transfer", {"to": SUPPORT})
        await sim.control(f"calls/{call_id}/answer", {"agent": "1004"})
        await sim.control("clock/advance", {"seconds": 5})
        await sim.control(f"calls/{call_id}/hangup")
        cdr = (await next_event(ws))["msg"]

    first = (await sim.state())["time"] // 1000 - 25
    assert (cdr["call_id"], cdr["call_duration"], cdr["talk_duration"]) == (call_id, 25, 5)
    assert abs(int(call_id.split(".")[0]) - first) <= 1


@pytest.mark.parametrize(
    ("to", "far"),
    [("ivr", []), ("0812345678", [("0812345678", "RING", SALES)])],
)
async def test_a_transfer_to_the_ivr_or_outside(
    sim: RunningSim, to: str, far: list[tuple[str, str, str]]
) -> None:
    async with sim.socket([30011]) as ws:
        call_id = await answered(sim)
        await sim.control(f"calls/{call_id}/transfer", {"to": to})
        (_, members) = (await frames(ws, 4))[3]

    path = "6400-6500" if to == "ivr" else SALES
    status = "ANSWERED" if to == "ivr" else "ALERT"
    assert members == [(CALLER, status, path), *far, ("1001", "BYE", path)]


async def test_an_attended_transfer_consults_the_destination_first(sim: RunningSim) -> None:
    """The agent holds the caller and calls 1002 on a call of its own, 1002 answers, the agent
    hangs up both: the caller and 1002 talk on the caller's call."""
    async with sim.socket([30011]) as ws:
        call_id = await answered(sim)
        await sim.control(f"calls/{call_id}/transfer", {"to": "1002", "attended": True})
        seen = [members for _, members in await frames(ws, 8)]

    assert seen[3] == [(CALLER, "HOLD", SALES), ("1001", "HOLD", SALES)]
    assert seen[4:7] == [
        [("1001", "ALERT", ""), ("1002", "RING", "")],
        [("1001", "ANSWERED", ""), ("1002", "ANSWER", "")],
        [("1001", "BYE", ""), ("1002", "BYE", "")],
    ]
    assert seen[7] == [(CALLER, "ANSWERED", SALES), ("1002", "ANSWER", SALES),
                       ("1001", "BYE", SALES)]  # fmt: skip
    state = await sim.state()
    assert (agent(state, "1002")["state"], agent(state, "1002")["call_id"]) == ("talking", call_id)


async def test_unanswered_lists_every_caller_not_answered_ringing_or_not(sim: RunningSim) -> None:
    """`unanswered` is what a wallboard calls waiting; `waiting` and `ringing` split it."""
    first = await waiting_call(sim)
    second = await waiting_call(sim)
    await sim.control(f"calls/{second}/ring", {"agent": "1001"})

    queue = sales(await sim.state())

    assert [(c["call_id"], c["ringing"]) for c in queue["unanswered"]] == [
        (first, False), (second, True)]  # fmt: skip
    assert [c["call_id"] for c in queue["waiting"]] == [first]
    assert [c["call_id"] for c in queue["ringing"]] == [second]
