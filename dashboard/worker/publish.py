"""The one place that writes the streams (and their epoch) and tells the browsers: Redis first,
then group_send."""

import asyncio
import math
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from channels.layers import BaseChannelLayer

from dashboard.streams import EPOCH_KEY, compact, stream_group, stream_key
from dashboard.worker.leader import Leadership

# Sustained, at most one flush per window: one flush is one frame per screen (the consumer
# sends a flush's deltas together), so browsers get at most ten frames a second however busy
# the PBX is.
COALESCE_WINDOW_S = 0.1
# After a quiet spell this many flushes may go before the window applies (a token bucket of
# this size, one token per window): the first changes of a busy moment are not held back.
FLUSH_BURST = 3
# Never two flushes closer than this: the events of one PBX action (a 30011, its 30008 and
# 30012 within a few ms) go out together, one frame rather than three.
MIN_GAP_S = 0.03


# A stream's data: a queue's board data (live/view.py), the PBX link's health or the worker's
# beat (streams.py's LinkData, BeatData). Its shape is the stream's, documented in
# docs/protocol.md; the publisher stores and sends it without reading it, hence Any.
Data = Mapping[str, Any]
# A stream's new data, or how to build it: built at flush time, once however many changes
# the window took in (a busy PBX changes a queue many times between two frames).
StreamData = Data | Callable[[], Data]


class Stored(TypedDict):
    """A stream's Redis value (`wb:stream:<name>`), which snapshots read."""

    epoch: str
    seq: int
    data: Data


class DeltaFrame(TypedDict):
    """What a browser receives for a change (docs/protocol.md)."""

    type: Literal["delta"]
    epoch: str
    stream: str
    seq: int
    data: Data


class DeltaMessage(TypedDict):
    """One channel-layer message per stream per flush; each web process's hub
    (dashboard/boards/fanout.py) gathers a flush's messages and hands them to its screens."""

    type: Literal["board.delta"]
    epoch: str
    stream: str
    seq: int
    text: str  # the DeltaFrame, serialised once here for every screen
    flush: int  # numbers the flush, so screens know which deltas belong together
    streams: list[str]  # every stream of the flush: a hub knows when it has all it follows


@dataclass(frozen=True)
class Numbered:
    """A stream's change with its epoch and seq, serialised for Redis and for browsers."""

    epoch: str
    stream: str
    seq: int
    stored: str  # Stored
    frame: str  # DeltaFrame


def built(data: StreamData) -> Data:
    return data() if callable(data) else data


class Pacer:
    """When the next flush may go: a token bucket (FLUSH_BURST tokens, one more per window)
    and a minimum gap between flushes. A window of 0 never holds anything back."""

    def __init__(self, window_s: float, burst: int = FLUSH_BURST, gap_s: float = MIN_GAP_S):
        self.window_s, self.burst, self.gap_s = window_s, burst, min(gap_s, window_s)
        self.tokens = float(burst)
        self.last = -math.inf

    def wait(self, now: float) -> float:
        """Seconds until a flush may go; 0 (or less): now."""
        short = 1.0 - self._refilled(now)
        return max(short * self.window_s, self.last + self.gap_s - now)

    def took(self, now: float) -> None:
        self.tokens = self._refilled(now) - 1.0  # an explicit flush may overdraw: it counts too
        self.last = now

    def _refilled(self, now: float) -> float:
        if self.window_s <= 0:
            return float(self.burst)
        return min(float(self.burst), self.tokens + (now - self.last) / self.window_s)


class Publisher:
    """Numbers every change of a stream within an epoch, so browsers can spot a gap.

    Every Redis write is fenced by the leader's lease: a worker that lost it (say it was paused
    and a standby took over) raises LeadershipLost instead of publishing over the new leader."""

    def __init__(
        self,
        leadership: Leadership,
        layer: BaseChannelLayer,
        pacer: Pacer | None = None,
        also_store: Callable[[], dict[str, str]] = dict,
    ) -> None:
        self._leadership = leadership
        self._layer = layer
        self._pacer = pacer or Pacer(COALESCE_WINDOW_S)
        # Further keys written in the same fenced write as each flush (today's figures).
        self._also_store = also_store
        self._seq: defaultdict[str, int] = defaultdict(int)
        self._pending: dict[str, StreamData] = {}
        self._flushes = 0  # numbers each flush, so screens know which deltas belong together
        self._later: asyncio.Task[None] | None = None
        # Flushes must reach Redis and the groups in seq order, one at a time.
        self._lock = asyncio.Lock()
        self.epoch = ""

    async def start_epoch(self) -> None:
        """A fresh in-memory state means fresh numbering: browsers that see it resync."""
        self.epoch = secrets.token_hex(8)
        self._seq.clear()
        self._pending.clear()
        await self._leadership.fenced_set(EPOCH_KEY, self.epoch)

    async def publish(self, stream: str, data: StreamData) -> None:
        """Queue the stream's new data: sent at once unless the pacer holds it back, then with
        the next flush (a later change of the same stream replaces an unsent one)."""
        self._pending[stream] = data
        if self._later is not None:
            if not self._later.done():
                return
            self._later.result()  # a failed background flush fails the worker here
        wait = self._pacer.wait(time.monotonic())
        if wait <= 0:
            await self.flush()
        else:
            self._later = asyncio.create_task(self._flush_after(wait))

    async def _flush_after(self, wait: float) -> None:
        # Changes published while a flush was being written found this task still running and
        # left it to them: they go out with the next flush (else they waited for the next change).
        while self._pending:
            await asyncio.sleep(wait)
            await self.flush()
            wait = self._pacer.wait(time.monotonic())

    async def flush(self) -> None:
        """Store every pending stream in one fenced write, then send one message per stream,
        each naming the flush and its streams (a screen sends them on as one frame).

        Storing first matters: a screen's groups are joined (by its web process's hub) before
        its snapshot is read, so every change is either in the snapshot or arrives after it as
        a delta (or both; the screen dedups)."""
        async with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            self._pacer.took(time.monotonic())
            self._flushes += 1
            changes = [self._numbered(stream, built(data)) for stream, data in batch.items()]
            writes = {stream_key(change.stream): change.stored for change in changes}
            await self._leadership.fenced_set_many({**writes, **self._also_store()})
            streams = list(batch)
            for change in changes:
                message: DeltaMessage = {
                    "type": "board.delta",
                    "epoch": change.epoch,
                    "stream": change.stream,
                    "seq": change.seq,
                    "text": change.frame,
                    "flush": self._flushes,
                    "streams": streams,
                }
                await self._layer.group_send(stream_group(change.stream), message)

    async def close(self) -> None:
        if self._later is not None:
            self._later.cancel()

    def _numbered(self, stream: str, data: Data) -> Numbered:
        self._seq[stream] += 1
        seq = self._seq[stream]
        stored: Stored = {"epoch": self.epoch, "seq": seq, "data": data}
        frame: DeltaFrame = {
            "type": "delta",
            "epoch": self.epoch,
            "stream": stream,
            "seq": seq,
            "data": data,
        }
        return Numbered(self.epoch, stream, seq, compact(stored), compact(frame))
