"""Deltas for bench.render, published as the worker publishes them (the product's Publisher:
fenced Redis write, then group_send) but one at a time, paced or as fast as the page keeps up;
and the worker's `beat`, without which the page is not LIVE."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.layers import get_channel_layer

from bench.render_board import SyntheticBoard, step
from bench.render_page import BoardPage
from dashboard.boards.livestore import live_redis
from dashboard.clock import now_ms
from dashboard.streams import BEAT_STREAM, LINK_STREAM, BeatData
from dashboard.worker.leader import Leadership
from dashboard.worker.publish import Pacer, Publisher

WORKER_ID = "bench-render"
# The worker refreshes the link stream this often.
LINK_REFRESH_S = 15.0
# Past its beat's interval (the worker's BEAT_S) by this much with no delta to ride with, the
# feed beats on its own: the page goes STALE 6 s after the last beat, dimmed, timers stopped.
IDLE_BEAT_GRACE_S = 0.5
ATTACH_TIMEOUT_S = 10.0


def link_data(at_ms: int) -> dict[str, Any]:
    return {"state": "connected", "since": at_ms, "detail": "", "checked_at": at_ms,
            "last_event_at": at_ms, "last_heartbeat_at": at_ms, "token_expires_at": None,
            "corrections": {}}  # fmt: skip


def beat_data() -> dict[str, Any]:
    """A beat as the worker's, built when the flush goes out, from a PBX that has just spoken
    (the feed is the PBX too): the page's data age stays about 0."""
    at = now_ms()
    beat: BeatData = {"at": at, "pbx_heard_at": at}
    return dict(beat)  # the publisher takes a plain dict


@dataclass
class Feed:
    """The benchmark in the worker's place: the only leader, so the only publisher."""

    publisher: Publisher
    board: SyntheticBoard
    holding: asyncio.Task[None]
    beat_s: float  # the worker's BEAT_S
    sent: int = 0  # deltas the page has been sent since its snapshot (once attach() counted)
    link_at: float = 0.0
    beats: int = 0  # the beat stream's seq
    beat_at: float = 0.0
    beating: asyncio.Task[None] | None = None
    beat_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self) -> None:
        """A fresh epoch with every stream in it, for the page's first snapshot."""
        await self.publisher.start_epoch()
        await self.refresh_link()
        await self.beat()
        for stream, data in self.board.streams().items():
            await self.publisher.publish(stream, data)
        self.sent = 0
        self.beating = asyncio.create_task(self.beat_while_idle())

    async def refresh_link(self) -> None:
        self.link_at = time.monotonic()
        await self.publisher.publish(LINK_STREAM, link_data(now_ms()))
        self.sent += 1

    async def beat(self) -> None:
        self.beat_at = time.monotonic()
        async with self.beat_lock:
            await self.publisher.publish(BEAT_STREAM, beat_data)
            self.beats += 1
            self.sent += 1

    async def attach(self, page: BoardPage) -> None:
        """Count from the page's snapshot: beats went on while it signed in, and only the page
        knows which of them came in its snapshot and which as deltas. No beat goes meanwhile."""
        async with self.beat_lock:
            deadline = time.monotonic() + ATTACH_TIMEOUT_S
            while await page.probe("probe.seqs.beat") != self.beats:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the page has not seen beat {self.beats}")
                await asyncio.sleep(0.01)
            self.sent = await page.applied()  # beats alone so far

    async def beat_while_idle(self) -> None:
        """Beat when no delta has taken a beat along for a while (the page signing in, the
        heap being read): while deltas flow, `one()` sends it just before one of them, so that
        it is painted in that delta's frame and never timed as a delta of its own."""
        while True:
            await asyncio.sleep(self.beat_at + self.beat_s + IDLE_BEAT_GRACE_S - time.monotonic())
            if time.monotonic() - self.beat_at >= self.beat_s + IDLE_BEAT_GRACE_S:
                await self.beat()

    async def one(self) -> None:
        """One queue delta (and the beat and the link's refresh when due, as the worker sends
        them)."""
        if time.monotonic() - self.beat_at >= self.beat_s:
            await self.beat()
        if time.monotonic() - self.link_at >= LINK_REFRESH_S:
            await self.refresh_link()
        stream, data = step(self.board, now_ms())
        await self.publisher.publish(stream, data)
        self.sent += 1

    async def paced(self, page: BoardPage, count: int, interval_s: float) -> None:
        """`count` deltas one interval apart, so that each frame paints one delta."""
        started = time.monotonic()
        for index in range(count):
            await asyncio.sleep(max(0.0, started + index * interval_s - time.monotonic()))
            await self.one()
        await page.wait_applied(self.sent)

    async def flood(
        self, page: BoardPage, count: int, window: int, every: int = 0,
        checkpoint: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:  # fmt: skip
        """`count` deltas as fast as the page applies them, at most `window` ahead of it (the
        channel layer drops beyond 100 a screen); checkpoint(done) after every `every`."""
        applied = await page.applied()
        for index in range(1, count + 1):
            if self.sent - applied >= window:
                await page.wait_applied(self.sent - window // 2)
                applied = await page.applied()
            await self.one()
            if checkpoint is not None and (index % every == 0 or index == count):
                await page.wait_applied(self.sent)
                await checkpoint(index)
        await page.wait_applied(self.sent)

    async def close(self) -> None:
        tasks = [task for task in (self.beating, self.holding) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.publisher.close()


async def start_feed(board: SyntheticBoard) -> Feed:
    """Take the leader's lease in the benchmark's own Redis and publish the whole board."""
    from dashboard.worker.loop import BEAT_S  # it needs Django's models: set up by now

    leadership = Leadership(live_redis(), WORKER_ID)
    await leadership.acquire()
    holding = asyncio.create_task(leadership.hold())
    # No coalescing window: each delta goes at once, so each can be timed on its own.
    publisher = Publisher(leadership, get_channel_layer(), Pacer(0.0))
    feed = Feed(publisher, board, holding, BEAT_S)
    await feed.start()
    return feed
