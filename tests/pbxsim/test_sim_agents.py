"""Agent endpoints (§5.3, §5.5): status, pause and login change the model, 30029 reports it."""

import json
from pathlib import Path

import pytest

from tests.pbxsim.sim_harness import SALES, SUPPORT, JsonObj, RunningSim, StartSim, next_of

SALES_ID, SUPPORT_ID = 1, 2
IDS = {"1001": 17, "1002": 18, "1003": 19, "1004": 20, "1007": 23}
STATUS_FIELDS = {
    "name", "number", "is_login", "is_pause", "call_status", "pause_reason", "agent_type",
    "max_threshold_for_pause_time", "max_threshold_for_logout_time",
}  # fmt: skip
AGENT_STATUS = 30029


async def agent_status(sim: RunningSim, token: str, queue_id: int = SALES_ID) -> dict[str, JsonObj]:
    reply = await sim.api("GET", "queue/agent_status", token, params={"id": queue_id})
    assert reply["errcode"] == 0, reply
    assert reply["total_number"] == len(reply["data"])
    return {entry["number"]: entry for entry in reply["data"]}


async def test_agent_status_has_exactly_the_documented_fields(sim: RunningSim) -> None:
    agents = await agent_status(sim, await sim.token())

    assert list(agents) == ["1001", "1002", "1003", "1007"]
    assert all(set(entry) == STATUS_FIELDS for entry in agents.values())
    assert agents["1001"] == {
        "name": "Anan Chaiyo", "number": "1001", "is_login": 1, "is_pause": 0, "call_status": 1,
        "pause_reason": "", "agent_type": "static", "max_threshold_for_pause_time": 0,
        "max_threshold_for_logout_time": 0,
    }  # fmt: skip
    assert agents["1003"]["agent_type"] == "dynamic"


async def test_agent_status_follows_a_call_from_ringing_to_talking(sim: RunningSim) -> None:
    token = await sim.token()
    call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]

    await sim.control(f"calls/{call_id}/ring", {"agent": "1002"})
    ringing = (await agent_status(sim, token))["1002"]["call_status"]
    await sim.control(f"calls/{call_id}/answer")
    talking = (await agent_status(sim, token))["1002"]["call_status"]

    assert (ringing, talking) == (3, 2)


async def test_agent_pause_with_a_reason_code_pauses_everywhere(sim: RunningSim) -> None:
    token = await sim.token()
    async with sim.socket([AGENT_STATUS]) as ws:
        params = {"ext_id": IDS["1003"], "operation": "pause", "reason": "*01"}
        reply = await sim.api("GET", "agent/pause", token, params=params)
        events = [(await next_of(ws, AGENT_STATUS))["msg"] for _ in range(2)]

    assert reply == {"errcode": 0, "errmsg": "SUCCESS"}
    assert [e["queue_number"] for e in events] == [SALES, SUPPORT]
    assert events[0] == {
        "queue_number": SALES, "agent_number": "1003", "status": "Paused", "reason": "Lunch",
    }  # fmt: skip
    for queue_id in (SALES_ID, SUPPORT_ID):
        entry = (await agent_status(sim, token, queue_id))["1003"]
        assert (entry["is_pause"], entry["pause_reason"]) == (1, "Lunch")


async def test_paused_agents_get_no_queue_calls(sim: RunningSim) -> None:
    token = await sim.token()
    ext_ids = ",".join(str(IDS[n]) for n in ("1001", "1002", "1003"))
    params = {"ext_ids": ext_ids, "queue_id": SALES_ID, "operation": "pause", "reason": "*02"}
    assert (await sim.api("GET", "queue/agent_pause", token, params=params))["errcode"] == 0
    call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]

    reply = await sim.control(f"calls/{call_id}/answer")
    await sim.control(f"calls/{call_id}/hangup")
    second = (await sim.control("calls", {"queue": SALES, "caller": "5550002"}))["call_id"]

    assert reply["agent"] == "1007"
    # 1007 is wrapping up and everybody else is paused: nobody can take the next call.
    assert (await sim.control(f"calls/{second}/answer", status=409))["error"]
    support = await agent_status(sim, token, SUPPORT_ID)
    assert support["1003"]["is_pause"] == 0


async def test_a_logged_out_dynamic_agent_leaves_the_queue(sim: RunningSim) -> None:
    token = await sim.token()
    async with sim.socket([AGENT_STATUS]) as ws:
        params = {"ext_id": IDS["1007"], "operation": "logout"}
        assert (await sim.api("GET", "agent/login", token, params=params))["errcode"] == 0
        event = (await next_of(ws, AGENT_STATUS))["msg"]
    for number in ("1001", "1002", "1003"):
        await sim.control(f"agents/{number}/pause")
    call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]

    assert event == {"queue_number": SALES, "agent_number": "1007", "status": "Logged Out",
                     "reason": ""}  # fmt: skip
    assert (await agent_status(sim, token))["1007"]["is_login"] == 0
    assert (await sim.control(f"calls/{call_id}/answer", status=409))["error"]


