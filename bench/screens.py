"""Headless screens: N WebSocket clients that timestamp every frame and check seq like a browser."""

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

# Deltas start {"type":"delta","epoch":…,"stream":…,"seq":…: reading the head is enough.
_HEAD = re.compile(r'"stream":\s*"([^"]+)",\s*"seq":\s*(\d+)')
_EPOCH = re.compile(r'"epoch":\s*"([^"]*)"')
HEAD_CHARS = 200
# Opening hundreds of sockets at once would measure the handshake storm, not the fan-out.
CONNECT_CONCURRENCY = 25
RECONNECT_PAUSE_S = 0.5
# As the browser does (docs/protocol.md): a ping acknowledging the last seq applied per stream,
# without which the server would close a busy screen with 4408 once too much is unacknowledged.
PING_EVERY_S = 15.0

Key = tuple[str, int]


@dataclass
class Fleet:
    """What every screen saw: shared so each distinct frame is kept (and later parsed) once."""

    counting: bool = False
    frames: int = 0
    bytes: int = 0
    gaps: int = 0
    resyncs: int = 0
    texts: dict[Key, str] = field(default_factory=dict)
    # Each delta or batch frame as delivered, and when a screen first got it.
    first_got: dict[str, float] = field(default_factory=dict)
    # Per screen: when each (stream, seq) arrived (time.monotonic()).
    receipts: list[dict[Key, float]] = field(default_factory=list)
    # Per screen: when each frame counted arrived, for the peak rate of frames.
    frame_times: list[list[float]] = field(default_factory=list)

    def count(self, text: str, times: list[float], now: float) -> None:
        if self.counting:
            self.frames += 1
            self.bytes += len(text.encode())
            times.append(now)
            if text.startswith(('{"type":"delta"', '{"type":"batch"')):
                self.first_got.setdefault(text, now)


@dataclass
class Screen:
    """One screen's socket loop; a gap or a new epoch makes it reconnect, as the browser does."""

    fleet: Fleet
    url: str
    headers: dict[str, str]
    receipts: dict[Key, float] = field(default_factory=dict)
    frame_times: list[float] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    epoch: str = ""
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    wants_snapshot: bool = True

    async def run(self) -> None:
        while True:
            with contextlib.suppress(OSError, WebSocketException):
                async with board_socket(self.url, self.headers, lambda: self.seen) as socket:
                    if not self.wants_snapshot:
                        self.ready.set()
                    await self._read(socket)
            self.fleet.resyncs += 1
            await asyncio.sleep(RECONNECT_PAUSE_S)

    async def _read(self, socket: ClientConnection) -> None:
        async for message in socket:
            now = time.monotonic()
            text = message if isinstance(message, str) else message.decode()
            self.fleet.count(text, self.frame_times, now)
            if text.startswith('{"type":"snapshot"'):
                self._snapshot(text)
            elif not all(self._delta(delta, now) for delta in deltas_in(text)):
                return  # a gap or a new epoch: reconnect for a fresh snapshot

    def _snapshot(self, text: str) -> None:
        frame = json.loads(text)
        self.epoch = frame["epoch"]
        self.seen = {name: entry["seq"] for name, entry in frame["streams"].items()}
        self.ready.set()

    def _delta(self, text: str, now: float) -> bool:
        """Record a delta; False when the screen must resync."""
        key = delta_key(text)
        if key is None:
            return True  # pong, error: nothing to time
        epoch = _EPOCH.search(text, 0, HEAD_CHARS)
        if self.wants_snapshot and epoch is not None and epoch.group(1) != self.epoch:
            return False
        self.receipts.setdefault(key, now)
        self.fleet.texts.setdefault(key, text)
        last = self.seen.get(key[0])
        self.seen[key[0]] = max(key[1], last or 0)
        if last is not None and key[1] > last + 1:
            self.fleet.gaps += 1
            return not self.wants_snapshot
        return True


@contextlib.asynccontextmanager
async def board_socket(
    url: str, headers: dict[str, str], applied: Callable[[], dict[str, int]]
) -> AsyncIterator[ClientConnection]:
    """A board socket that acknowledges, as the browser does, the last seq `applied()` gives per
    stream, every PING_EVERY_S."""
    async with connect(url, additional_headers=headers, max_size=None, compression=None) as socket:
        pinging = asyncio.create_task(_ping(socket, applied))
        try:
            yield socket
        finally:
            pinging.cancel()


async def _ping(socket: ClientConnection, applied: Callable[[], dict[str, int]]) -> None:
    while True:
        await asyncio.sleep(PING_EVERY_S)
        await socket.send(json.dumps({"type": "ping", "seq": applied()}))


def delta_key(text: str) -> Key | None:
    """A delta's (stream, seq); None for a frame that is no delta."""
    head = _HEAD.search(text, 0, HEAD_CHARS)
    return None if head is None else (head.group(1), int(head.group(2)))


def frame_keys(text: str) -> list[Key]:
    """The (stream, seq) of each delta in a frame."""
    return [key for key in map(delta_key, deltas_in(text)) if key is not None]


def deltas_in(text: str) -> list[str]:
    """A frame's deltas: itself, or each of a batch (one publisher flush in one frame)."""
    if not text.startswith('{"type":"batch"'):
        return [text]
    return [json.dumps(delta, separators=(",", ":")) for delta in json.loads(text)["frames"]]


async def open_fleet(
    count: int,
    url: str | list[str],
    headers_for: Callable[[int], dict[str, str]],
    snapshot: bool,
) -> tuple[Fleet, list[asyncio.Task[None]]]:
    """Connect `count` screens (a few at a time) and wait until each is ready. Several URLs
    (one per web process): screen i takes the i-th in turn."""
    fleet, urls = Fleet(), [url] if isinstance(url, str) else url
    screens = [Screen(fleet, urls[i % len(urls)], headers_for(i), wants_snapshot=snapshot)
               for i in range(count)]  # fmt: skip
    fleet.receipts = [screen.receipts for screen in screens]
    fleet.frame_times = [screen.frame_times for screen in screens]
    tasks: list[asyncio.Task[None]] = []
    for start in range(0, count, CONNECT_CONCURRENCY):
        batch = screens[start : start + CONNECT_CONCURRENCY]
        tasks += [asyncio.create_task(screen.run()) for screen in batch]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in batch)), timeout=60)
    return fleet, tasks


async def close_fleet(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
