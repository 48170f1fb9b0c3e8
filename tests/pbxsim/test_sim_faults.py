"""Fault injection through /_sim/faults/…, the token peaks in the state, and event bursts."""

import asyncio
import json
import time

import pytest

from tests.pbxsim.sim_harness import (
    SALES,
    WAIT,
    JsonObj,
    RunningSim,
    StartSim,
    next_event,
    recv_text,
)

NO_FAULTS = {"heartbeat_reply": True, "events_paused": False, "delay": 0.0, "errcodes": {}}
SUBSCRIBED = '{"errcode":0,"errmsg":"SUCCESS"}'


async def place_call(sim: RunningSim, caller: str = "5550001") -> str:
    return str((await sim.control("calls", {"queue": SALES, "caller": caller}))["call_id"])


async def test_drop_sockets_closes_every_event_socket_with_1011(sim: RunningSim) -> None:
    async with sim.socket([30011]) as first, sim.socket() as second:
        reply = await sim.control("faults/drop_sockets")

        async with asyncio.timeout(WAIT):
            await first.wait_closed()
            await second.wait_closed()
    assert reply["dropped"] == 2
    assert (first.close_code, second.close_code) == (1011, 1011)
    # A dropped client may come straight back.
    async with sim.socket([30011]):
        assert (await sim.state())["subscribers"] == 1


async def test_heartbeats_can_go_unanswered_while_the_socket_stays_up(sim: RunningSim) -> None:
    async with sim.socket() as ws:
        reply = await sim.control("faults/heartbeat", {"reply": False})
        await ws.send("heartbeat")
        await ws.send(json.dumps({"topic_list": [30011]}))
        # Replies come in order: an answered heartbeat would arrive before this one.
        assert await recv_text(ws) == SUBSCRIBED

        await sim.control("faults/heartbeat", {"reply": True})
        await ws.send("heartbeat")
        assert await recv_text(ws) == "heartbeat response"
    assert reply["faults"]["heartbeat_reply"] is False


async def test_unanswered_heartbeats_still_count_as_traffic(start_sim: StartSim) -> None:
    sim = await start_sim(ws_idle_timeout=0.5)
    await sim.control("faults/heartbeat", {"reply": False})
    async with sim.socket() as ws:
        # Four beats 0.3 s apart span 1.2 s, more than twice the idle timeout.
        for _ in range(4):
            await asyncio.sleep(0.3)
            await ws.send("heartbeat")
        await ws.send(json.dumps({"topic_list": []}))
        assert await recv_text(ws) == SUBSCRIBED


async def test_expire_tokens_kills_access_tokens_but_not_open_sockets(sim: RunningSim) -> None:
    pair = await sim.login()
    async with sim.socket() as ws:
        await sim.control("faults/expire_tokens", {"refresh": False})

        await ws.send("heartbeat")
        assert await recv_text(ws) == "heartbeat response"
    expired = await sim.api("GET", "queue/list", token=pair["access_token"])
    renewed = await sim.api("POST", "refresh_token", json={"refresh_token": pair["refresh_token"]})
    assert expired == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    assert renewed["errcode"] == 0
    tokens = (await sim.state())["tokens"]
    assert (tokens["live"], tokens["peak_live"]) == (1, 2)


async def test_expire_tokens_can_take_the_refresh_tokens_too(sim: RunningSim) -> None:
    pair = await sim.login()

    await sim.control("faults/expire_tokens", {"refresh": True})

    renewed = await sim.api("POST", "refresh_token", json={"refresh_token": pair["refresh_token"]})
    assert renewed["errcode"] == 10004
    assert (await sim.login())["errcode"] == 0


async def test_an_errcode_fault_answers_n_times_then_stops(sim: RunningSim) -> None:
    body = {"endpoint": "get_token", "errcode": 60002, "times": 3}
    reply = await sim.control("faults/errcode", body)

    answers = [await sim.login() for _ in range(4)]

    assert reply["faults"]["errcodes"] == {
        "get_token": {"errcode": 60002, "errmsg": "MAX LIMITATION EXCEEDED", "times": 3}
    }
    assert answers[:3] == [{"errcode": 60002, "errmsg": "MAX LIMITATION EXCEEDED"}] * 3
    assert answers[3]["errcode"] == 0
    assert (await sim.state())["faults"] == NO_FAULTS


async def test_an_errcode_fault_without_times_lasts_until_cleared(sim: RunningSim) -> None:
    token = await sim.token()
    await sim.control("faults/errcode", {"endpoint": "queue/list", "errcode": -2})

    first = await sim.api("GET", "queue/list", token)
    second = await sim.api("GET", "queue/list", token)
    other = await sim.api("GET", "extension/list", token)
    await sim.control("faults/errcode", {"endpoint": "queue/list", "errcode": 0})

    assert first == second == {"errcode": -2, "errmsg": "INTERNAL SERVER ERROR"}
    assert other["errcode"] == 0
    assert (await sim.api("GET", "queue/list", token))["errcode"] == 0


async def test_an_errcode_fault_comes_after_user_agent_before_everything_else(
    sim: RunningSim,
) -> None:
    await sim.control("faults/errcode", {"endpoint": "queue/nonsense", "errcode": 70087})
    await sim.control("faults/errcode", {"endpoint": "subscribe", "errcode": 10005})

    untokened = await sim.api("GET", "queue/nonsense")
    bare = await sim.http.get("/openapi/v1.0/queue/nonsense", headers={"User-Agent": ""})
    handshake = await sim.http.get("/openapi/v1.0/subscribe")

    assert untokened == {"errcode": 70087, "errmsg": "IP FORBIDDEN"}
    assert bare.json()["errcode"] == 40002
    assert handshake.json() == {"errcode": 10005, "errmsg": "ACCESS DENIED"}


