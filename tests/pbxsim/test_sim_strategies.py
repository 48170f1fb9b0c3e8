"""Ring strategies (§5.1 `ring_strategy`): ring_all rings every available phone at once."""

import json
from pathlib import Path

from tests.pbxsim.sim_harness import JsonObj, RunningSim, StartSim, next_of

TEAM = ["301", "302", "303"]


async def ring_all_sim(start_sim: StartSim, tmp_path: Path) -> RunningSim:
    scenario = {
        "extensions": [{"id": 50 + i, "number": n, "name": n} for i, n in enumerate(TEAM)],
        "queues": [{"id": 7, "number": "6700", "name": "All", "did": "0207",
                    "ring_strategy": "ring_all", "static_agents": TEAM}],
    }  # fmt: skip
    path = tmp_path / "ring_all.json"
    path.write_text(json.dumps(scenario))
    return await start_sim(scenario=str(path))


def statuses(msg: JsonObj) -> list[tuple[str, str]]:
    legs = [next(iter(m.values())) for m in msg["members"]]
    return [(leg.get("number", "caller"), leg["member_status"]) for leg in legs]


async def test_ring_all_rings_everyone_and_the_answer_stops_the_rest(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = await ring_all_sim(start_sim, tmp_path)
    token = await sim.token()
    async with sim.socket([30011, 30008]) as ws:
        call_id = (await sim.control("calls", {"queue": "6700", "caller": "5550001"}))["call_id"]
        await next_of(ws, 30011)
        await sim.control(f"calls/{call_id}/ring")
        ringing = (await next_of(ws, 30011))["msg"]
        status = await sim.api("GET", "queue/call_status", token, params={"id": 7})
        await sim.control(f"calls/{call_id}/answer", {"agent": "302"})
        answered = (await next_of(ws, 30011))["msg"]

    assert statuses(ringing) == [("caller", "ALERT")] + [(n, "RING") for n in TEAM]
    assert [e["callee_number"] for e in status["ringing_list"]] == TEAM
    assert statuses(answered) == [("caller", "ANSWERED"), ("302", "ANSWER")]
    agents = {a["number"]: a["state"] for a in (await sim.state())["agents"]}
    assert agents == {"301": "idle", "302": "talking", "303": "idle"}


async def test_ring_all_ringing_out_misses_for_everyone(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = await ring_all_sim(start_sim, tmp_path)
    async with sim.socket([30026]) as ws:
        call_id = (await sim.control("calls", {"queue": "6700", "caller": "5550001"}))["call_id"]
        await sim.control(f"calls/{call_id}/ring")
        await sim.control(f"calls/{call_id}/ring_out")
        missed = [(await next_of(ws, 30026))["msg"]["agent_number"] for _ in TEAM]

    assert missed == TEAM
    (queue,) = (await sim.state())["queues"]
    assert [c["call_id"] for c in queue["waiting"]] == [call_id]


async def test_linear_rings_the_first_listed_and_least_recent_the_longest_idle(
    sim: RunningSim,
) -> None:
    first = (await sim.control("calls", {"queue": "6401", "caller": "5550001"}))["call_id"]
    linear = await sim.control(f"calls/{first}/answer")
    await sim.control(f"calls/{first}/hangup")
    sales = (await sim.control("calls", {"queue": "6400", "caller": "5550002"}))["call_id"]
    talked = await sim.control(f"calls/{sales}/answer")
    await sim.control(f"calls/{sales}/hangup")
    # Past 1001's wrap-up: it is available again, but 1002 has been idle for longer.
    await sim.control("clock/advance", {"seconds": 20})
    again = (await sim.control("calls", {"queue": "6400", "caller": "5550003"}))["call_id"]

    least_recent = await sim.control(f"calls/{again}/ring")

    assert linear["agent"] == "1004"
    assert talked["agent"] == "1001"
    assert least_recent["agent"] == "1002"


async def test_hanging_up_one_ringing_phone_leaves_the_others_ringing(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = await ring_all_sim(start_sim, tmp_path)
    token = await sim.token()
    call_id = (await sim.control("calls", {"queue": "6700", "caller": "5550001"}))["call_id"]
    await sim.control(f"calls/{call_id}/ring")
    (call,) = (await sim.api("GET", "call/query", token, params={"call_id": call_id}))["data"]
    channel = next(m["extension"]["channel_id"] for m in call["members"] if "extension" in m)
    async with sim.socket([30011, 30026]) as ws:
        reply = await sim.api("POST", "call/hangup", token, json={"channel_id": channel})
        after = (await next_of(ws, 30011))["msg"]
        missed = (await next_of(ws, 30026))["msg"]

    assert reply["errcode"] == 0
    assert statuses(after) == [("caller", "ALERT"), ("302", "RING"), ("303", "RING")]
    assert missed["agent_number"] == "301"
