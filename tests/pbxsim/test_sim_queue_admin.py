"""Queue administration: queue/search, pause reason updates, shared wrap-up (§5.2, §5.6), and
the control API's queue edits that a client's periodic directory refresh must notice."""

import pytest

from tests.pbxsim.sim_harness import SALES, SUPPORT, JsonObj, RunningSim

SALES_ID, SUPPORT_ID = 1, 2
AGENT_1003_ID = 19


async def search(sim: RunningSim, token: str, value: str) -> JsonObj:
    return await sim.api("GET", "queue/search", token, params={"search_value": value})


async def test_queue_search_matches_number_or_name_like_queue_list(sim: RunningSim) -> None:
    """§5.2 (GUESS params): the same objects as queue/list, `total_number` = matches."""
    token = await sim.token()

    by_name = await search(sim, token, "supp")
    by_number = await search(sim, token, "640")
    listed = await sim.api("GET", "queue/list", token)

    assert (by_name["errcode"], by_name["total_number"]) == (0, 1)
    assert by_name["queue_list"] == [q for q in listed["queue_list"] if q["number"] == SUPPORT]
    assert by_number["queue_list"] == listed["queue_list"]
    assert (await search(sim, token, "nothing"))["queue_list"] == []


async def test_pause_reason_update_replaces_the_whole_list(sim: RunningSim) -> None:
    """§5.6: POST queue_pause_reason/update; pausing with a new code shows its text."""
    token = await sim.token()
    reasons = [{"code": "*05", "reason": "Coaching"}, {"code": "#1", "reason": "Meeting"}]

    reply = await sim.api(
        "POST", "queue_pause_reason/update", token, json={"pause_reason_list": reasons}
    )
    listed = await sim.api("GET", "queue_pause_reason/list", token)
    params = {"ext_id": AGENT_1003_ID, "operation": "pause", "reason": "*05"}
    paused = await sim.api("GET", "agent/pause", token, params=params)
    old = await sim.api("GET", "agent/pause", token, params={**params, "reason": "*01"})

    assert reply == {"errcode": 0, "errmsg": "SUCCESS"}
    assert listed["data"] == reasons
    assert paused["errcode"] == 0
    agents = (await sim.state())["queues"][0]["agents"]
    assert next(a for a in agents if a["number"] == "1003")["pause_reason"] == "Coaching"
    assert old["errcode"] == 40002


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"pause_reason_list": [{"code": "01", "reason": "Lunch"}]},
        {"pause_reason_list": [{"code": "*01", "reason": ""}]},
        {"pause_reason_list": [{"code": "*01", "reason": "A"}, {"code": "*01", "reason": "B"}]},
    ],
)
async def test_a_bad_pause_reason_update_is_40002_and_changes_nothing(
    sim: RunningSim, body: JsonObj
) -> None:
    token = await sim.token()

    reply = await sim.api("POST", "queue_pause_reason/update", token, json=body)

    assert reply["errcode"] == 40002
    listed = await sim.api("GET", "queue_pause_reason/list", token)
    assert [r["code"] for r in listed["data"]] == ["*01", "*02", "*03"]


async def agent_1003_rings_for_support_during_sales_wrap_up(sim: RunningSim) -> bool:
    """1003 (in both queues) ends a Sales call; can a Support caller ring it in wrap-up?"""
    sales_call = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]
    await sim.control(f"calls/{sales_call}/answer", {"agent": "1003"})
    await sim.control(f"calls/{sales_call}/hangup")
    support = (await sim.control("calls", {"queue": SUPPORT, "caller": "5550002"}))["call_id"]
    for other in ("1004", "1005", "1006", "1008"):
        await sim.control(f"agents/{other}/pause", {"queues": [SUPPORT]})
    reply = await sim.http.post(f"/_sim/calls/{support}/ring")
    return reply.status_code == 200 and reply.json()["agent"] == "1003"


