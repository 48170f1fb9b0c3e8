"""What `bench.accuracy` runs beside the product: the simulator's clock, driven step by step;
a board socket recording when each fact changed on screen; our own PBX subscription counting
each agent's missed calls (30026, the PBX's own report of one)."""

import asyncio
import bisect
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from bench.livetruth import Bounds, board_view, facts
from bench.pbxload import HEARTBEAT_S, subscribe
from bench.screens import RECONNECT_PAUSE_S, board_socket, deltas_in

Fact = tuple[str, str, str]
AGENT_RING_TIMEOUT = 30026


@dataclass
class Step:
    """One move of the simulated clock: sent at `wall` (epoch s), from `before` to `after`
    (simulated epoch ms)."""

    wall: float
    before: float
    after: float


@dataclass
class SimClock:
    """The simulator runs frozen (`--speed 0.001`); this moves its clock `speed` times as fast
    as wall time, one step every `step_s`. A step never covers more than `max_step_s` of
    simulated time: when the machine falls behind, the simulation slows down rather than
    jumping (the achieved speed is reported)."""

    http: httpx.AsyncClient
    speed: float
    step_s: float
    steps: list[Step] = field(default_factory=list)
    _walls: list[float] = field(default_factory=list)

    @property
    def max_step_s(self) -> float:
        return 2 * self.speed * self.step_s

    async def start(self) -> float:
        """The simulated time now (ms); the first step counts from here."""
        reply = await self.http.post("/_sim/clock/advance", json={"seconds": 0})
        now = float(reply.json()["time"])
        self.steps.append(Step(time.time(), now, now))
        self._walls.append(self.steps[-1].wall)
        return now

    async def step(self) -> Step:
        """Wait for the next step's time, then move the clock by what elapsed."""
        last = self.steps[-1]
        await asyncio.sleep(max(0.0, last.wall + self.step_s - time.time()))
        wall = time.time()
        seconds = min(self.max_step_s, (wall - last.wall) * self.speed)
        reply = await self.http.post("/_sim/clock/advance", json={"seconds": seconds})
        step = Step(wall, last.after, float(reply.json()["time"]))
        self.steps.append(step)
        self._walls.append(wall)
        return step

    def to_sim(self, wall_ms: float) -> Bounds:
        """Simulated time of an event the board stamped at `wall_ms` by the worker's clock:
        within the last step sent before then."""
        index = bisect.bisect_right(self._walls, wall_ms / 1000) - 1
        step = self.steps[max(0, index)]
        return Bounds(step.before, step.after)

    @property
    def simulated_s(self) -> float:
        return (self.steps[-1].after - self.steps[0].after) / 1000


@dataclass
class BoardSocket:
    """One screen on the board's socket: every fact it was shown and when (epoch s)."""

    url: str
    headers: dict[str, str]
    history: dict[Fact, list[tuple[float, Any]]] = field(default_factory=dict)
    shown: dict[str, dict[Fact, Any]] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    reconnects: int = -1
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            self.reconnects += 1
            with contextlib.suppress(OSError, WebSocketException):
                async with board_socket(self.url, self.headers, lambda: self.seq) as socket:
                    await self._read(socket)
            await asyncio.sleep(RECONNECT_PAUSE_S)

    async def _read(self, socket: ClientConnection) -> None:
        async for message in socket:
            now = time.time()
            text = message if isinstance(message, str) else message.decode()
            frame = json.loads(text)
            if frame.get("type") == "snapshot":
                for name, stream in frame["streams"].items():
                    self._show(name, stream.get("data"), now)
                    self.seq[name] = int(stream.get("seq") or 0)
                self.ready.set()
            elif frame.get("type") in ("delta", "batch"):
                for delta in map(json.loads, deltas_in(text)):
                    self._show(delta["stream"], delta.get("data"), now)
                    self.seq[delta["stream"]] = int(delta["seq"])

    def _show(self, stream: str, data: Any, now: float) -> None:
        if not stream.startswith("queue:") or not data:
            return
        view = board_view({"streams": {stream: {"data": data}}})
        new, old = facts(view), self.shown.get(stream, {})
        for key in old.keys() | new.keys():
            if old.get(key) != new.get(key):
                self.history.setdefault(key, []).append((now, new.get(key)))
        self.shown[stream] = new

    def first_shown(self, key: Fact, value: Any, start: float, end: float) -> float | None:
        """When the board first showed `value` for `key` within [start, end)."""
        for at, shown in self.history.get(key, []):
            if start <= at < end and shown == value:
                return at
            if at >= end:
                break
        return None


@dataclass
class MissedCalls:
    """Our own PBX event subscription, counting 30026 per agent. The count is the truth as long
    as the subscription lost nothing: a dropped socket or paused pushes make it unknown."""

    sim_url: str
    client_id: str
    secret: str
    by_agent: Counter[str] = field(default_factory=Counter)
    known: bool = True
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(OSError, WebSocketException, httpx.HTTPError):
                socket = await subscribe(self.sim_url, self.client_id, self.secret)
                self.ready.set()
                beating = asyncio.create_task(_heartbeat(socket))
                try:
                    async for message in socket:
                        self._note(message)
                finally:
                    beating.cancel()
            self.known = False  # whatever came while we were away is lost to us
            await asyncio.sleep(RECONNECT_PAUSE_S)

    def _note(self, message: str | bytes) -> None:
        text = message if isinstance(message, str) else message.decode()
        if not text.startswith("{") or f'"type":{AGENT_RING_TIMEOUT}' not in text.replace(" ", ""):
            return
        msg = json.loads(text)["msg"]
        msg = json.loads(msg) if isinstance(msg, str) else msg
        self.by_agent[str(msg["agent_number"])] += 1


async def _heartbeat(socket: ClientConnection) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        await socket.send("heartbeat")
