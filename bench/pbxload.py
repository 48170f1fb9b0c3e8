"""Load from pbxsim: bursts at a steady event rate, marker callers to time, and a second event
subscriber that timestamps when each PBX frame is out (the emission time of every event)."""

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import ClientConnection, connect

from dashboard.pbx.rest import PbxRest, PbxSettings, events_url

# A burst of an odd size leaves a caller waiting for ever (docs/pbxsim.md): always ask for even.
MIN_BURST = 2
# Bursts this often at most: each is one HTTP request to the simulator's control API.
BURST_EVERY_S = 0.025
# Marker callers: one joins a queue this often and hangs up this much later. Both changes
# must reach the screens, and the 100 ms coalescing window must not merge them.
MARKER_EVERY_S = 0.2
MARKER_HOLD_S = 1.0
# Markers come 0.5–1.5 periods apart (a fixed seed, so runs repeat): at an exact period they kept
# one phase against the bursts and the pacer for a whole run, which moved its median by ±30 ms.
MARKER_SPREAD = (0.5, 1.5)
MARKER_SEED = 8
# The worker's subscription (dashboard.worker.loop.TOPICS, which needs Django to import).
TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029]
# pbxsim closes an event socket after 60 s without a frame from the client.
HEARTBEAT_S = 20.0
# 30011's msg is usually a JSON string inside the frame, so its quotes may be escaped.
_CALL_ID = re.compile(r'call_id\\?":\s*\\?"([^"\\]+)')


@dataclass
class Marker:
    call_id: str
    caller: str
    queue: str
    # When our own subscriber received the call's first 30011 and the one with its BYE.
    arrived_at: float | None = None
    ended_at: float | None = None


@dataclass
class PbxLog:
    """Every PBX frame our subscriber received during the load, with its receipt time."""

    frames: list[tuple[float, str]] = field(default_factory=list)
    markers: dict[str, Marker] = field(default_factory=dict)
    events_requested: int = 0
    burst_requests: int = 0
    # A call's first 30011 and its first 30011 with a BYE, by call id (receipt times).
    first_seen: dict[str, float] = field(default_factory=dict)
    bye_seen: dict[str, float] = field(default_factory=dict)

    def note(self, text: str, now: float) -> None:
        self.frames.append((now, text))
        found = _CALL_ID.search(text) if '"type":30011' in text else None
        if found is not None:
            self.first_seen.setdefault(found.group(1), now)
            if "BYE" in text:
                self.bye_seen.setdefault(found.group(1), now)

    def stamp_markers(self) -> None:
        """The simulator publishes before it replies, so markers are matched afterwards."""
        for marker in self.markers.values():
            marker.arrived_at = self.first_seen.get(marker.call_id)
            marker.ended_at = self.bye_seen.get(marker.call_id)


def burst_plan(events_per_s: float) -> tuple[int, float]:
    """(events per burst, seconds between bursts) for a steady rate."""
    size = max(MIN_BURST, 2 * round(events_per_s * BURST_EVERY_S / 2))
    return size, size / events_per_s


async def subscribe(sim_url: str, client_id: str, secret: str) -> ClientConnection:
    """Our own subscription, exactly as the worker makes it (the PBX allows 8 tokens)."""
    rest = PbxRest(PbxSettings(sim_url, client_id, secret))
    try:
        token = await rest.get_token()
    finally:
        await rest.aclose()
    url = f"{events_url(sim_url)}?access_token={token.access_token}"
    socket = await connect(url, max_size=None, compression=None)
    await socket.send(json.dumps({"topic_list": TOPICS}))
    await socket.recv()  # the errcode envelope
    return socket


async def record(socket: ClientConnection, log: PbxLog, recording: asyncio.Event) -> None:
    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            await socket.send("heartbeat")

    beating = asyncio.create_task(heartbeat())
    try:
        async for message in socket:
            if recording.is_set() and isinstance(message, str) and message.startswith("{"):
                log.note(message, time.monotonic())
    finally:
        beating.cancel()


async def bursts(http: httpx.AsyncClient, events_per_s: float, until: float, log: PbxLog) -> None:
    """Keep to the schedule; a late burst goes at once rather than being skipped."""
    size, every = burst_plan(events_per_s)
    due = time.monotonic()
    while due < until:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        await http.post("/_sim/burst", json={"events": size})
        log.events_requested += size
        log.burst_requests += 1
        due += every


async def markers(http: httpx.AsyncClient, queues: list[str], until: float, log: PbxLog) -> None:
    hangups: list[asyncio.Task[None]] = []
    numbers, spread = itertools.count(1), random.Random(MARKER_SEED)
    for queue in itertools.cycle(queues):
        if time.monotonic() >= until:
            break
        caller = f"77{next(numbers):08d}"
        reply = await http.post("/_sim/calls", json={"queue": queue, "caller": caller})
        call_id = reply.json()["call_id"]
        log.markers[call_id] = Marker(call_id, caller, queue)
        hangups.append(asyncio.create_task(_hang_up(http, call_id)))
        await asyncio.sleep(MARKER_EVERY_S * spread.uniform(*MARKER_SPREAD))
    await asyncio.gather(*hangups)


async def _hang_up(http: httpx.AsyncClient, call_id: str) -> None:
    await asyncio.sleep(MARKER_HOLD_S)
    await http.post(f"/_sim/calls/{call_id}/abandon")


async def drive(
    sim_url: str, queues: list[str], events_per_s: float, duration_s: float, log: PbxLog
) -> None:
    """Bursts and markers for `duration_s` (markers then finish their hold)."""
    until = time.monotonic() + duration_s
    async with httpx.AsyncClient(base_url=sim_url, timeout=30) as http:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(
                bursts(http, events_per_s, until, log), markers(http, queues, until, log)
            )
