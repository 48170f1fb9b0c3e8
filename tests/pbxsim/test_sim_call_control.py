"""Call endpoints (§6) and the events around them: call/query, listen, hangup, dial, CDRs."""

import pytest
from websockets.asyncio.client import ClientConnection

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim, StartSim, next_of

CALL_STATE, NEW_CDR, EXT_STATE = 30011, 30012, 30008
CALLER = "5550001"


async def talking_call(sim: RunningSim, agent: str = "1002") -> str:
    call_id = str((await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"])
    await sim.control(f"calls/{call_id}/answer", {"agent": agent})
    return call_id


async def query(sim: RunningSim, token: str, **params: str) -> JsonObj:
    return await sim.api("GET", "call/query", token, params=params)


def extension_channel(call: JsonObj, number: str) -> str:
    legs = [m["extension"] for m in call["members"] if "extension" in m]
    return str(next(leg["channel_id"] for leg in legs if leg["number"] == number))


async def test_call_query_finds_a_call_by_each_selector(sim: RunningSim) -> None:
    token = await sim.token()
    call_id = await talking_call(sim)

    by_id = await query(sim, token, call_id=call_id)
    by_type = await query(sim, token, type="inbound")
    by_extension = await query(sim, token, extension="1002")

    assert by_id["errcode"] == 0
    assert by_id["data"] == by_type["data"] == by_extension["data"]
    (call,) = by_id["data"]
    assert call["call_id"] == call_id
    statuses = [next(iter(m.values()))["member_status"] for m in call["members"]]
    assert statuses == ["ANSWERED", "ANSWER"]


@pytest.mark.parametrize(
    "params", [{}, {"call_id": "1.1", "type": "inbound"}, {"type": "sideways"}]
)
async def test_call_query_wants_exactly_one_valid_selector(
    sim: RunningSim, params: dict[str, str]
) -> None:
    reply = await query(sim, await sim.token(), **params)

    assert reply["errcode"] == 40002
    assert reply["invalid_param_list"]


async def test_call_query_with_nothing_live_is_60001(sim: RunningSim) -> None:
    token = await sim.token()
    await talking_call(sim)

    for params in ({"type": "outbound"}, {"extension": "1005"}, {"call_id": "1.1"}):
        assert await query(sim, token, **params) == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}


async def test_listen_rings_the_supervisor_who_answers_then_monitors(sim: RunningSim) -> None:
    token = await sim.token()
    call_id = await talking_call(sim)
    channel = extension_channel((await query(sim, token, call_id=call_id))["data"][0], "1002")
    async with sim.socket([CALL_STATE]) as ws:
        body = {"monitor": "1100", "channel_id": channel, "type": "whisper"}
        reply = await sim.api("POST", "call/listen", token, json=body)
        ringing = await monitor_status(ws, reply["call_id"])
        await sim.control("clock/advance", {"seconds": 2})
        answered = await monitor_status(ws, reply["call_id"])
        await sim.control(f"calls/{call_id}/hangup")
        ended = await monitor_status(ws, reply["call_id"])

    assert reply["errcode"] == 0
    assert (ringing, answered, ended) == ("RING", "ANSWER", "BYE")


async def monitor_status(ws: ClientConnection, call_id: str) -> str:
    """The supervisor's member_status in the next 30011 of the monitoring call."""
    while (event := await next_of(ws, CALL_STATE))["msg"]["call_id"] != call_id:
        pass
    (member,) = event["msg"]["members"]
    return str(member["extension"]["member_status"])


async def test_a_listening_supervisor_can_be_shown_as_a_member(start_sim: StartSim) -> None:
    sim = await start_sim(listener_member=True)
    token = await sim.token()
    call_id = await talking_call(sim)
    channel = extension_channel((await query(sim, token, call_id=call_id))["data"][0], "1002")
    body = {"monitor": "1100", "channel_id": channel, "type": "listen"}
    await sim.api("POST", "call/listen", token, json=body)

    await sim.control("clock/advance", {"seconds": 2})

    (call,) = (await query(sim, token, call_id=call_id))["data"]
    numbers = [m["extension"]["number"] for m in call["members"] if "extension" in m]
    assert numbers == ["1002", "1100"]


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"monitor": "1100", "channel_id": "PJSIP/1002-000000ff", "type": "listen"}, 70130),
        ({"monitor": "9999", "channel_id": "PJSIP/1002-000000ff", "type": "listen"}, 40002),
        ({"monitor": "1100", "channel_id": "PJSIP/1002-000000ff", "type": "spy"}, 40002),
        ({"channel_id": "PJSIP/1002-000000ff", "type": "listen"}, 40002),
    ],
)
async def test_listen_errors(sim: RunningSim, body: JsonObj, errcode: int) -> None:
    reply = await sim.api("POST", "call/listen", await sim.token(), json=body)

    assert reply["errcode"] == errcode
    if errcode == 70130:
        assert reply["errmsg"] == "CAHNNEL ID NOT FOUND"


