"""Live state in Redis: one key per stream holding its latest data, plus the current epoch."""

import asyncio
import json
import weakref
from typing import Any

import redis.asyncio as aioredis
from django.conf import settings

from dashboard.streams import EPOCH_KEY, stream_key

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = (
    weakref.WeakKeyDictionary()
)


def live_redis() -> aioredis.Redis:
    """A client for this event loop (asyncio Redis connections cannot cross loops)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            max_connections=settings.REDIS_MAX_CONNECTIONS,
            decode_responses=True,
        )
        _clients[loop] = client
    return client


async def read_snapshot(streams: list[str]) -> dict[str, Any]:
    """The epoch and each stream's `{"seq", "data"}`, read in one atomic MGET.

    A stream written under another epoch is leftover from an earlier worker: shown as empty."""
    values = await live_redis().mget([EPOCH_KEY, *(stream_key(s) for s in streams)])
    epoch = str(values[0] or "")
    entries: dict[str, Any] = {}
    for stream, raw in zip(streams, values[1:], strict=True):
        stored = json.loads(raw) if raw else {}
        if stored.get("epoch") == epoch:
            entries[stream] = {"seq": stored["seq"], "data": stored["data"]}
        else:
            entries[stream] = {"seq": 0, "data": None}
    return {"epoch": epoch, "streams": entries}
