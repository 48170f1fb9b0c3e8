"""Scripted callers as a client sees them: 30011 frames, queue REST endpoints and ground truth."""

import re
import time

import pytest
from websockets.asyncio.client import ClientConnection

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim, next_event

SALES_ID, SUPPORT_ID = 1, 2
SALES_DID, TRUNK, CALLER = "021000100", "SIP-Trunk", "5550001"
NO_STATS = dict.fromkeys(
    ("offered", "answered", "abandoned", "timed_out", "transferred", "short_abandoned"), 0
)
RING_STRATEGIES = {"ring_all", "least_recent", "fewest_calls", "random", "rrmemory", "linear"}


async def place_call(sim: RunningSim, queue: str = SALES) -> str:
    return str((await sim.control("calls", {"queue": queue, "caller": CALLER}))["call_id"])


def inbound(status: str) -> JsonObj:
    leg = {"from": CALLER, "to": SALES_DID, "trunk_name": TRUNK, "member_status": status}
    return {"inbound": {**leg, "call_path": SALES}}


def extension(number: str, status: str) -> JsonObj:
    return {"extension": {"number": number, "member_status": status, "call_path": SALES}}


async def members(ws: ClientConnection, call_id: str, channels: dict[str, str]) -> list[JsonObj]:
    """The next 30011 frame's members; channel IDs are checked, kept stable, then left out."""
    event = await next_event(ws)
    assert event["type"] == 30011
    assert event["msg"]["call_id"] == call_id
    stripped = []
    for member in event["msg"]["members"]:
        ((kind, leg),) = member.items()
        owner = f"trunk-{TRUNK}" if kind == "inbound" else leg["number"]
        channel = leg.pop("channel_id")
        assert re.fullmatch(rf"PJSIP/{re.escape(owner)}-[0-9a-f]{{8}}", channel)
        assert channels.setdefault(owner, channel) == channel
        stripped.append({kind: leg})
    return stripped


async def test_a_queued_caller_is_one_alerting_inbound_member(sim: RunningSim) -> None:
    """§4.1: a queued caller, inbound ALERT."""
    async with sim.socket([30011]) as ws:
        call_id = await place_call(sim)
        event = await next_event(ws)

    assert event["sn"] == sim.config.sn
    assert re.fullmatch(r"\d{10}\.\d+", call_id)
    assert event["msg"]["call_id"] == call_id
    (member,) = event["msg"]["members"]
    assert member["inbound"].pop("channel_id").startswith(f"PJSIP/trunk-{TRUNK}-")
    assert member == inbound("ALERT")


async def test_an_abandoning_caller_leaves_with_bye(sim: RunningSim) -> None:
    """§4.1: BYE."""
    channels: dict[str, str] = {}
    async with sim.socket([30011]) as ws:
        call_id = await place_call(sim)
        await members(ws, call_id, channels)

        await sim.control(f"calls/{call_id}/abandon")

        assert await members(ws, call_id, channels) == [inbound("BYE")]
    (sales, _) = (await sim.state())["queues"]
    assert sales["waiting"] == []
    # Within 5 s of arriving: a short abandon too (counted within `abandoned`).
    assert sales["stats"] == {**NO_STATS, "offered": 1, "abandoned": 1, "short_abandoned": 1}


async def test_an_answered_call_rings_talks_and_ends_with_bye(sim: RunningSim) -> None:
    """§4.1: RING, ANSWERED/ANSWER, BYE."""
    channels: dict[str, str] = {}
    async with sim.socket([30011]) as ws:
        call_id = await place_call(sim)
        await members(ws, call_id, channels)

        reply = await sim.control(f"calls/{call_id}/answer", {"agent": "1002"})
        ringing = await members(ws, call_id, channels)
        talking = await members(ws, call_id, channels)
        agent = next(a for a in (await sim.state())["agents"] if a["number"] == "1002")
        await sim.control(f"calls/{call_id}/hangup")
        ended = await members(ws, call_id, channels)

    assert (reply["call_id"], reply["agent"]) == (call_id, "1002")
    assert ringing == [inbound("ALERT"), extension("1002", "RING")]
    assert talking == [inbound("ANSWERED"), extension("1002", "ANSWER")]
    assert agent["state"] == "talking"
    assert agent["call_id"] == call_id
    assert ended == [inbound("BYE"), extension("1002", "BYE")]
    (sales, _) = (await sim.state())["queues"]
    assert sales["active"] == []
    assert sales["stats"] == {**NO_STATS, "offered": 1, "answered": 1}


async def test_answer_without_an_agent_picks_a_free_member(sim: RunningSim) -> None:
    busy = await place_call(sim)
    await sim.control(f"calls/{busy}/answer", {"agent": "1001"})
    call_id = await place_call(sim)

    reply = await sim.control(f"calls/{call_id}/answer")

    assert reply["agent"] in {"1002", "1003"}


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("calls", {"queue": "9999", "caller": CALLER}, 404),
        ("calls", {"queue": SALES}, 400),
        ("calls/1.1/abandon", {}, 404),
        ("calls/{call_id}/hangup", {}, 409),
        ("calls/{call_id}/answer", {"agent": "1001"}, 409),
        ("calls/{call_id}/dance", {}, 404),
        ("clock/advance", {"seconds": -5}, 400),
        ("agents/1001/nap", {}, 404),
    ],
)
async def test_control_mistakes_get_plain_http_errors(
    sim: RunningSim, path: str, body: JsonObj, status: int
) -> None:
    talking = await place_call(sim)
    await sim.control(f"calls/{talking}/answer", {"agent": "1001"})
    call_id = await place_call(sim)

    reply = await sim.control(path.format(call_id=call_id), body, status=status)

    assert "error" in reply