async def test_hangup_by_channel_ends_the_call_and_leaves_a_cdr(sim: RunningSim) -> None:
    token = await sim.token()
    call_id = await talking_call(sim)
    channel = extension_channel((await query(sim, token, call_id=call_id))["data"][0], "1002")
    async with sim.socket([NEW_CDR, EXT_STATE]) as ws:
        await sim.control("clock/advance", {"seconds": 20})
        reply = await sim.api("POST", "call/hangup", token, json={"channel_id": channel})
        idle = (await next_of(ws, EXT_STATE))["msg"]
        cdr = (await next_of(ws, NEW_CDR))["msg"]
    unknown = await sim.api("POST", "call/hangup", token, json={"channel_id": channel})
    listed = await sim.api("GET", "cdr/list", token)

    assert reply == {"errcode": 0, "errmsg": "SUCCESS", "call_id": call_id}
    assert idle == {"extension": "1002", "status": "Idle"}
    assert (cdr["call_id"], cdr["call_from"], cdr["call_to"]) == (call_id, CALLER, "1002")
    assert (cdr["status"], cdr["type"], cdr["talk_duration"]) == ("ANSWERED", "Inbound", 20)
    assert unknown["errcode"] == 70130
    assert listed["total_number"] == 1
    (row,) = listed["data"]  # the same CDR as cdr/list writes it (§5.6b), not as 30012 does
    assert (row["id"], row["timestamp"]) == (1, int(call_id.split(".")[0]))
    assert (row["call_from"], row["call_to"]) == (f"{CALLER}<{CALLER}>", "Bee Lim<1002>")
    assert (row["duration"], row["talk_duration"]) == (cdr["call_duration"], 20)
    assert (row["disposition"], row["call_type"]) == ("ANSWERED", "Inbound")


async def test_dial_rings_the_caller_first_then_the_callee(sim: RunningSim) -> None:
    token = await sim.token()
    async with sim.socket([CALL_STATE]) as ws:
        body = {"caller": "1004", "callee": "1005"}
        reply = await sim.api("POST", "call/dial", token, json=body)
        first = (await next_of(ws, CALL_STATE))["msg"]
        await sim.control("clock/advance", {"seconds": 2})
        second = (await next_of(ws, CALL_STATE))["msg"]
        await sim.control("clock/advance", {"seconds": 2})
        third = (await next_of(ws, CALL_STATE))["msg"]
    internal = await query(sim, token, type="internal")

    def statuses(msg: JsonObj) -> list[tuple[str, str]]:
        legs = [m["extension"] for m in msg["members"]]
        return [(leg["number"], leg["member_status"]) for leg in legs]

    assert reply["errcode"] == 0
    assert first["call_id"] == second["call_id"] == third["call_id"] == reply["call_id"]
    assert statuses(first) == [("1004", "RING")]
    assert statuses(second) == [("1004", "ALERT"), ("1005", "RING")]
    assert statuses(third) == [("1004", "ANSWERED"), ("1005", "ANSWER")]
    assert [c["call_id"] for c in internal["data"]] == [reply["call_id"]]


async def test_dial_to_an_external_number_goes_out_on_the_trunk(sim: RunningSim) -> None:
    token = await sim.token()
    reply = await sim.api(
        "POST", "call/dial", token, json={"caller": "1100", "callee": "0812345678"}
    )
    await sim.control("clock/advance", {"seconds": 2})

    (call,) = (await query(sim, token, type="outbound"))["data"]

    assert call["call_id"] == reply["call_id"]
    outbound = call["members"][1]["outbound"]
    assert (outbound["from"], outbound["to"], outbound["member_status"]) == (
        "1100",
        "0812345678",
        "RING",
    )


async def test_dial_from_an_external_caller_places_nothing(sim: RunningSim) -> None:
    token = await sim.token()

    reply = await sim.api(
        "POST", "call/dial", token, json={"caller": "0812345678", "callee": "1001"}
    )

    assert reply == {"errcode": 0, "errmsg": "SUCCESS"}
    assert (await query(sim, token, type="internal"))["errcode"] == 60001
