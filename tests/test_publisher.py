"""The publisher over a real Redis and channel layer: whatever the timing of changes, the last
change of a stream always reaches Redis (and the screens) without waiting for another one; a
quiet PBX's changes go at once, a busy one's reach a screen as at most ten frames a second."""

import asyncio
import json
import random
import time
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from dashboard.boards.livestore import live_redis
from dashboard.models import Board
from dashboard.streams import queue_stream, stream_key
from dashboard.worker.publish import COALESCE_WINDOW_S, FLUSH_BURST
from tests.sockets import StartPublisher, open_board, receive, session_cookie, waiting

pytestmark = pytest.mark.usefixtures("clean_redis")


async def stored(stream: str) -> object:
    raw = await live_redis().get(stream_key(stream))
    return json.loads(raw)["data"] if raw else None


async def test_the_last_change_goes_out_even_if_it_came_during_a_flush(
    publisher: StartPublisher,
) -> None:
    pub = await publisher()
    stream, rng = queue_stream("6400"), random.Random(3)
    for round_ in range(30):  # bursts whose last change lands at every point of a flush
        for step in range(rng.randint(2, 6)):
            await pub.publish(stream, {"round": round_, "step": step})
            await asyncio.sleep(rng.uniform(0, 0.03))
        await arrives(stream, {"round": round_, "step": step})
    await pub.close()


async def arrives(stream: str, value: dict[str, int], timeout_s: float = 2.0) -> None:
    """Poll Redis until the stream holds `value` (no further change will come to push it)."""
    for _ in range(int(timeout_s / 0.01)):
        if await stored(stream) == value:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"{stream} still holds {await stored(stream)}, not {value}")


async def test_a_change_after_a_quiet_spell_is_sent_without_waiting(
    publisher: StartPublisher,
) -> None:
    pub = await publisher()
    stream = queue_stream("6400")
    for step in range(20):  # a busy moment spends every token the pacer had
        await pub.publish(stream, {"step": step})
    await arrives(stream, {"step": 19})
    await asyncio.sleep(FLUSH_BURST * COALESCE_WINDOW_S)  # the quiet spell itself, not a wait
    await pub.publish(stream, {"step": "after"})
    assert await stored(stream) == {"step": "after"}  # stored and sent before publish returned
    await pub.close()


@pytest.mark.django_db(transaction=True)
async def test_a_busy_pbx_reaches_a_screen_as_at_most_ten_frames_a_second(
    board: Board, alice: User, publisher: StartPublisher
) -> None:
    pub = await publisher()
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    started, changes = time.monotonic(), 300
    for step in range(changes):  # both queues change every few ms, as on a busy PBX
        await pub.publish(queue_stream("6400"), waiting(f"5550{step:03}"))
        await pub.publish(queue_stream("6401"), waiting(f"5551{step:03}"))
        await asyncio.sleep(0.005)  # the load's pace
    frames, last = await frames_until(socket, waiting(f"5551{changes - 1:03}"))
    elapsed = time.monotonic() - started
    assert frames <= FLUSH_BURST + elapsed / COALESCE_WINDOW_S + 1
    assert last["queue:6400"] == waiting(f"5550{changes - 1:03}")  # nothing left behind
    await pub.close()
    await socket.disconnect()


async def frames_until(
    socket: WebsocketCommunicator, final: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Frames received until queue 6401 shows `final`; the streams' latest data; no gaps."""
    frames, seqs = 0, {"queue:6400": 0, "queue:6401": 0}
    last: dict[str, Any] = {}
    while last.get("queue:6401") != final:
        frame = await receive(socket)
        frames += 1
        for delta in frame["frames"] if frame["type"] == "batch" else [frame]:
            assert delta["seq"] == seqs[delta["stream"]] + 1
            seqs[delta["stream"]], last[delta["stream"]] = delta["seq"], delta["data"]
    return frames, last
