"""The publisher over a real Redis and channel layer: whatever the timing of changes, the last
change of a stream always reaches Redis (and the screens) without waiting for another one."""

import asyncio
import json
import random

import pytest

from dashboard.livestore import live_redis
from dashboard.streams import queue_stream, stream_key
from tests.sockets import StartPublisher

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