async def test_queue_agent_login_logs_in_to_one_queue_only(sim: RunningSim) -> None:
    token = await sim.token()
    params = {"ext_ids": IDS["1003"], "queue_id": SUPPORT_ID, "operation": "logout"}

    reply = await sim.api("GET", "queue/agent_login", token, params=params)

    assert reply["errcode"] == 0
    assert (await agent_status(sim, token, SUPPORT_ID))["1003"]["is_login"] == 0
    assert (await agent_status(sim, token, SALES_ID))["1003"]["is_login"] == 1


async def test_logging_in_with_is_paused_pauses_at_once(sim: RunningSim) -> None:
    token = await sim.token()
    base = {"ext_id": IDS["1007"], "queue_ids": str(SALES_ID)}
    await sim.api("GET", "agent/login", token, params={**base, "operation": "logout"})

    params = {**base, "operation": "login", "is_paused": 1, "reason": "*03"}
    reply = await sim.api("GET", "agent/login", token, params=params)

    entry = (await agent_status(sim, token))["1007"]
    assert reply["errcode"] == 0
    assert (entry["is_login"], entry["is_pause"], entry["pause_reason"]) == (1, 1, "Wrap up")


@pytest.mark.parametrize(
    ("endpoint", "params", "field"),
    [
        ("agent/login", {"ext_id": 17, "operation": "logout"}, "ext_id"),
        ("agent/login", {"ext_id": 999, "operation": "login"}, "ext_id"),
        ("agent/login", {"ext_id": 19, "operation": "sleep"}, "operation"),
        ("agent/pause", {"ext_id": 19, "operation": "pause", "reason": "*99"}, "reason"),
        ("agent/pause", {"ext_id": 19, "operation": "pause", "queue_ids": "77"}, "queue_ids"),
        ("agent/pause", {"operation": "pause"}, "ext_id"),
        ("agent/pause", {"ext_id": 19, "operation": "pause",
                         "max_threshold_for_pause_time": 5}, "max_threshold_for_pause_time"),
        ("queue/agent_pause", {"ext_ids": "20", "queue_id": 1, "operation": "pause"}, "ext_ids"),
        ("queue/agent_login", {"ext_ids": "19", "operation": "login"}, "queue_id"),
    ],
)  # fmt: skip
async def test_agent_endpoints_report_bad_parameters(
    sim: RunningSim, endpoint: str, params: JsonObj, field: str
) -> None:
    reply = await sim.api("GET", endpoint, await sim.token(), params=params)

    assert reply["errcode"] == 40002
    assert reply["invalid_param_list"][0]["field"] == field


async def test_a_timed_pause_ends_by_itself(sim: RunningSim) -> None:
    token = await sim.token()
    params = {"ext_id": IDS["1001"], "operation": "pause", "max_threshold_for_pause_time": 30}
    async with sim.socket([AGENT_STATUS]) as ws:
        await sim.api("GET", "agent/pause", token, params=params)
        paused = (await next_of(ws, AGENT_STATUS))["msg"]
        assert (await agent_status(sim, token))["1001"]["max_threshold_for_pause_time"] == 30

        await sim.control("clock/advance", {"seconds": 30})
        resumed = (await next_of(ws, AGENT_STATUS))["msg"]

    assert (paused["status"], resumed["status"]) == ("Paused", "Unpaused")
    assert (await agent_status(sim, token))["1001"]["is_pause"] == 0


async def test_agent_status_is_60001_when_nobody_is_logged_in(
    start_sim: StartSim, tmp_path: Path
) -> None:
    scenario = {
        "extensions": [{"id": 5, "number": "300", "name": "Solo"}],
        "queues": [{"id": 9, "number": "6600", "name": "Night", "did": "0200",
                    "ring_strategy": "ring_all", "dynamic_agents": ["300"]}],
    }  # fmt: skip
    path = tmp_path / "night.json"
    path.write_text(json.dumps(scenario))
    sim = await start_sim(scenario=str(path))
    token = await sim.token()

    await sim.api("GET", "agent/login", token, params={"ext_id": 5, "operation": "logout"})

    reply = await sim.api("GET", "queue/agent_status", token, params={"id": 9})
    assert reply == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}


@pytest.mark.parametrize(
    ("overrides", "queue_number", "status"),
    [
        ({"queue_number_prefix": True}, "queue-6400", "Paused"),
        ({"agent_status_style": "lower"}, "6400", "paused"),
    ],
)
async def test_30029_guess_switches(
    start_sim: StartSim, overrides: JsonObj, queue_number: str, status: str
) -> None:
    sim = await start_sim(**overrides)
    async with sim.socket([AGENT_STATUS]) as ws:
        await sim.control("agents/1001/pause", {"reason": "*02"})
        msg = (await next_of(ws, AGENT_STATUS))["msg"]

    assert (msg["queue_number"], msg["status"], msg["reason"]) == (queue_number, status, "Break")