async def test_wrap_up_is_shared_across_queues_by_default(sim: RunningSim) -> None:
    assert (await sim.state())["shared_wrap_up"] is True
    assert not await agent_1003_rings_for_support_during_sales_wrap_up(sim)


async def test_honor_wrapup_time_0_lets_other_queues_ring_during_wrap_up(
    sim: RunningSim,
) -> None:
    """The official page: POST queue/honor_wrapup_time {"enb_honor_wrapup_time": 0|1}."""
    token = await sim.token()

    body = {"enb_honor_wrapup_time": 0}
    reply = await sim.api("POST", "queue/honor_wrapup_time", token, json=body)
    bad = await sim.api("POST", "queue/honor_wrapup_time", token, json={"enb": 2})

    assert reply == {"errcode": 0, "errmsg": "SUCCESS"}
    assert bad["errcode"] == 40002
    assert (await sim.state())["shared_wrap_up"] is False
    assert await agent_1003_rings_for_support_during_sales_wrap_up(sim)


async def queue_in_list(sim: RunningSim, token: str, number: str) -> JsonObj:
    listed = await sim.api("GET", "queue/list", token)
    return next(q for q in listed["queue_list"] if q["number"] == number)


async def test_a_renamed_queue_shows_its_new_name_in_queue_list(sim: RunningSim) -> None:
    token = await sim.token()

    reply = await sim.control(f"queues/{SALES}", {"name": "Sales East"})

    assert reply["name"] == "Sales East"
    assert (await queue_in_list(sim, token, SALES))["name"] == "Sales East"
    assert (await sim.state())["queues"][0]["name"] == "Sales East"


async def test_an_agent_added_at_runtime_is_listed_and_rung(sim: RunningSim) -> None:
    token = await sim.token()

    reply = await sim.control(f"queues/{SALES}/agents/1008", {"type": "dynamic"})
    for agent in ("1001", "1002", "1003", "1007"):
        await sim.control(f"agents/{agent}/pause", {"queues": [SALES]})
    call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]
    rung = await sim.control(f"calls/{call_id}/ring")

    assert reply["dynamic_agents"] == ["1003", "1007", "1008"]
    dynamic = (await queue_in_list(sim, token, SALES))["dynamic_agent_list"]
    assert [m["text2"] for m in dynamic] == ["1003", "1007", "1008"]
    assert rung["agent"] == "1008"
    status = await sim.api("GET", "queue/agent_status", token, params={"id": SALES_ID})
    assert "1008" in [a["number"] for a in status["data"]]


async def test_an_agent_removed_at_runtime_finishes_its_call_then_is_gone(
    sim: RunningSim,
) -> None:
    token = await sim.token()
    call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]
    await sim.control(f"calls/{call_id}/answer", {"agent": "1001"})

    response = await sim.http.delete(f"/_sim/queues/{SALES}/agents/1001")
    await sim.control(f"calls/{call_id}/hangup")

    assert response.json()["static_agents"] == ["1002"]
    static = (await queue_in_list(sim, token, SALES))["static_agent_list"]
    assert [m["text2"] for m in static] == ["1002"]
    (sales, _) = (await sim.state())["queues"]
    assert sales["today"]["answered"] == 1
    assert "1001" not in [a["number"] for a in sales["agents"]]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "queues/6499", {"name": "X"}, 404),
        ("POST", f"queues/{SALES}", {"name": ""}, 400),
        ("POST", f"queues/{SALES}/agents/1001", {}, 409),
        ("POST", f"queues/{SALES}/agents/1004", {"type": "boss"}, 400),
        ("DELETE", f"queues/{SALES}/agents/1004", None, 404),
    ],
)
async def test_bad_queue_edits_are_refused(
    sim: RunningSim, method: str, path: str, body: JsonObj | None, status: int
) -> None:
    response = await sim.http.request(method, f"/_sim/{path}", json=body)

    assert response.status_code == status
    assert "error" in response.json()
