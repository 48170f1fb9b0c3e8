"""Conformance with docs/yeastar-api.md, rule by rule over real sockets; each test names its §."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim, next_of

CALLER = "5550001"
# Every GET endpoint the simulator serves, with parameters that make it succeed or say 60001.
GET_ENDPOINTS = [
    ("queue/list", {}), ("queue/get", {"id": 1}), ("queue/query", {"ids": "1"}),
    ("queue/call_status", {"id": 1}), ("queue/agent_status", {"id": 1}),
    ("extension/list", {}), ("extension/search", {"search_value": "1"}),
    ("queue_pause_reason/list", {}), ("system/information", {}), ("system/capacity", {}),
    ("call/query", {"type": "inbound"}), ("cdr/list", {}),
]  # fmt: skip
POST_ENDPOINTS = ["call/listen", "call/hangup", "call/dial"]


async def talking(sim: RunningSim, agent: str = "1001") -> str:
    call_id = str((await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"])
    await sim.control(f"calls/{call_id}/answer", {"agent": agent})
    return call_id


@pytest.mark.parametrize(("endpoint", "params"), GET_ENDPOINTS)
async def test_every_get_endpoint_answers_200_with_an_envelope(
    sim: RunningSim, endpoint: str, params: JsonObj
) -> None:
    """§0, §1: HTTP 200 always; `errcode` 0 (or 60001 "nothing to report") and its errmsg."""
    reply = await sim.api("GET", endpoint, await sim.token(), params=params)

    assert (reply["errcode"], reply["errmsg"]) in {(0, "SUCCESS"), (60001, "DATA NOT FOUND")}


@pytest.mark.parametrize(("endpoint", "params"), GET_ENDPOINTS)
async def test_get_endpoints_refuse_post_with_10001(
    sim: RunningSim, endpoint: str, params: JsonObj
) -> None:
    """§0 (method mismatch): a GET endpoint called with POST is `10001 INTERFACE NOT EXISTED`."""
    reply = await sim.api("POST", endpoint, await sim.token(), json=params)

    assert reply == {"errcode": 10001, "errmsg": "INTERFACE NOT EXISTED"}


@pytest.mark.parametrize("endpoint", [e for e, _ in GET_ENDPOINTS] + POST_ENDPOINTS)
async def test_every_endpoint_needs_the_token_in_the_query(sim: RunningSim, endpoint: str) -> None:
    """§0, §2.4: `access_token` query parameter on every call; a Bearer header is not enough."""
    token = await sim.token()
    method = "POST" if endpoint in POST_ENDPOINTS else "GET"

    reply = await sim.api(method, endpoint, headers={"Authorization": f"Bearer {token}"})

    assert reply == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}


async def test_the_user_agent_rule_holds_for_token_endpoints_too(sim: RunningSim) -> None:
    """§2.4: a request without `User-Agent` is `40002 PARAMETER ERROR`, before anything else."""
    async with httpx.AsyncClient(base_url=sim.base_url, trust_env=False) as bare:
        del bare.headers["User-Agent"]
        reply = (await bare.get("/openapi/v1.0/queue/nonsense")).json()

    assert reply["errcode"] == 40002


async def test_rest_takes_ids_and_events_carry_numbers(sim: RunningSim) -> None:
    """§0 (IDs vs numbers), §10.4: agent endpoints take extension IDs; 30029 names numbers."""
    token = await sim.token()
    async with sim.socket([30029]) as ws:
        by_number = await sim.api("GET", "agent/pause", token,
                                  params={"ext_id": "1001", "operation": "pause"})  # fmt: skip
        by_id = await sim.api("GET", "agent/pause", token,
                              params={"ext_id": 17, "operation": "pause"})  # fmt: skip
        event = await next_of(ws, 30029)

    assert by_number["errcode"] == 40002
    assert by_id["errcode"] == 0
    assert event["msg"]["agent_number"] == "1001"


async def test_ids_and_channels_have_the_documented_forms(sim: RunningSim) -> None:
    """§4.1, §10.5: call_id `"<unix>.<seq>"`, channel_id `"PJSIP/<ext>-<8 hex>"`."""
    token = await sim.token()
    call_id = await talking(sim)

    (call,) = (await sim.api("GET", "call/query", token, params={"call_id": call_id}))["data"]

    assert re.fullmatch(r"\d{10}\.\d+", call_id)
    extension = next(m["extension"] for m in call["members"] if "extension" in m)
    assert re.fullmatch(r"PJSIP/1001-[0-9a-f]{8}", extension["channel_id"])
    assert all(len(member) == 1 for member in call["members"])


async def test_a_cdr_has_every_documented_field_and_type(sim: RunningSim) -> None:
    """§4.2: 30012 fields, integer durations, capitalised type, local `time_start`."""
    types = {"call_id": str, "time_start": str, "call_from": str, "call_to": str,
             "call_duration": int, "talk_duration": int, "src_trunk_name": str,
             "dst_trunk_name": str, "pin_code": str, "status": str, "type": str,
             "recording": str, "did_number": str, "agent_ring_time": int}  # fmt: skip
    async with sim.socket([30012]) as ws:
        call_id = await talking(sim)
        await sim.control(f"calls/{call_id}/hangup")
        cdr = (await next_of(ws, 30012))["msg"]

    assert {key: type(value) for key, value in cdr.items()} == types
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cdr["time_start"])
    assert (cdr["status"], cdr["type"], cdr["did_number"]) == ("ANSWERED", "Inbound", "021000100")


# §5.6b, Yeastar's "Query CDR List": CDR_Details, field by field, with the guide's types.
CDR_ROW_TYPES = {
    "id": int, "time": str, "call_from": str, "call_to": str, "timestamp": int, "uid": str,
    "src_addr": str, "src_trunk": str, "dst_trunk": str, "duration": int, "ring_duration": int,
    "talk_duration": int, "disposition": str, "call_type": str, "did_number": str,
    "dod_number": str, "record_file": str,
}  # fmt: skip


async def test_cdr_list_rows_have_the_guides_fields_not_30012s(sim: RunningSim) -> None:
    """§5.6b: rows are CDR_Details (`time` local and `timestamp` epoch seconds, `duration`,
    `disposition`, `call_type`, "number and name" labels, the CDR's own `uid`), newest first;
    none of 30012's names (`time_start`, `call_duration`, `status`, `type`)."""
    answered = await talking(sim)
    await sim.control("clock/advance", {"seconds": 20})
    await sim.control(f"calls/{answered}/hangup")
    gone = (await sim.control("calls", {"queue": SALES, "caller": "5550002"}))["call_id"]
    await sim.control("clock/advance", {"seconds": 7})
    await sim.control(f"calls/{gone}/abandon")

    listed = await sim.api("GET", "cdr/list", await sim.token())

    assert listed["total_number"] == 2
    unanswered, talked = listed["data"]
    assert {key: type(value) for key, value in talked.items()} == CDR_ROW_TYPES
    assert {key: type(value) for key, value in unanswered.items()} == CDR_ROW_TYPES
    assert (talked["id"], unanswered["id"]) == (1, 2)
    assert talked["timestamp"] == int(answered.split(".")[0])
    local = datetime.fromtimestamp(talked["timestamp"], ZoneInfo("Asia/Bangkok"))
    assert talked["time"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert talked["uid"] not in (answered, "")
    assert (talked["call_from"], talked["call_to"]) == (f"{CALLER}<{CALLER}>", "Anan Chaiyo<1001>")
    assert (talked["disposition"], talked["call_type"], talked["did_number"]) == (
        "ANSWERED", "Inbound", "021000100")  # fmt: skip
    assert talked["talk_duration"] == 20
    assert talked["duration"] == talked["ring_duration"] + talked["talk_duration"]
    assert (unanswered["call_to"], unanswered["disposition"]) == ("Queue Sales<6400>", "NO ANSWER")
    assert (unanswered["duration"], unanswered["talk_duration"]) == (7, 0)
    assert unanswered["src_trunk"] == "SIP-Trunk"


async def test_extension_events_use_the_documented_values(sim: RunningSim) -> None:
    """§4.3, §4.4, §4.5: 30008 Ringing/Busy/Idle, 30009 presence, 30007 registration fields."""
    async with sim.socket([30007, 30008, 30009]) as ws:
        await talking(sim, "1002")
        states = [(await next_of(ws, 30008))["msg"] for _ in range(2)]
        await sim.control("agents/1002/presence", {"status": "do_not_disturb"})
        presence = (await next_of(ws, 30009))["msg"]
        await sim.control("agents/1002/unregister")
        registration = (await next_of(ws, 30007))["msg"]

    assert states == [{"extension": "1002", "status": s} for s in ("Ringing", "Busy")]
    assert presence == {"extension": "1002", "status": "do_not_disturb"}
    assert set(registration) == {"extension", "kind", "status", "registered_ip"}
    assert (registration["kind"], registration["status"]) == ("Sip", "Unregistered")


async def test_ring_timeouts_and_auto_pause_have_the_documented_fields(sim: RunningSim) -> None:
    """§4.7, §4.8: 30026 per missed ring; 30025 with the missed `calls` after three in a row."""
    missed = []
    async with sim.socket([30025, 30026]) as ws:
        for n in range(3):
            call_id = await sim.control("calls", {"queue": SALES, "caller": f"555000{n}"})
            await sim.control(f"calls/{call_id['call_id']}/ring", {"agent": "1002"})
            await sim.control(f"calls/{call_id['call_id']}/ring_out")
            missed.append((await next_of(ws, 30026))["msg"])
        paused = (await next_of(ws, 30025))["msg"]

    assert missed[0] == {"queue_number": SALES, "agent_number": "1002",
                         "caller_number": "5550000", "call_id": missed[0]["call_id"]}  # fmt: skip
    assert paused["queue_number"] == SALES
    assert paused["calls"] == [
        {"caller_number": m["caller_number"], "call_id": m["call_id"]} for m in missed
    ]
    agent = next(a for a in (await sim.state())["agents"] if a["number"] == "1002")
    assert agent["queues"][0]["paused"] is True


async def test_a_held_call_shows_hold_for_both_members(sim: RunningSim) -> None:
    """§4.1 (member_status HOLD), §5.3 (agent-side hold still reports call_status 2)."""
    token = await sim.token()
    call_id = await talking(sim)

    await sim.control(f"calls/{call_id}/hold")

    (call,) = (await sim.api("GET", "call/query", token, params={"call_id": call_id}))["data"]
    assert {next(iter(m.values()))["member_status"] for m in call["members"]} == {"HOLD"}
    status = await sim.api("GET", "queue/agent_status", token, params={"id": 1})
    assert next(a for a in status["data"] if a["number"] == "1001")["call_status"] == 2


@pytest.mark.parametrize(
    ("outcome", "counted"),
    [
        ("timeout", {"timed_out": 1}),  # Sales fails over to end_call: the call ends
        ("transfer", {"transferred": 1}),  # a key press: the caller goes on to the IVR
        ("abandon", {"abandoned": 1, "short_abandoned": 1}),
    ],
)
async def test_an_unanswered_queue_call_ends_in_one_counted_outcome(
    sim: RunningSim, outcome: str, counted: dict[str, int]
) -> None:
    """One outcome per queue call (docs/design.md#how-a-queue-call-ends) on top of §4.1 (BYE, or
    the caller's leg going on) and §4.2 (NO ANSWER CDR, once the call is done with the queue)."""
    async with sim.socket([30011, 30012]) as ws:
        call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]
        await sim.control(f"calls/{call_id}/{outcome}")
        cdr = (await next_of(ws, 30012))["msg"]

    stats = (await sim.state())["queues"][0]["stats"]
    assert stats == {**dict.fromkeys(stats, 0), "offered": 1, **counted}
    assert (cdr["call_id"], cdr["status"]) == (call_id, "NO ANSWER")
