"""A fleet of headless board screens for the soak run: real WebSockets that reconnect like a TV."""

import asyncio
import concurrent.futures
import json
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.typing import Origin

# A TV's reconnect pace: quick first, capped (the browser's own backoff is similar).
FIRST_RETRY_S, MAX_RETRY_S = 0.5, 5.0
PING_S = 15.0  # as the browser: a ping acknowledging the last seq applied per stream
REFUSALS = (4401, 4403)  # not signed in / forbidden: a screen that was let in never sees them


@dataclass
class Screen:
    """What one screen has seen: its freshness, the gaps it found and how often it reconnected."""

    connected: bool = False
    last_frame_at: float = 0.0
    epoch: str = ""
    seqs: dict[str, int] = field(default_factory=dict)
    gaps: int = 0
    connects: int = 0
    refused: list[int] = field(default_factory=list)
    last_error: str = ""
    resyncing: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # each stream's, as last applied
    snapshot_at: float = 0.0
    last_delta_at: float = 0.0
    upstream: str = ""  # behind nginx: which server took its socket (X-Upstream, if sent)

    def fresh_since(self, moment: float) -> bool:
        return self.connected and not self.resyncing and self.last_frame_at > moment

    def live_since(self, moment: float) -> bool:
        """Following its board again: a delta applied after `moment` and after its snapshot."""
        applied = self.last_delta_at > max(moment, self.snapshot_at)
        return self.connected and not self.resyncing and applied

    def take(self, frame: dict[str, Any]) -> bool:
        """Apply a frame; False when it shows a gap or a new epoch (time to ask for a resync)."""
        self.last_frame_at = time.monotonic()
        if frame["type"] == "snapshot":
            self.epoch, self.resyncing = frame["epoch"], False
            self.seqs = {name: entry["seq"] for name, entry in frame["streams"].items()}
            self.data = {name: entry["data"] for name, entry in frame["streams"].items()}
            self.snapshot_at = self.last_frame_at
        elif frame["type"] == "delta" and not self.resyncing:
            expected = self.seqs.get(frame["stream"], 0) + 1
            if frame["epoch"] != self.epoch or frame["seq"] > expected:
                self.gaps, self.resyncing = self.gaps + 1, True
                return False
            if frame["seq"] == expected:  # below it: a duplicate, ignored as the browser does
                self.seqs[frame["stream"]], self.data[frame["stream"]] = frame["seq"], frame["data"]
                self.last_delta_at = self.last_frame_at
        return True


class ScreenFleet:
    """N screens on one board, run by an event loop in a background thread."""

    def __init__(
        self, url: str, origin: str, cookie: str, count: int, tls: ssl.SSLContext | None = None
    ) -> None:
        self.url, self.origin, self.cookie = url, origin, cookie
        # wss:// needs a context trusting the test's certificate; ws:// must be given none.
        self._tls: dict[str, Any] = {"ssl": tls} if tls else {}
        self.screens = [Screen() for _ in range(count)]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        # The screens' tasks, held so that none is garbage-collected while it runs.
        self._tasks: list[concurrent.futures.Future[None]] = []

    def __enter__(self) -> "ScreenFleet":
        self._thread.start()
        for screen in self.screens:
            self._tasks.append(asyncio.run_coroutine_threadsafe(self._watch(screen), self._loop))
        return self

    def __exit__(self, *exc: object) -> None:
        """Every screen stops and closes its socket before the loop does (nothing left for the
        garbage collector to complain about at the end of the test session)."""
        asyncio.run_coroutine_threadsafe(self._stop_all(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _stop_all(self) -> None:
        """Cancel the screens and their pings, and wait for each to wind down."""
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def all_fresh_since(self, moment: float) -> bool:
        return all(s.fresh_since(moment) for s in self.screens)

    def describe(self) -> str:
        """For a failure message: how many screens are connected, and the latest error."""
        connected = sum(s.connected for s in self.screens)
        errors = {s.last_error for s in self.screens if s.last_error}
        return f"{connected} of {len(self.screens)} connected; errors: {sorted(errors)[:3]}"

    def totals(self) -> dict[str, int]:
        return {
            "screens": len(self.screens),
            "gaps_resynced": sum(s.gaps for s in self.screens),
            "reconnects": sum(max(0, s.connects - 1) for s in self.screens),
            "refusals": sum(len(s.refused) for s in self.screens),
        }

    async def _watch(self, screen: Screen) -> None:
        delay = FIRST_RETRY_S
        while True:
            try:
                await self._session(screen)
                delay = FIRST_RETRY_S
            except (OSError, websockets.WebSocketException, TimeoutError) as error:
                screen.last_error = repr(error)[:200]
            screen.connected = False
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(MAX_RETRY_S, delay * 2)

    async def _session(self, screen: Screen) -> None:
        headers = {"Cookie": self.cookie}
        async with websockets.connect(
            self.url,
            origin=Origin(self.origin),
            additional_headers=headers,
            open_timeout=10,
            **self._tls,
        ) as socket:
            screen.connected, screen.connects = True, screen.connects + 1
            assert socket.response is not None  # the handshake's answer, once connected
            screen.upstream = socket.response.headers.get("X-Upstream", "")
            screen.resyncing = False
            pinging = asyncio.create_task(self._ping(socket, screen))
            try:
                async for text in socket:
                    frame = json.loads(text)
                    frames = frame["frames"] if frame["type"] == "batch" else [frame]
                    if not all(screen.take(each) for each in frames):
                        # As the browser does: acknowledge what came, so that the server
                        # (one snapshot in flight per socket) answers at once.
                        await socket.send(json.dumps({"type": "ping", "seq": screen.seqs}))
                        await socket.send('{"type":"resync"}')
            except websockets.ConnectionClosedError as closed:
                if closed.rcvd is not None and closed.rcvd.code in REFUSALS:
                    screen.refused.append(closed.rcvd.code)
                raise
            finally:
                pinging.cancel()

    async def _ping(self, socket: websockets.ClientConnection, screen: Screen) -> None:
        while True:
            await asyncio.sleep(PING_S)
            await socket.send(json.dumps({"type": "ping", "seq": screen.seqs}))
