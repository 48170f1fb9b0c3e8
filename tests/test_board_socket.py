"""The board WebSocket over a real Redis channel layer: snapshot, deltas, dedup, refusals."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from dashboard.boards.fanout import GROUP_REFRESH_S
from dashboard.boards.livestore import live_redis
from dashboard.boards.refusals import MAX_REFUSALS
from dashboard.models import Board, Display
from dashboard.sso.config import LOCAL_BACKEND
from dashboard.streams import queue_stream, stream_group
from dashboard.worker.publish import Pacer
from tests.sockets import (
    ORIGIN,
    TIMEOUT_S,
    StartPublisher,
    open_board,
    paired_display,
    receive,
    session_cookie,
    waiting,
    with_db,
)
from wallboard.asgi import application
from wallboard.env import channel_prefix

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


async def test_it_sends_the_stored_state_then_numbered_deltas(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    await pub.publish(queue_stream("6400"), waiting("5550001"))
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    snapshot = await receive(socket)
    assert snapshot["type"] == "snapshot"
    assert snapshot["epoch"] == pub.epoch
    assert snapshot["board"]["queues"] == ["6400", "6401"]
    assert snapshot["streams"]["queue:6400"] == {"seq": 1, "data": waiting("5550001")}
    assert snapshot["streams"]["queue:6401"] == {"seq": 0, "data": None}
    await pub.publish(queue_stream("6400"), waiting("5550001", "5550002"))
    delta = await receive(socket)
    assert (delta["type"], delta["stream"], delta["seq"]) == ("delta", "queue:6400", 2)
    assert len(delta["data"]["waiting"]) == 2
    await socket.disconnect()


async def test_it_drops_a_delta_the_snapshot_already_holds(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    await pub.publish(queue_stream("6400"), waiting("5550001"))
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    # A delta published between group_add and the snapshot read reaches us late: seq 1 again.
    stale = {
        "type": "board.delta",
        "epoch": pub.epoch,
        "stream": "queue:6400",
        "seq": 1,
        "text": "{}",
    }
    await get_channel_layer().group_send(stream_group("queue:6400"), stale)
    await pub.publish(queue_stream("6400"), waiting())
    assert (await receive(socket))["seq"] == 2
    await socket.disconnect()


async def test_it_does_not_send_other_boards_queues(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await pub.publish(queue_stream("7000"), waiting("5550009"))
    await pub.publish(queue_stream("6401"), waiting())
    assert (await receive(socket))["stream"] == "queue:6401"
    await socket.disconnect()


async def test_it_closes_anonymous_sockets_with_4401(board: Board) -> None:
    socket = await open_board("sales")
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4401
    await socket.disconnect()


async def test_it_closes_with_4403_for_a_board_not_shared(board: Board, bob: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(bob)))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4403
    await socket.disconnect()


async def test_it_closes_with_4403_for_an_unknown_board(alice: User) -> None:
    socket = await open_board("nope", (b"cookie", await session_cookie(alice)))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4403
    await socket.disconnect()


async def test_staff_see_every_board(board: Board, charlie: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(charlie)))
    assert (await receive(socket))["type"] == "snapshot"
    await socket.disconnect()


async def test_it_refuses_a_handshake_from_a_foreign_origin(board: Board, alice: User) -> None:
    communicator = WebsocketCommunicator(
        application,
        "/ws/board/sales/",
        headers=[(b"origin", b"https://evil.example"), (b"cookie", await session_cookie(alice))],
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT_S)
    assert not connected
    await communicator.disconnect()


async def test_a_paired_display_sees_its_board_only(board: Board) -> None:
    cookie = await paired_display(board)
    socket = await open_board("sales", (b"cookie", cookie))
    assert (await receive(socket))["type"] == "snapshot"
    await socket.disconnect()
    await sync_to_async(Board.objects.create)(slug="other", name="Other", queues="7000")
    other = await open_board("other", (b"cookie", cookie))
    assert (await other.receive_output(TIMEOUT_S))["code"] == 4403
    await other.disconnect()


async def test_a_display_also_sees_the_boards_it_rotates_through(board: Board) -> None:
    cookie = await paired_display(board)

    @sync_to_async
    def rotate_to_other() -> None:
        other = Board.objects.create(slug="other", name="Other", queues="7000")
        Display.objects.get().more_boards.add(other)

    await rotate_to_other()
    socket = await open_board("other", (b"cookie", cookie))
    assert (await receive(socket))["board"]["queues"] == ["7000"]
    await socket.disconnect()


async def test_a_revoked_display_sees_nothing(board: Board) -> None:
    socket = await open_board("sales", (b"cookie", await paired_display(board, revoked=True)))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4403
    await socket.disconnect()


async def test_an_unknown_display_credential_is_sent_to_pairing(board: Board) -> None:
    socket = await open_board("sales", (b"cookie", b"wb_display=made-up"))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4401
    await socket.disconnect()


async def test_it_closes_on_oversized_input(board: Board, alice: User) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await socket.send_to(text_data="x" * 5000)
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4413
    await socket.disconnect()


async def test_a_burst_of_changes_reaches_screens_as_few_frames_without_gaps(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    for count in range(10):
        await pub.publish(queue_stream("6400"), waiting(*[f"555000{i}" for i in range(count + 1)]))
    first, second = await receive(socket), await receive(socket)
    assert [first["seq"], second["seq"]] == [1, 2]
    assert len(first["data"]["waiting"]) == 1  # the first change after a quiet spell went at once
    assert len(second["data"]["waiting"]) == 10  # the rest arrived as one, the latest data
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_a_screen_rejoins_its_groups_after_redis_forgets_them(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await live_redis().flushdb()  # what a Redis restart does to group memberships and state
    fresh = await publisher()  # the worker starts over: a new epoch

    async def delivered() -> dict[str, Any]:
        # The screen rejoins within GROUP_REFRESH_S: keep changing the queue until it hears.
        while await socket.receive_nothing(timeout=1.0):
            await fresh.publish(queue_stream("6400"), waiting("5550009"))
        return await receive(socket)

    frame = await asyncio.wait_for(delivered(), timeout=GROUP_REFRESH_S + 5)
    assert frame["epoch"] == fresh.epoch, frame  # the browser sees the new epoch and resyncs
    await socket.disconnect()


async def test_a_quiet_screen_stays_connected_past_the_redis_read_timeout(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    assert await socket.receive_nothing(timeout=12)  # channels_redis blocks 5 s per wait
    await pub.publish(queue_stream("6400"), waiting("5550010"))
    assert (await receive(socket))["stream"] == "queue:6400"
    await socket.disconnect()


async def test_an_address_refused_too_often_is_turned_away_unchecked(board: Board) -> None:
    """A credential guessed or gone stale, retried in a loop, costs a Redis call, not a query."""
    for _ in range(MAX_REFUSALS):
        socket = await open_board("sales", (b"cookie", b"wb_display=guessed-credential"))
        assert (await socket.receive_output(TIMEOUT_S))["code"] == 4401
        await socket.disconnect()
    valid = (b"cookie", await paired_display(board))
    socket = await open_board("sales", valid)
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4429
    await socket.disconnect()
    elsewhere = WebsocketCommunicator(
        application, "/ws/board/sales/", headers=[ORIGIN, (b"host", b"localhost"), valid]
    )
    elsewhere.scope["client"] = ("192.0.2.7", 50000)
    assert (await elsewhere.connect(timeout=TIMEOUT_S))[0]
    assert (await receive(elsewhere))["type"] == "snapshot"
    await elsewhere.disconnect()


async def test_one_flush_of_several_queues_reaches_a_screen_as_one_frame(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    """A board of many queues still gets about ten frames a second, not ten per queue."""
    pub = await publisher(Pacer(0.1, burst=1, gap_s=0.1))  # one flush at once, then paced
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await pub.publish(queue_stream("6400"), waiting("5550001"))  # at once: the PBX was quiet
    for data in (waiting("5550001", "5550002"), waiting()):  # within the coalescing window
        await pub.publish(queue_stream("6400"), data)
        await pub.publish(queue_stream("6401"), waiting("5550003"))
    assert (await receive(socket))["seq"] == 1
    batch = await receive(socket)
    assert batch["type"] == "batch", batch
    got = [(d["type"], d["stream"], d["seq"], d["data"]) for d in batch["frames"]]
    assert got == [
        ("delta", "queue:6400", 2, waiting()),
        ("delta", "queue:6401", 1, waiting("5550003")),
    ]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_an_installation_sharing_the_redis_server_is_not_heard(
    board: Board, alice: User, publisher: StartPublisher, settings: Any
) -> None:
    """Pub/sub ignores database numbers: another database's deltas must not reach our screens."""
    ours = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    other_url = with_db(settings.REDIS_URL, 0)
    if other_url == settings.REDIS_URL:  # the tests run on database 0: the other is 1
        other_url = with_db(settings.REDIS_URL, 1)
    other = RedisPubSubChannelLayer(hosts=ours["hosts"], prefix=channel_prefix(other_url))
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    foreign = {"type": "board.delta", "epoch": "other", "stream": "queue:6400", "seq": 7}
    await other.group_send(stream_group("queue:6400"), {**foreign, "text": '{"foreign":1}'})
    await pub.publish(queue_stream("6400"), waiting("5550001"))
    assert (await receive(socket))["epoch"] == pub.epoch
    await other.flush()
    await socket.disconnect()


@sync_to_async
def password_only_cookie(user: User, device: bool = False) -> bytes:
    """A session signed in here with the password alone (no code typed); its user given a
    confirmed authenticator app first if `device`."""
    if device:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.force_login(user, backend=LOCAL_BACKEND)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@override_settings(REQUIRE_2FA_FOR_STAFF=True)
async def test_staff_who_must_add_a_second_factor_get_no_board_before_they_do(
    board: Board, charlie: User
) -> None:
    socket = await open_board("sales", (b"cookie", await password_only_cookie(charlie)))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4401
    await socket.disconnect()


async def test_a_password_only_session_of_a_user_with_an_app_gets_no_board(
    board: Board, alice: User
) -> None:
    socket = await open_board("sales", (b"cookie", await password_only_cookie(alice, True)))
    assert (await socket.receive_output(TIMEOUT_S))["code"] == 4401
    await socket.disconnect()
