"""One hub per web process feeds its screens: shared frames, nothing before the snapshot."""

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from redis.exceptions import RedisError

from dashboard.boards import consumers
from dashboard.boards.fanout import Delta, Frames, Hub, process_hub
from dashboard.boards.livestore import Snapshot, read_snapshot
from dashboard.models import Board
from dashboard.streams import queue_stream
from tests.sockets import TIMEOUT_S, StartPublisher, open_board, receive, session_cookie, waiting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


async def test_screens_of_one_board_get_the_same_frame_once_each(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    cookie = (b"cookie", await session_cookie(alice))
    screens = [await open_board("sales", cookie) for _ in range(3)]
    for screen in screens:
        await receive(screen)
    await pub.publish(queue_stream("6401"), waiting("5550001"))
    frames = [await screen.receive_from(timeout=TIMEOUT_S) for screen in screens]
    assert len(set(frames)) == 1
    assert '"seq":1' in frames[0]
    for screen in screens:
        assert await screen.receive_nothing(timeout=0.2)
        await screen.disconnect()
    assert not process_hub().screens  # each left the hub on disconnect


async def test_a_change_made_while_the_snapshot_is_read_follows_the_snapshot(
    board: Board, alice: User, publisher: StartPublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub hands a delta over mid-connect: it must not overtake the snapshot, nor be lost."""
    pub = await publisher()
    handed_over = asyncio.Event()
    deliver = consumers.BoardConsumer.deliver

    async def deliver_and_tell(screen: Any, deltas: list[Delta], frames: Frames) -> None:
        await deliver(screen, deltas, frames)
        handed_over.set()

    async def read_then_change(streams: list[str]) -> Snapshot:
        snapshot = await read_snapshot(streams)  # seq 0: taken before the change
        await pub.publish(queue_stream("6400"), waiting("5550001"))
        await asyncio.wait_for(handed_over.wait(), TIMEOUT_S)
        return snapshot

    monkeypatch.setattr(consumers.BoardConsumer, "deliver", deliver_and_tell)
    monkeypatch.setattr(consumers, "read_snapshot", read_then_change)
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    first, second = await receive(socket), await receive(socket)
    assert first["type"] == "snapshot"
    assert first["streams"]["queue:6400"]["seq"] == 0
    assert (second["type"], second["stream"], second["seq"]) == ("delta", "queue:6400", 1)
    await socket.disconnect()


async def test_a_socket_that_fails_while_connecting_leaves_the_hub(
    board: Board, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def redis_gone(streams: list[str]) -> Snapshot:
        raise RedisError("Connection refused")

    monkeypatch.setattr(consumers, "read_snapshot", redis_gone)
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    with pytest.raises(RedisError):
        await socket.receive_output(TIMEOUT_S)
    assert not process_hub().screens  # nothing left behind to feed


async def test_a_screen_has_no_channel_of_its_own(
    board: Board, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """channels gives a consumer whose `channel_layer_alias` names no configured layer no layer,
    so no channel and no receive loop: the process's one channel (the hub's) feeds every screen.
    Should a channels upgrade change that, each screen would cost a Redis subscription again."""
    layer = get_channel_layer()
    assert layer is not None
    joined: list[Any] = []
    channels_made: list[str] = []
    join, new_channel = Hub.join, layer.new_channel

    async def note_join(hub: Hub, screen: Any) -> None:
        joined.append(screen)
        await join(hub, screen)

    async def note_new_channel(prefix: str = "specific") -> str:
        channels_made.append(await new_channel(prefix))
        return channels_made[-1]

    monkeypatch.setattr(Hub, "join", note_join)
    monkeypatch.setattr(layer, "new_channel", note_new_channel)
    cookie = (b"cookie", await session_cookie(alice))
    sockets = [await open_board("sales", cookie) for _ in range(3)]
    for socket in sockets:
        await receive(socket)
    assert len(joined) == 3
    for screen in joined:
        assert get_channel_layer(screen.channel_layer_alias) is None
        assert screen.channel_layer is None
        assert not hasattr(screen, "channel_name")
    assert channels_made == [process_hub().channel]  # one for the process, none per screen
    for socket in sockets:
        await socket.disconnect()
