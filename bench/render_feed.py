"""Deltas for bench.render, published as the worker publishes them (the product's Publisher:
fenced Redis write, then group_send) but one at a time, paced or as fast as the page keeps up."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.layers import get_channel_layer

from bench.render_board import SyntheticBoard, step
from bench.render_page import BoardPage
from dashboard.boards.livestore import live_redis
from dashboard.streams import LINK_STREAM
from dashboard.worker.leader import Leadership
from dashboard.worker.publish import Pacer, Publisher

WORKER_ID = "bench-render"
# The worker refreshes the link stream this often; the page shows STALE without it.
LINK_REFRESH_S = 15.0


def now_ms() -> int:
    return int(time.time() * 1000)


def link_data(at_ms: int) -> dict[str, Any]:
    return {"state": "connected", "since": at_ms, "detail": "", "checked_at": at_ms,
            "last_event_at": at_ms, "last_heartbeat_at": at_ms, "token_expires_at": None,
            "corrections": {}}  # fmt: skip


@dataclass
class Feed:
    """The benchmark in the worker's place: the only leader, so the only publisher."""

    publisher: Publisher
    board: SyntheticBoard
    holding: asyncio.Task[None]
    sent: int = 0
    link_at: float = 0.0

    async def start(self) -> None:
        """A fresh epoch with every stream in it, for the page's first snapshot."""
        await self.publisher.start_epoch()
        await self.refresh_link()
        for stream, data in self.board.streams().items():
            await self.publisher.publish(stream, data)
        self.sent = 0

    async def refresh_link(self) -> None:
        self.link_at = time.monotonic()
        await self.publisher.publish(LINK_STREAM, link_data(now_ms()))
        self.sent += 1

    async def one(self) -> None:
        """One queue delta (and the link's refresh when due, as the worker sends it)."""
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
        self.holding.cancel()
        await asyncio.gather(self.holding, return_exceptions=True)
        await self.publisher.close()


async def start_feed(board: SyntheticBoard) -> Feed:
    """Take the leader's lease in the benchmark's own Redis and publish the whole board."""
    leadership = Leadership(live_redis(), WORKER_ID)
    await leadership.acquire()
    holding = asyncio.create_task(leadership.hold())
    # No coalescing window: each delta goes at once, so each can be timed on its own.
    feed = Feed(Publisher(leadership, get_channel_layer(), Pacer(0.0)), board, holding)
    await feed.start()
    return feed
