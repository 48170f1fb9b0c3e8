"""The event WebSocket: handshake, subscribe replies, heartbeat, topic filtering, idle close."""

import asyncio
import contextlib
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.pbxsim.sim_harness import SALES, WAIT, RunningSim, StartSim, next_event, recv_text

CALL_STATE, AGENT_STATUS = 30011, 30029


async def subscribers(sim: RunningSim) -> int:
    return int((await sim.state())["subscribers"])


async def place_call(sim: RunningSim, queue: str = SALES, caller: str = "5550001") -> str:
    return str((await sim.control("calls", {"queue": queue, "caller": caller}))["call_id"])


async def test_subscribing_is_acknowledged_and_counted(sim: RunningSim) -> None:
    """§3.2: subscribe reply."""
    async with sim.socket() as ws:
        await ws.send(json.dumps({"topic_list": [CALL_STATE, AGENT_STATUS]}))

        assert await recv_text(ws) == '{"errcode":0,"errmsg":"SUCCESS"}'
        assert await subscribers(sim) == 1


async def test_heartbeat_gets_its_plain_text_reply(sim: RunningSim) -> None:
    """§3.3: `heartbeat` → `heartbeat response`."""
    async with sim.socket() as ws:
        await ws.send("heartbeat")

        assert await recv_text(ws) == "heartbeat response"


@pytest.mark.parametrize(
    ("text", "errcode"),
    [("{not json", 40001), ('{"topics": [30011]}', 40002), ('["topic_list"]', 40002)],
)
async def test_a_bad_subscribe_gets_an_errcode_and_the_socket_stays_up(
    sim: RunningSim, text: str, errcode: int
) -> None:
    """§3.2 (GUESS): errors use the envelope."""
    async with sim.socket() as ws:
        await ws.send(text)

        assert json.loads(await recv_text(ws))["errcode"] == errcode
        await ws.send("heartbeat")
        assert await recv_text(ws) == "heartbeat response"


@pytest.mark.parametrize("token", ["", "B" * 32])
async def test_the_upgrade_is_refused_without_a_live_token(sim: RunningSim, token: str) -> None:
    """§3.1: a valid access token is required."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(sim.ws_url(token), proxy=None):
            pass

    assert refused.value.response.status_code == 200
    assert json.loads(refused.value.response.body or b"")["errcode"] == 10004


async def test_only_subscribed_topics_are_pushed(sim: RunningSim) -> None:
    """§3.4: only subscribed IDs are pushed."""
    async with sim.socket([AGENT_STATUS, 99999]) as agents, sim.socket([CALL_STATE]) as calls:
        call_id = await place_call(sim)
        await sim.control("agents/1001/pause", {"reason": "Lunch"})

        assert (await next_event(calls))["msg"]["call_id"] == call_id
        # Frames arrive in order, so a 30011 sent to the 30029-only socket would come first.
        event = await next_event(agents)
        assert event["type"] == AGENT_STATUS
        assert event["msg"] == {
            "queue_number": SALES,
            "agent_number": "1001",
            "status": "Paused",
            "reason": "Lunch",
        }


async def test_a_second_subscribe_replaces_the_first(sim: RunningSim) -> None:
    """§3.2 (GUESS): a second subscribe replaces."""
    async with sim.socket([CALL_STATE]) as ws:
        await ws.send(json.dumps({"topic_list": [AGENT_STATUS]}))
        assert json.loads(await recv_text(ws))["errcode"] == 0

        await place_call(sim)
        await sim.control("agents/1002/unpause")

        assert (await next_event(ws))["type"] == AGENT_STATUS


async def test_msg_can_be_switched_to_an_object_per_event_type(start_sim: StartSim) -> None:
    """§3.4 (GUESS switch): msg string or object."""
    sim = await start_sim(object_msg_types=frozenset({AGENT_STATUS}))
    async with sim.socket([CALL_STATE, AGENT_STATUS]) as ws:
        await sim.control("agents/1004/pause")
        await place_call(sim)

        status = json.loads(await recv_text(ws))
        call = json.loads(await recv_text(ws))

    assert status["type"] == AGENT_STATUS
    assert status["msg"]["status"] == "Paused"
    assert call["type"] == CALL_STATE
    assert isinstance(call["msg"], str)


async def test_a_silent_client_is_disconnected_after_the_idle_timeout(start_sim: StartSim) -> None:
    """§3.3: closed after 60 s silence."""
    sim = await start_sim(ws_idle_timeout=0.3)
    async with sim.socket([CALL_STATE]) as ws:
        async with asyncio.timeout(WAIT):
            await ws.wait_closed()

        assert ws.close_code == 1000
        assert await subscribers(sim) == 0


async def test_heartbeats_keep_the_socket_open_past_the_idle_timeout(start_sim: StartSim) -> None:
    """§3.3: heartbeats keep it open."""
    sim = await start_sim(ws_idle_timeout=0.5)
    async with sim.socket() as ws:
        # Four beats 0.3 s apart span 1.2 s, more than twice the idle timeout.
        for _ in range(4):
            await asyncio.sleep(0.3)
            await ws.send("heartbeat")
            assert await recv_text(ws) == "heartbeat response"


async def test_protocol_pings_do_not_count_as_traffic(start_sim: StartSim) -> None:
    """§3.3 (GUESS): only client data frames count."""
    sim = await start_sim(ws_idle_timeout=0.5)
    async with sim.socket() as ws:

        async def keep_pinging() -> None:
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await ws.ping()
                    await asyncio.sleep(0.1)

        pinger = asyncio.create_task(keep_pinging())
        try:
            async with asyncio.timeout(WAIT):
                await ws.wait_closed()
        finally:
            pinger.cancel()