async def test_an_errcode_beyond_the_table_is_answered_with_its_errmsg(sim: RunningSim) -> None:
    """Any errcode on any endpoint: a real PBX may answer codes the reference never saw."""
    token = await sim.token()
    body = {"endpoint": "agent/login", "errcode": 70331, "errmsg": "AGENT NOT DYNAMIC"}
    await sim.control("faults/errcode", {**body, "times": 1})

    params = {"ext_id": "19", "operation": "login"}
    refused = await sim.api("GET", "agent/login", token, params=params)
    accepted = await sim.api("GET", "agent/login", token, params=params)

    assert refused == {"errcode": 70331, "errmsg": "AGENT NOT DYNAMIC"}
    assert accepted["errcode"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "get_token", "errcode": 12345},
        {"endpoint": "get_token", "errcode": 12345, "errmsg": ""},
        {"endpoint": "get_token", "errcode": "60002"},
        {"endpoint": "", "errcode": 60002},
        {"endpoint": "get_token", "errcode": 60002, "times": 0},
        {"endpoint": "get_token", "errcode": True},
    ],
)
async def test_a_bad_errcode_fault_is_refused(sim: RunningSim, body: JsonObj) -> None:
    reply = await sim.control("faults/errcode", body, status=400)

    assert "error" in reply


async def test_delay_holds_every_rest_response(sim: RunningSim) -> None:
    token = await sim.token()
    await sim.control("faults/delay", {"seconds": 0.4})

    started = time.perf_counter()
    reply = await sim.api("GET", "queue/list", token)
    slow = time.perf_counter() - started
    await sim.control("faults/delay", {"seconds": 0})

    assert reply["errcode"] == 0
    assert slow >= 0.4
    assert (await sim.state())["faults"]["delay"] == 0


async def test_paused_events_are_dropped_not_queued(sim: RunningSim) -> None:
    async with sim.socket([30011]) as ws:
        await sim.control("faults/events", {"paused": True})
        await place_call(sim, caller="5550001")
        await sim.control("faults/events", {"paused": False})
        second = await place_call(sim, caller="5550002")

        assert (await next_event(ws))["msg"]["call_id"] == second


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("faults/heartbeat", {}),
        ("faults/events", {"paused": "yes"}),
        ("faults/delay", {"seconds": -1}),
        ("faults/expire_tokens", {"refresh": 1}),
        ("burst", {"events": 0}),
    ],
)
async def test_malformed_fault_requests_are_400(sim: RunningSim, path: str, body: JsonObj) -> None:
    assert "error" in await sim.control(path, body, status=400)


async def test_clear_switches_every_fault_off(sim: RunningSim) -> None:
    await sim.control("faults/heartbeat", {"reply": False})
    await sim.control("faults/events", {"paused": True})
    await sim.control("faults/delay", {"seconds": 3})
    await sim.control("faults/errcode", {"endpoint": "get_token", "errcode": 60002})

    reply = await sim.control("faults/clear")

    assert reply["faults"] == NO_FAULTS
    assert (await sim.state())["faults"] == NO_FAULTS


async def test_state_keeps_the_peaks_of_live_tokens_and_failed_logins(sim: RunningSim) -> None:
    tokens = [await sim.token() for _ in range(3)]
    for token in tokens[:2]:
        await sim.api("GET", "del_token", token)
    for run in (3, 2):
        for _ in range(run):
            await sim.login(password="wrong")
        await sim.token()

    assert (await sim.state())["tokens"] == {
        "live": 3,
        "live_access": 3,
        "peak_live": 3,
        "failed_logins_in_a_row_peak": 3,
    }


@pytest.mark.parametrize("count", [2, 7, 41])
async def test_a_burst_sends_exactly_n_events_from_complete_calls(
    sim: RunningSim, count: int
) -> None:
    async with sim.socket([30011]) as ws:
        reply = await sim.control("burst", {"events": count})
        events = [await next_event(ws) for _ in range(count)]
        await place_call(sim)
        marker = await next_event(ws)

    assert reply["events"] == count
    assert {e["type"] for e in events} == {30011}
    assert len({e["msg"]["call_id"] for e in events}) == reply["calls"]
    assert marker["msg"]["members"][0]["inbound"]["from"] == "5550001"
    (sales, support) = (await sim.state())["queues"]
    assert [len(q["waiting"]) for q in (sales, support)] == [1, 0]
    assert sales["stats"]["offered"] + support["stats"]["offered"] == reply["calls"] + 1


async def test_a_burst_reply_says_when_each_event_was_emitted(sim: RunningSim) -> None:
    """For benchmarks: wall-clock stamps in the control reply; the frames stay the PBX's."""
    async with sim.socket([30011]) as ws:
        before = time.time() * 1000
        reply = await sim.control("burst", {"events": 5})
        after = time.time() * 1000
        events = [await next_event(ws) for _ in range(5)]

    stamps = [e for e in reply["emitted"] if e["type"] == 30011]
    assert [s["key"] for s in stamps] == [e["msg"]["call_id"] for e in events]
    times = [s["emitted_ms"] for s in stamps]
    assert before - 1 <= times[0] <= times[-1] <= after + 1
    assert times == sorted(times)


async def test_scripted_call_and_agent_replies_say_what_they_emitted(sim: RunningSim) -> None:
    call = await sim.control("calls", {"queue": SALES, "caller": "5550001"})
    paused = await sim.control("agents/1001/pause", {"queues": [SALES]})

    assert [(e["type"], e["key"]) for e in call["emitted"]] == [(30011, call["call_id"])]
    assert [(e["type"], e["key"]) for e in paused["emitted"]] == [(30029, "1001")]
