"""The real path: a pbxsim frame over a real socket reaches a browser socket on a real Daphne."""

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.forms import post_sign_in
from tests.integration.stack import Rig, Stack, wait_until

pytestmark = pytest.mark.integration
WAIT_S = 10


def login(stack: Stack) -> str:
    """Log in as the seeded supervisor through the real login form; return the Cookie header."""
    with httpx.Client(base_url=stack.web_url) as client:
        response = post_sign_in(client, "supervisor", stack.password)
        assert response.status_code == 302, "login failed"
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def board_socket(stack: Stack, cookie: str) -> ClientConnection:
    url = stack.web_url.replace("http://", "ws://") + "/ws/board/demo/"
    return await connect(url, additional_headers={"Cookie": cookie}, origin=Origin(stack.web_url))


async def frame_where(socket: ClientConnection, matches: Callable[[dict[str, Any]], bool]) -> Any:
    async with asyncio.timeout(WAIT_S):
        while True:
            frame = json.loads(await socket.recv())
            if matches(frame):
                return frame


def waiting_callers(frame: dict[str, Any]) -> list[str] | None:
    if frame.get("stream") != "queue:6400":
        return None
    return [caller["caller"] for caller in frame["data"]["waiting"]]


async def test_a_caller_entering_and_leaving_the_queue_shows_live(stack: Stack) -> None:
    socket = await board_socket(stack, await asyncio.to_thread(login, stack))
    snapshot = await frame_where(socket, lambda frame: frame["type"] == "snapshot")
    assert snapshot["streams"]["link"]["data"]["state"] == "connected"
    assert snapshot["streams"]["queue:6400"]["data"]["waiting"] == []

    call = await asyncio.to_thread(
        stack.sim, "POST", "calls", {"queue": "6400", "caller": "5550001"}
    )
    entered = await frame_where(socket, lambda frame: waiting_callers(frame) == ["5550001"])
    assert entered["seq"] == snapshot["streams"]["queue:6400"]["seq"] + 1
    truth = await asyncio.to_thread(stack.sim, "GET", "state")
    sales = next(queue for queue in truth["queues"] if queue["number"] == "6400")
    assert [caller["call_id"] for caller in sales["waiting"]] == [call["call_id"]]

    await asyncio.to_thread(stack.sim, "POST", f"calls/{call['call_id']}/abandon")
    await frame_where(socket, lambda frame: waiting_callers(frame) == [])
    await socket.close()


async def test_a_board_opened_later_gets_the_current_queue_in_its_snapshot(stack: Stack) -> None:
    cookie = await asyncio.to_thread(login, stack)
    first = await board_socket(stack, cookie)
    await frame_where(first, lambda frame: frame["type"] == "snapshot")
    await asyncio.to_thread(stack.sim, "POST", "calls", {"queue": "6400", "caller": "5550002"})
    await frame_where(first, lambda frame: waiting_callers(frame) == ["5550002"])
    later = await board_socket(stack, cookie)
    snapshot = await frame_where(later, lambda frame: frame["type"] == "snapshot")
    assert snapshot["streams"]["queue:6400"]["data"]["waiting"][0]["caller"] == "5550002"
    await first.close()
    await later.close()


async def test_a_browser_from_another_origin_is_refused(stack: Stack) -> None:
    cookie = await asyncio.to_thread(login, stack)
    url = stack.web_url.replace("http://", "ws://") + "/ws/board/demo/"
    with pytest.raises(Exception, match="403"):
        await connect(
            url, additional_headers={"Cookie": cookie}, origin=Origin("http://evil.example")
        )


def todays_figures(rig: Rig) -> dict[str, Any]:
    client = redis.Redis.from_url(rig.redis_url, decode_responses=True)
    return json.loads(str(client.get("wb:stream:queue:6400")))["data"]["today"]  # type: ignore[no-any-return]


KEPT = ("offered", "answered", "abandoned", "short_abandoned", "since", "partial")


def test_a_worker_restart_keeps_todays_figures(rig: Rig) -> None:
    answered = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550011"})
    rig.sim("POST", f"calls/{answered['call_id']}/answer", {"agent": "1001"})
    abandoned = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550012"})
    rig.sim("POST", f"calls/{abandoned['call_id']}/abandon")

    def counted() -> dict[str, Any] | None:
        """both calls are in today's figures"""
        figures = todays_figures(rig)
        gave_up = figures["abandoned"] + figures["short_abandoned"]
        return figures if (figures["offered"], figures["answered"], gave_up) == (2, 1, 1) else None

    before = wait_until(counted)
    rig.workers[0].stop()
    rig.start_worker()
    after = todays_figures(rig)
    assert {key: after[key] for key in KEPT} == {key: before[key] for key in KEPT}


def database_rows(rig: Rig, sql: str) -> list[tuple[Any, ...]]:
    """Read the rig's database (the workers' own SQLite file) directly."""
    path = rig.env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def test_todays_figures_and_history_survive_redis_losing_them(rig: Rig) -> None:
    call = rig.sim("POST", "calls", {"queue": "6400", "caller": "5550021"})
    rig.sim("POST", f"calls/{call['call_id']}/answer", {"agent": "1001"})

    def kept() -> bool:
        """the answered call is in the database's day snapshot and 15-minute interval"""
        days = database_rows(rig, "SELECT data FROM dashboard_daysnapshot")
        intervals = database_rows(rig, "SELECT counters FROM dashboard_queueinterval")
        return (
            bool(days)
            and json.loads(days[0][0])["queues"]["6400"]["answered"] == 1
            and any(json.loads(counters)["answered"] == 1 for (counters,) in intervals)
        )

    wait_until(kept)
    rig.workers[0].stop()
    redis.Redis.from_url(rig.redis_url).delete("wb:today")
    rig.start_worker()
    assert todays_figures(rig)["answered"] == 1
