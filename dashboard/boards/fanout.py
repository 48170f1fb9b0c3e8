"""One channel-layer subscription per web process: each delta is received once, gathered with the
rest of its publisher flush, and handed to the process's screens in memory, one frame per board."""

import asyncio
import contextlib
import logging
import math
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer
from redis.exceptions import RedisError

from dashboard.boards.access_markers import read_markers
from dashboard.streams import stream_group

log = logging.getLogger(__name__)

# Group memberships live in Redis: a Redis restart forgets them and channels_redis lets them
# expire after a day. Rejoining this often keeps the process's screens fed through both.
GROUP_REFRESH_S = 10.0
# A socket whose access markers changed (a display revoked, a session signed out, a user
# deactivated or removed from a board) re-checks within this: one Redis MGET per process.
ACCESS_POLL_S = 2.0
# A publisher flush names its streams; its deltas go out together once the last is in. Should
# one never come (the process joined a group mid-flush, or the layer dropped it), what did come
# goes out after this long.
BATCH_WAIT_S = 0.25
# After the channel layer failed to receive (Redis down), try again after this long.
RETRY_S = 1.0

# A channel-layer message as received: whatever its sender put in it, so Any-valued until
# `_take` has checked its type. A "board.delta" is the worker's DeltaMessage
# (dashboard/worker/publish.py; the two processes share its form, never its code).
Received = dict[str, Any]


@dataclass(frozen=True, eq=False)  # compared by identity: each is one message received once
class Delta:
    epoch: str
    stream: str
    seq: int
    text: str  # the pre-serialised delta frame, as the publisher made it


class Frames:
    """The frames of one delivery, each built once however many screens send it: screens of one
    board follow the same streams, so they all send the same string."""

    def __init__(self) -> None:
        self._built: dict[tuple[Delta, ...], str] = {}

    def __call__(self, deltas: tuple[Delta, ...]) -> str:
        frame = self._built.get(deltas)
        if frame is None:
            frame = self._built[deltas] = batch_frame([delta.text for delta in deltas])
        return frame


def batch_frame(texts: list[str]) -> str:
    """One delta as it is; several wrapped in a batch of their own pre-serialised texts."""
    return texts[0] if len(texts) == 1 else '{"type":"batch","frames":[' + ",".join(texts) + "]}"


# Access and settings markers (Redis keys, dashboard/boards/access_markers.py) and their values
# (None: not set).
Markers = dict[str, str | None]


class Screen(Protocol):
    """What the hub needs of a board socket."""

    followed: frozenset[str]
    markers: Markers  # the markers its access and settings depend on, as it last saw them

    async def deliver(self, deltas: list[Delta], frames: Frames) -> None: ...

    async def access_changed(self, markers: Markers) -> None: ...


