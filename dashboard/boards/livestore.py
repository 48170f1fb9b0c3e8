"""Live state in Redis: one key per stream holding its latest data, plus the current epoch."""

import asyncio
import functools
import json
import weakref
from typing import Any, TypedDict, cast

import redis
import redis.asyncio as aioredis
from django.conf import settings

from dashboard.streams import EPOCH_KEY, stream_key
from wallboard.redis_client import async_client, close_async_client, sync_client


class StreamEntry(TypedDict):
    """A stream as a snapshot carries it: seq 0 with no data when not published this epoch."""

    seq: int
    # The stream's data as the worker built it (a queue's board data, live/view.py, or the
    # link's health): JSON the web passes on to browsers without reading it, hence Any.
    data: dict[str, Any] | None


class Snapshot(TypedDict):
    epoch: str
    streams: dict[str, StreamEntry]


_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = (
    weakref.WeakKeyDictionary()
)


def live_redis() -> aioredis.Redis:
    """A client for this event loop (asyncio Redis connections cannot cross loops)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = async_client(max_connections=settings.REDIS_MAX_CONNECTIONS, decode_responses=True)
        _clients[loop] = client
    return client


async def close_live_redis() -> None:
    """Close this event loop's client, if it has one, before the loop ends (tests end a loop
    per test; otherwise its connections are left open until garbage collection)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await close_async_client(client)


def live_redis_sync() -> redis.Redis:
    """A blocking client for sync views: one (and one connection pool) per process and URL."""
    where = (settings.REDIS_URL, tuple(settings.REDIS_SENTINELS), settings.REDIS_SENTINEL_MASTER)
    return _sync_client(where)


@functools.lru_cache(maxsize=2)
def _sync_client(where: tuple[object, ...]) -> redis.Redis:
    """Cached by `where` the settings point (tests point them elsewhere)."""
    return sync_client(socket_timeout=2, decode_responses=True)


def snapshot_keys(streams: list[str]) -> list[str]:
    return [EPOCH_KEY, *(stream_key(s) for s in streams)]


def parse_snapshot(streams: list[str], values: list[str | None]) -> Snapshot:
    """The epoch and each stream's `{"seq", "data"}` from one MGET of snapshot_keys(streams),
    whose values are the worker's `{"epoch", "seq", "data"}` (dashboard/worker/publish.py).

    A stream written under another epoch is leftover from an earlier worker: shown as empty."""
    epoch = str(values[0] or "")
    entries: dict[str, StreamEntry] = {}
    for stream, raw in zip(streams, values[1:], strict=True):
        stored = json.loads(raw) if raw else {}
        if stored.get("epoch") == epoch:
            entries[stream] = {"seq": stored["seq"], "data": stored["data"]}
        else:
            entries[stream] = {"seq": 0, "data": None}
    return {"epoch": epoch, "streams": entries}


async def read_snapshot(streams: list[str]) -> Snapshot:
    """The streams' state, read in one atomic MGET."""
    return parse_snapshot(streams, await live_redis().mget(snapshot_keys(streams)))


def read_snapshot_sync(streams: list[str]) -> Snapshot:
    """read_snapshot for sync views."""
    values = cast(list[str | None], live_redis_sync().mget(snapshot_keys(streams)))
    return parse_snapshot(streams, values)