async def test_call_status_reports_nothing_to_report_as_60001(sim: RunningSim) -> None:
    """§5.4: 60001 when idle."""
    token = await sim.token()

    for queue_id in (SALES_ID, SUPPORT_ID):
        reply = await sim.api("GET", "queue/call_status", token, params={"id": queue_id})
        assert reply == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}


async def test_call_status_lists_a_waiting_then_an_answered_caller(sim: RunningSim) -> None:
    """§5.4: top-level lists, callee = queue ID."""
    token = await sim.token()
    call_id = await place_call(sim)
    await sim.control("clock/advance", {"seconds": 42})

    waiting = await sim.api("GET", "queue/call_status", token, params={"id": SALES_ID})
    await sim.control(f"calls/{call_id}/answer", {"agent": "1003"})
    active = await sim.api("GET", "queue/call_status", token, params={"id": SALES_ID})

    entry = {"call_id": call_id, "caller_number": CALLER, "caller_display_name": ""}
    assert waiting["errcode"] == 0
    assert [waiting[f"{kind}_calls"] for kind in ("waiting", "ringing", "active")] == [1, 0, 0]
    (queued,) = waiting["waiting_list"]
    assert 42 <= queued.pop("duration") < 60
    assert queued == {**entry, "callee_number": str(SALES_ID), "callee_display_name": "Sales"}
    assert (active["waiting_list"], active["ringing_list"]) == ([], [])
    (talking,) = active["active_list"]
    assert talking == {
        **entry,
        "callee_number": "1003",
        "callee_display_name": "Chen Wei",
        "duration": 0,
    }


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({}, {"field": "id", "validation_type": "required"}),
        ({"id": 99}, {"field": "id", "value": "99"}),
    ],
)
async def test_call_status_needs_a_known_queue_id(
    sim: RunningSim, params: JsonObj, problem: JsonObj
) -> None:
    """§5.4, §1: 40002 with invalid_param_list."""
    reply = await sim.api("GET", "queue/call_status", await sim.token(), params=params)

    assert reply["errcode"] == 40002
    assert reply["invalid_param_list"] == [problem]


async def test_queue_list_gives_ids_numbers_and_agent_lists(sim: RunningSim) -> None:
    """§5.1: `queue_list`, member objects."""
    reply = await sim.api("GET", "queue/list", await sim.token())

    assert reply["errcode"] == 0
    assert reply["total_number"] == 2
    sales, support = reply["queue_list"]
    assert (sales["id"], sales["number"], sales["name"]) == (SALES_ID, SALES, "Sales")
    assert support["ring_strategy"] in RING_STRATEGIES
    assert sales["static_agent_list"][0] == {
        "text": "Anan Chaiyo",
        "text2": "1001",
        "value": "17",
        "type": "extension",
    }
    assert [m["text2"] for m in support["dynamic_agent_list"]] == ["1006", "1003", "1008"]


async def test_lists_page_but_always_report_the_full_total(sim: RunningSim) -> None:
    """§7.1: total_number is the full count."""
    token = await sim.token()

    queues = await sim.api("GET", "queue/list", token, params={"page": 2, "page_size": 1})
    extensions = await sim.api("GET", "extension/list", token, params={"page": 2, "page_size": 4})
    bad = await sim.api("GET", "extension/list", token, params={"page": 0})

    assert queues["total_number"] == 2
    assert [q["name"] for q in queues["queue_list"]] == ["Support"]
    assert extensions["total_number"] == 9
    assert [e["number"] for e in extensions["data"]] == ["1005", "1006", "1007", "1008"]
    assert bad["errcode"] == 40002


async def test_extension_list_gives_ids_names_and_status(sim: RunningSim) -> None:
    """§7.1: Ext_Basicinfo."""
    reply = await sim.api("GET", "extension/list", await sim.token())

    first = reply["data"][0]
    assert reply["total_number"] == len(reply["data"]) == 9
    assert (first["id"], first["number"], first["caller_id_name"]) == (17, "1001", "Anan Chaiyo")
    assert first["presence_status"] == "available"
    assert first["online_status"]["sip_phone"]["status"] == 1


async def test_state_is_the_ground_truth(sim: RunningSim) -> None:
    call_id = await place_call(sim)
    async with sim.socket([30011]):
        state = await sim.state()

    assert abs(state["time"] - time.time() * 1000) < 5000
    sales = state["queues"][0]
    assert (sales["id"], sales["number"], sales["name"]) == (SALES_ID, SALES, "Sales")
    (waiting,) = sales["waiting"]
    assert (waiting["call_id"], waiting["caller_number"]) == (call_id, CALLER)
    assert waiting["waiting_since"] * 1000 <= state["time"]
    assert sales["active"] == []
    assert {a["number"] for a in state["agents"]} == {f"100{n}" for n in range(1, 9)} | {"1100"}
    assert state["tokens"] == {
        "live": 1,
        "live_access": 1,
        "peak_live": 1,
        "failed_logins_in_a_row_peak": 0,
    }
    assert state["subscribers"] == 1