class Hub:
    """The process's screens, by the streams they follow, fed from one channel."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.channel = ""
        self.screens: set[Screen] = set()
        self.following: defaultdict[str, set[Screen]] = defaultdict(set)
        self.opening: asyncio.Future[None] | None = None
        self.tasks: list[asyncio.Task[None]] = []  # held: the loop keeps only weak references
        self.flush_key: tuple[str, object] = ("", None)
        self.awaited: set[str] = set()  # streams of the flush being gathered not yet in
        self.gathered: list[Delta] = []
        self.deadline = math.inf  # loop time by which what was gathered goes out anyway

    async def join(self, screen: Screen) -> None:
        """Feed the screen its streams' deltas. The groups are joined when this returns, so a
        snapshot read afterwards misses nothing: a change is in it, or comes after it, or both."""
        await self._open()
        self.screens.add(screen)
        for stream in screen.followed:
            self.following[stream].add(screen)
            await self._join_group(stream)

    def leave(self, screen: Screen) -> None:
        """The groups it alone followed are left at the next refresh."""
        self.screens.discard(screen)
        for stream in screen.followed:
            self.following[stream].discard(screen)

    async def _open(self) -> None:
        if self.opening is None or (self.opening.done() and self.opening.exception()):
            self.opening = asyncio.ensure_future(self._subscribe())
        await asyncio.shield(self.opening)

    async def _subscribe(self) -> None:
        self.channel = await self.layer.new_channel()
        self.tasks = [asyncio.create_task(self._feed()), asyncio.create_task(self._upkeep())]

    async def _feed(self) -> None:
        """Receive for ever. A pending receive is never cancelled: the pub/sub layer would
        unsubscribe the channel."""
        receiving: asyncio.Future[Received] | None = None
        while True:
            if receiving is None:
                receiving = asyncio.ensure_future(self.layer.receive(self.channel))
            timeout = self._time_left()
            done, _ = await asyncio.wait({receiving}, timeout=timeout)
            if not done:
                await self._send_gathered()  # a delta of the flush never came
                continue
            message, receiving = await self._received(receiving), None
            if message is not None:
                await self._take(message)

    def _time_left(self) -> float | None:
        if self.deadline == math.inf:
            return None
        return max(0.0, self.deadline - asyncio.get_running_loop().time())

    async def _received(self, receiving: asyncio.Future[Received]) -> Received | None:
        try:
            return receiving.result()
        except Exception as error:  # the hub outlives anything: its screens resync once fed again
            log.warning("board deltas: the channel layer failed (%r); retrying", error)
            await asyncio.sleep(RETRY_S)
            return None

    async def _take(self, message: Received) -> None:
        """Gather a flush's deltas; a delta of another flush sends the one before first."""
        if message.get("type") != "board.delta":
            log.warning("board deltas: ignored a %r message", message.get("type"))
            return
        delta = Delta(message["epoch"], message["stream"], message["seq"], message["text"])
        key = (delta.epoch, message.get("flush"))
        if key != self.flush_key:
            await self._send_gathered()
            self.flush_key = key
            streams = message.get("streams", [delta.stream])
            self.awaited = {stream for stream in streams if self.following.get(stream)}
            self.deadline = asyncio.get_running_loop().time() + BATCH_WAIT_S
        self.awaited.discard(delta.stream)
        self.gathered.append(delta)
        if not self.awaited:
            await self._send_gathered()

    async def _send_gathered(self) -> None:
        deltas, self.gathered, self.deadline = self.gathered, [], math.inf
        frames = Frames()
        for screen in set().union(*(self.following.get(d.stream, ()) for d in deltas)):
            mine = [delta for delta in deltas if delta.stream in screen.followed]
            try:
                await screen.deliver(mine, frames)
            except Exception:  # one socket's failure must not starve the process's others
                log.exception("board deltas: a screen failed to take a frame")

    async def _upkeep(self) -> None:
        loop = asyncio.get_running_loop()
        refresh_at = loop.time() + GROUP_REFRESH_S
        while True:
            await asyncio.sleep(ACCESS_POLL_S)
            # Redis down: the screens' minutely database re-check still notices.
            with contextlib.suppress(RedisError):
                await self._tell_changed_access()
            if loop.time() >= refresh_at:
                refresh_at = loop.time() + GROUP_REFRESH_S
                with contextlib.suppress(RedisError, OSError):  # Redis down: next time
                    await self._refresh_groups()

    async def _tell_changed_access(self) -> None:
        """Screens whose markers changed since they last saw them are told the new values."""
        screens = list(self.screens)  # the set changes while Redis answers
        values = await read_markers({key for screen in screens for key in screen.markers})
        for screen in screens:
            seen = {key: values[key] for key in screen.markers}
            if seen == screen.markers or screen not in self.screens:  # unchanged, or it left
                continue
            try:
                await screen.access_changed(seen)
            except Exception:  # one socket's failure must not stop the hub's upkeep
                log.exception("board access: a screen failed to take a change")

    async def _refresh_groups(self) -> None:
        """Rejoin the groups screens follow (Redis may have forgotten them); leave the rest."""
        for stream, screens in list(self.following.items()):
            if screens:
                await self._join_group(stream)
            else:
                del self.following[stream]
                await self.layer.group_discard(stream_group(stream), self.channel)
                if self.following.get(stream):  # a screen joined it meanwhile: stay in
                    await self._join_group(stream)

    async def _join_group(self, stream: str) -> None:
        await self.layer.group_add(stream_group(stream), self.channel)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def process_hub() -> Hub:
    """The hub of the running loop: one per web process (tests run a loop each)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        layer = get_channel_layer()
        assert layer is not None, "CHANNEL_LAYERS must configure a default layer"
        hub = _hubs[loop] = Hub(layer)
    return hub
