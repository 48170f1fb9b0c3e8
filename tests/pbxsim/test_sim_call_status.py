"""call/dial to a queue (§6.4), queue/agent_status codes 4 and 5 (§5.3), and a scripted
supervisor who answers a call/listen ring through the control API (§6.2)."""

from websockets.asyncio.client import ClientConnection

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim, next_of

SALES_ID = 1
CALL_STATE = 30011


async def agent_status(sim: RunningSim, token: str, number: str) -> int:
    reply = await sim.api("GET", "queue/agent_status", token, params={"id": SALES_ID})
    return int(next(a["call_status"] for a in reply["data"] if a["number"] == number))


async def talking_call(sim: RunningSim, agent: str) -> str:
    call_id = str((await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"])
    await sim.control(f"calls/{call_id}/answer", {"agent": agent})
    return call_id


async def statuses(ws: ClientConnection, call_id: str) -> list[tuple[str, str]]:
    """The next 30011 of one call as (member number, member_status) pairs."""
    while (event := await next_of(ws, CALL_STATE))["msg"]["call_id"] != call_id:
        pass
    legs = [next(iter(m.values())) for m in event["msg"]["members"]]
    return [(leg.get("number") or leg["from"], leg["member_status"]) for leg in legs]


async def test_an_extension_that_dials_a_queue_waits_in_it_as_an_internal_caller(
    sim: RunningSim,
) -> None:
    token = await sim.token()
    for agent in ("1001", "1002", "1003", "1007"):
        await sim.control(f"agents/{agent}/pause", {"queues": [SALES]})
    async with sim.socket([CALL_STATE]) as ws:
        body = {"caller": "1005", "callee": SALES, "auto_answer": "yes"}
        reply = await sim.api("POST", "call/dial", token, json=body)
        ringing_own_phone = await statuses(ws, reply["call_id"])
        queued = await statuses(ws, reply["call_id"])

    assert reply["errcode"] == 0
    assert ringing_own_phone == [("1005", "RING")]
    assert queued == [("1005", "ALERT")]
    (sales, _) = (await sim.state())["queues"]
    assert [(w["call_id"], w["caller"]) for w in sales["waiting"]] == [(reply["call_id"], "1005")]
    waiting = await sim.api("GET", "queue/call_status", token, params={"id": SALES_ID})
    assert waiting["waiting_list"][0]["caller_number"] == "1005"
    found = await sim.api("GET", "call/query", token, params={"type": "internal"})
    assert [c["call_id"] for c in found["data"]] == [reply["call_id"]]


async def test_an_internal_queue_caller_is_answered_by_a_free_agent(sim: RunningSim) -> None:
    token = await sim.token()
    async with sim.socket([CALL_STATE]) as ws:
        body = {"caller": "1005", "callee": SALES, "auto_answer": "yes"}
        call_id = (await sim.api("POST", "call/dial", token, json=body))["call_id"]
        while len(await statuses(ws, call_id)) < 2:
            pass
        # An agent rings; the model's own agent answers within a simulated minute.
        await sim.control("clock/advance", {"seconds": 60})
        while ("1005", "ANSWERED") not in (members := await statuses(ws, call_id)):
            pass

    (_, agent) = members
    assert agent[1] == "ANSWER"
    (sales, _) = (await sim.state())["queues"]
    assert sales["today"]["answered"] == 1


async def test_a_call_held_by_the_caller_is_5_by_the_agent_2(sim: RunningSim) -> None:
    """§5.3: 5 only when the caller holds; an agent's own hold still reports 2."""
    token = await sim.token()
    call_id = await talking_call(sim, "1002")

    await sim.control(f"calls/{call_id}/hold", {"by": "caller"})
    by_caller = await agent_status(sim, token, "1002")
    await sim.control(f"calls/{call_id}/unhold")
    await sim.control(f"calls/{call_id}/hold", {"by": "agent"})
    by_agent = await agent_status(sim, token, "1002")

    assert (by_caller, by_agent) == (5, 2)
    bad = await sim.http.post(f"/_sim/calls/{call_id}/hold", json={"by": "nobody"})
    assert bad.status_code == 400


async def test_a_second_call_ringing_on_a_busy_agent_is_4(sim: RunningSim) -> None:
    """§5.3: 4 = a new call while in a call (call waiting); the dialled call rings on it."""
    token = await sim.token()
    await talking_call(sim, "1002")
    await sim.control("agents/1002/auto_answer", {"enabled": False})

    body = {"caller": "1005", "callee": "1002", "auto_answer": "yes"}
    dialled = await sim.api("POST", "call/dial", token, json=body)
    await sim.control("clock/advance", {"seconds": 5})

    assert await agent_status(sim, token, "1002") == 4
    members = await sim.api("GET", "call/query", token, params={"call_id": dialled["call_id"]})
    statuses = [next(iter(m.values()))["member_status"] for m in members["data"][0]["members"]]
    assert statuses == ["ALERT", "RING"]
    await sim.control(f"calls/{dialled['call_id']}/hangup")
    assert await agent_status(sim, token, "1002") == 2


async def monitoring(sim: RunningSim, token: str) -> JsonObj:
    """A supervisor who does not pick up by itself, rung by call/listen on 1002's call."""
    call_id = await talking_call(sim, "1002")
    await sim.control("agents/1100/auto_answer", {"enabled": False})
    found = await sim.api("GET", "call/query", token, params={"call_id": call_id})
    legs = [m["extension"] for m in found["data"][0]["members"] if "extension" in m]
    body = {"monitor": "1100", "channel_id": legs[0]["channel_id"], "type": "listen"}
    return await sim.api("POST", "call/listen", token, json=body)


async def test_a_scripted_supervisor_answers_a_listen_ring_when_told(sim: RunningSim) -> None:
    token = await sim.token()
    reply = await monitoring(sim, token)
    monitor = reply["call_id"]

    await sim.control("clock/advance", {"seconds": 30})
    still_ringing = (await sim.state())["other_calls"]
    answered = await sim.control(f"calls/{monitor}/answer")
    now_listening = (await sim.state())["other_calls"]
    again = await sim.http.post(f"/_sim/calls/{monitor}/answer")

    assert [leg["status"] for leg in still_ringing[0]["legs"]] == ["RING"]
    assert answered["call_id"] == monitor
    assert [leg["status"] for leg in now_listening[0]["legs"]] == ["ANSWER"]
    assert again.status_code == 409


async def test_a_scripted_supervisor_can_reject_the_listen_ring(sim: RunningSim) -> None:
    token = await sim.token()
    monitor = (await monitoring(sim, token))["call_id"]

    await sim.control(f"calls/{monitor}/hangup")

    assert (await sim.state())["other_calls"] == []
    assert (await sim.http.post(f"/_sim/calls/{monitor}/answer")).status_code == 404
