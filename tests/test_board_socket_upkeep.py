"""The board WebSocket's conversation and upkeep: settings in the snapshot, ping/ack, resync,
errors, bounded buffering, revocation, re-checks and planned recycling."""

import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import Client

from dashboard.boards import consumers
from dashboard.models import Board, Display
from dashboard.streams import queue_stream
from tests.sockets import (
    TIMEOUT_S,
    StartPublisher,
    open_board,
    paired_display,
    receive,
    session_cookie,
    waiting,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


async def test_the_snapshot_carries_the_board_settings(board: Board, alice: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    snapshot = await receive(socket)
    assert snapshot["board"] == {
        "slug": "sales",
        "name": "Sales floor",
        "queues": ["6400", "6401"],
        "language": "",
        "thresholds": {
            "waiting_warn": 3,
            "waiting_critical": 6,
            "longest_wait_warn_s": 60,
            "longest_wait_critical_s": 120,
            "service_level_warn": 80,
            "service_level_critical": 60,
            "abandon_rate_warn": 5,
            "abandon_rate_critical": 10,
            "available_warn": 0,
            "available_critical": 0,
        },
        "alarms": {"flash_s": 60, "acknowledged": {}},
        "sections": {"agents": True, "waiting": True, "calls": True},
    }
    assert abs(snapshot["server_time"] - time.time() * 1000) < 60_000
    await socket.disconnect()


async def test_it_answers_a_ping_with_the_server_time(board: Board, alice: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await socket.send_json_to({"type": "ping", "seq": {"link": 0, "queue:6400": 0}})
    pong = await receive(socket)
    assert pong["type"] == "pong"
    assert abs(pong["server_time"] - time.time() * 1000) < 60_000
    await socket.disconnect()


async def test_it_sends_a_fresh_snapshot_on_resync(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    first = await receive(socket)
    pub = await publisher()  # a new epoch the first snapshot knew nothing of
    await pub.publish(queue_stream("6400"), waiting("5550001"))
    assert (await receive(socket))["epoch"] == pub.epoch
    await socket.send_json_to({"type": "resync"})
    # One snapshot in flight at most: the next follows once the browser has applied the first.
    assert await socket.receive_nothing(0.2)
    await socket.send_json_to({"type": "ping", "seq": acks_of(first)})
    assert (await receive(socket))["type"] == "pong"
    fresh = await receive(socket)
    assert (fresh["type"], fresh["epoch"]) == ("snapshot", pub.epoch)
    assert fresh["streams"]["queue:6400"] == {"seq": 1, "data": waiting("5550001")}
    await socket.disconnect()


def acks_of(snapshot: dict[str, Any]) -> dict[str, int]:
    return {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ("hello", "not JSON"),
        ('{"type": "subscribe"}', "unknown message type 'subscribe': send ping or resync"),
        ('{"type": "ping", "seq": {"link": -1}}', 'ping "seq" must map'),
    ],
)
async def test_it_explains_what_it_cannot_understand(
    board: Board, alice: User, sent: str, error: str
) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await socket.send_to(text_data=sent)
    answer = await receive(socket)
    assert answer["type"] == "error"
    assert answer["error"].startswith(error)
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"  # still connected
    await socket.disconnect()


async def test_it_closes_on_binary_input(board: Board, alice: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4413
    await socket.disconnect()


def several_callers(round_: int) -> dict[str, Any]:
    return waiting(*[f"55500{round_:02}{i:02}" for i in range(8)])  # a frame of ~600 characters


async def test_a_screen_that_does_not_acknowledge_is_told_to_reconnect(
    board: Board,
    alice: User,
    publisher: StartPublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumers, "MAX_UNACKED_CHARS", 5000)
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    deltas = 0
    for round_ in range(30):
        await pub.publish(queue_stream("6400"), several_callers(round_))
        await pub.flush()
        output = await socket.receive_output(TIMEOUT_S)
        if output["type"] == "websocket.close":
            break
        deltas += 1
    assert output == {"type": "websocket.close", "code": 4408}
    assert 5 <= deltas < 10  # the bound held: it stopped after about 5000 characters
    await socket.disconnect()


async def test_a_screen_that_acknowledges_stays_connected(
    board: Board,
    alice: User,
    publisher: StartPublisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumers, "MAX_UNACKED_CHARS", 5000)
    monkeypatch.setattr(consumers, "MESSAGE_BURST", 100)  # it pings far faster than browsers
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    snapshot = await receive(socket)
    applied = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
    for round_ in range(30):
        await pub.publish(queue_stream("6400"), several_callers(round_))
        await pub.flush()
        delta = await receive(socket)
        applied[delta["stream"]] = delta["seq"]
        await socket.send_json_to({"type": "ping", "seq": applied})
        assert (await receive(socket))["type"] == "pong"
    assert applied["queue:6400"] == 30
    await socket.disconnect()


@sync_to_async
def revoke_in_admin(display_pk: int) -> None:
    User.objects.create_superuser("root", password="root-password-1")
    admin = Client()
    admin.login(username="root", password="root-password-1")
    admin.post(
        "/admin/dashboard/display/",
        {"action": "revoke_displays", "_selected_action": [display_pk]},
    )


async def test_a_display_revoked_in_the_admin_is_disconnected_within_5_s(board: Board) -> None:
    socket = await open_board("sales", (b"cookie", await paired_display(board)))
    await receive(socket)
    display = await sync_to_async(Display.objects.get)()
    assert display.last_seen_at is not None
    await revoke_in_admin(display.pk)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect()


async def test_a_display_revoked_behind_the_admins_back_is_noticed_at_the_recheck(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RECHECK_S", 1.0)
    socket = await open_board("sales", (b"cookie", await paired_display(board)))
    await receive(socket)
    await sync_to_async(Display.objects.update)(revoked=True)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect()


async def test_changed_board_settings_make_screens_start_afresh(
    board: Board, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RECHECK_S", 1.0)
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await sync_to_async(Board.objects.update)(waiting_critical=9)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4408}
    await socket.disconnect()
    again = await open_board("sales", (b"cookie", await session_cookie(alice)))
    assert (await receive(again))["board"]["thresholds"]["waiting_critical"] == 9
    await again.disconnect()


async def test_every_screen_recycles_itself_at_its_own_planned_time(
    board: Board, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RECYCLE_AFTER_S", (0.5, 1.0))
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4408}
    await socket.disconnect()
