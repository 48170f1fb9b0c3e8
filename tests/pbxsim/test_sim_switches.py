"""The GUESS switches of 30011 (§4.1): a waiting caller's shape and call_path through an IVR."""

import pytest

from tests.pbxsim.sim_harness import SALES, JsonObj, StartSim, next_of


def shape(msg: JsonObj) -> list[tuple[str, str, str]]:
    """(kind, status, call_path) of every member."""
    members = [next(iter(m.items())) for m in msg["members"]]
    return [(kind, leg["member_status"], leg["call_path"]) for kind, leg in members]


@pytest.mark.parametrize(
    ("waiting_shape", "waiting", "ringing"),
    [
        ("alert", [("inbound", "ALERT")], [("inbound", "ALERT"), ("extension", "RING")]),
        ("answered", [("inbound", "ANSWERED")], [("inbound", "ANSWERED"), ("extension", "RING")]),
        ("queue_member", [("inbound", "ALERT"), ("extension", "RING")],
         [("inbound", "ALERT"), ("extension", "RING")]),
    ],
)  # fmt: skip
async def test_waiting_shape_switch(
    start_sim: StartSim,
    waiting_shape: str,
    waiting: list[tuple[str, str]],
    ringing: list[tuple[str, str]],
) -> None:
    sim = await start_sim(waiting_shape=waiting_shape)
    async with sim.socket([30011]) as ws:
        call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]
        queued = (await next_of(ws, 30011))["msg"]
        await sim.control(f"calls/{call_id}/ring", {"agent": "1001"})
        rung = (await next_of(ws, 30011))["msg"]

    assert [(k, s) for k, s, _ in shape(queued)] == waiting
    assert [(k, s) for k, s, _ in shape(rung)] == ringing
    if waiting_shape == "queue_member":
        assert queued["members"][1]["extension"]["number"] == SALES


@pytest.mark.parametrize(
    ("call_path", "paths"),
    [
        ("queue", ["6400", "6400"]),
        ("ivr_then_queue", ["6500", "6400", "6400"]),
        ("ivr_dash_queue", ["6500-6400", "6500-6400"]),
    ],
)
async def test_call_path_switch(start_sim: StartSim, call_path: str, paths: list[str]) -> None:
    sim = await start_sim(call_path=call_path)
    async with sim.socket([30011]) as ws:
        call_id = (await sim.control("calls", {"queue": SALES, "caller": "5550001"}))["call_id"]
        await sim.control(f"calls/{call_id}/ring", {"agent": "1001"})
        events = [(await next_of(ws, 30011))["msg"] for _ in paths]

    assert [shape(e)[0][2] for e in events] == paths
    assert {path for e in events for _, _, path in shape(e)} == set(paths)
