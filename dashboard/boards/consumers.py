"""The board WebSocket: a snapshot first, then the numbered deltas of the board's streams."""

import asyncio
import contextlib
import random
import time
from typing import Any

from asgiref.typing import ASGIReceiveCallable, ASGISendCallable
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from redis.exceptions import RedisError

from dashboard.access import (
    DISPLAY_COOKIE,
    FORBIDDEN,
    NOT_FOUND,
    SIGN_IN,
    Access,
    board_access,
)
from dashboard.boards.access_markers import session_marker, settings_marker, user_marker
from dashboard.boards.acks import TokenBucket, Unacked
from dashboard.boards.displays import revocation_key, touch
from dashboard.boards.fanout import Delta, Frames, Markers, process_hub
from dashboard.boards.frames import (
    BoardSettings,
    Ping,
    Resync,
    board_settings,
    error_frame,
    parse_incoming,
    pong_frame,
    snapshot_frame,
)
from dashboard.boards.livestore import live_redis, read_snapshot
from dashboard.boards.refusals import note_refusal, over_limit
from dashboard.boards.release import current_release
from dashboard.clock import now_ms
from dashboard.roles import AnyUser
from dashboard.streams import board_streams
from wallboard.socket_auth import current_user

# Close codes (4000–4999 are the application's); the browser acts on each (docs/protocol.md).
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RECONNECT = 4408  # planned: the browser reconnects at once, without showing anything
# This address was refused too often lately, or this socket sent messages faster than allowed:
# the browser tries again with its backoff.
CLOSE_TOO_MANY = 4429
# A message too large or binary. Not 1009: Autobahn (Daphne) lets an application close with 1000
# and 3000-4999 only, and fails the socket with 1011 on anything else.
CLOSE_TOO_BIG = 4413
REFUSAL_CODES = {
    SIGN_IN: CLOSE_NOT_SIGNED_IN,
    FORBIDDEN: CLOSE_FORBIDDEN,
    NOT_FOUND: CLOSE_FORBIDDEN,
}
# Browsers send only pings (which ack every stream of even a 100-queue board) and resyncs.
MAX_INCOMING_BYTES = 4096
# Messages a browser may send at once, then a second on average: a kiosk pings every 3 s at most
# (plus a resync now and then); a client that keeps asking beyond that is closed.
MESSAGE_BURST = 20
MESSAGES_PER_S = 1.0
# Access and board settings are re-read this often: a display's last_seen_at, an expired
# session, a change no marker announced (made without the admin), new thresholds or queues.
# Sign-outs, deactivations, removed grants and revocations come within seconds, by marker.
RECHECK_S = 60.0
# Browsers ping every 15 s with their acks; a hidden tab's timers may run only once a minute.
ACK_DEADLINE_S = 90.0
# Unacknowledged frames (characters) a screen may have outstanding before it must start afresh.
MAX_UNACKED_CHARS = 16 * 1024 * 1024
# Each socket reconnects itself (4408) after a random time in this range (seconds), so sessions
# and settings are re-read and a wall of TVs never reconnects all at once.
RECYCLE_AFTER_S = (6 * 3600.0, 12 * 3600.0)


# An ASGI scope as the server and channels' middleware fill it: a dict of values of every kind
# (asgiref's WebSocketScope lacks what the middleware adds: `user`, `cookies`, `url_route`).
Scope = dict[str, Any]


@database_sync_to_async
def check_access(scope: Scope, user: AnyUser) -> Access:
    slug = scope["url_route"]["kwargs"]["slug"]
    return board_access(user, scope.get("cookies", {}).get(DISPLAY_COOKIE), slug)


def watched_markers(scope: Scope, access: Access, streams: list[str]) -> Markers:
    """The markers announcing a change to what granted access (its display, or its user and
    session) or to the settings of the board's streams. None seen yet: a marker set since the
    check makes the socket check again."""
    settings = {settings_marker(stream): None for stream in streams}
    if access.display is not None:
        return {revocation_key(access.display.pk): None, **settings}
    user, session_key = scope["user"], scope["session"].session_key
    return {user_marker(user.pk): None, session_marker(session_key): None, **settings}


touch_display = database_sync_to_async(touch)


class BoardConsumer(AsyncWebsocketConsumer):
    # No channel per screen: the process's hub (dashboard/boards/fanout.py) receives each delta
    # once and hands it over. channels documents `channel_layer_alias` as the way to pick a
    # consumer's layer, and layers as optional: an alias CHANNEL_LAYERS does not configure gives
    # the consumer no layer, so no channel and no receive loop of its own (a test holds this).
    # What the browser sends goes through channels' own dispatch, public API only, hop to the
    # database thread included: about 80 µs of CPU a ping (one per screen every 15 s), some 1 %
    # of Daphne's CPU with 300 screens at 300 events/s (bench.fanout), within run-to-run spread.
    channel_layer_alias = "fed-by-the-process-hub"
    streams: list[str]
    followed: frozenset[str] = frozenset()
    seen: dict[str, int]
    epoch: str
    settings: BoardSettings  # set once access is granted; nothing reads it before
    display_id: int | None
    markers: Markers  # set once access is granted, before the hub sees the screen
    access_moved: asyncio.Event  # a marker changed: re-check access and settings now
    unacked: Unacked
    budget: TokenBucket  # what the browser may still send
    resync_wanted: bool  # asked while a snapshot was in flight: sent once that one is applied
    closing: bool
    upkeep: asyncio.Task[None] | None = None
    held: list[Delta] | None  # deltas that came while a snapshot was being read and sent

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        """However the socket ends (closed, failed, cancelled by Daphne), it leaves the hub."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            process_hub().leave(self)
            if self.upkeep is not None:
                self.upkeep.cancel()

    async def connect(self) -> None:
        self.streams, self.seen, self.epoch = [], {}, ""
        self.display_id, self.closing = None, False
        self.held = []  # nothing goes out before the snapshot
        self.unacked = Unacked(MAX_UNACKED_CHARS, ACK_DEADLINE_S)
        self.budget = TokenBucket(MESSAGE_BURST, MESSAGES_PER_S, time.monotonic())
        self.resync_wanted, self.access_moved = False, asyncio.Event()
        address = client_address(self.scope)
        limited = await refusals_over_limit(address)
        access = None if limited else await check_access(self.scope, self.scope["user"])
        await self.accept()
        if access is None or access.board is None:
            await self.refuse(address, access)
            return
        self.settings = board_settings(access.board)
        self.display_id = access.display.pk if access.display else None
        self.streams = board_streams(access.board.queue_numbers)
        self.markers = watched_markers(self.scope, access, self.streams)
        self.followed = frozenset(self.streams)
        if self.display_id is not None:
            await touch_display(self.display_id)
        # Join first, read second: a change made in between arrives as a delta we can dedup.
        await process_hub().join(self)
        await self.send_snapshot()
        self.upkeep = asyncio.create_task(self.keep_up())

    async def send_snapshot(self) -> None:
        """The streams as stored now; deltas the hub hands over meanwhile follow it, deduped."""
        self.held = self.held or []
        try:
            snapshot = await read_snapshot(self.streams)
            if snapshot["epoch"] != self.epoch:
                # The server's doing, never the client's: a resync in the same epoch keeps the
                # frames still unacknowledged counting against the bound.
                self.unacked.restart()
            self.epoch = snapshot["epoch"]
            self.seen = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
            text = snapshot_frame(self.settings, snapshot, now_ms(), current_release())
            self.unacked.sent(dict(self.seen), len(text), time.monotonic(), snapshot=True)
            await self.send(text_data=text)
        finally:
            held, self.held = self.held, None
        await self.deliver(held, Frames())

    async def refuse(self, address: str, access: Access | None) -> None:
        """Close with the reason's code; count the refusal against the client's address."""
        if access is None:
            await self.stop(CLOSE_TOO_MANY)
            return
        await count_refusal(address)
        await self.stop(REFUSAL_CODES[access.refusal])

    async def flooded(self) -> None:
        """Sent faster than allowed: closed, and counted like a refusal, so that a client that
        reconnects to flood again (a handshake, an access check and a snapshot each time) is
        soon turned away unchecked."""
        await count_refusal(client_address(self.scope))
        await self.stop(CLOSE_TOO_MANY)

    async def stop(self, code: int) -> None:
        self.closing = True
        await self.close(code=code)

    async def access_changed(self, markers: Markers) -> None:
        """The hub found a marker changed. A revoked display closes at once, as the marker says
        (the admin sets it before the revocation commits); anything else re-checks now."""
        self.markers = markers
        if self.display_id is not None and markers.get(revocation_key(self.display_id)):
            if not self.closing:
                await self.stop(CLOSE_FORBIDDEN)
        else:
            self.access_moved.set()

    async def keep_up(self) -> None:
        """The screen's upkeep: access and settings re-checked, the socket recycled."""
        recheck_at = time.monotonic() + RECHECK_S
        recycle_at = time.monotonic() + random.uniform(*RECYCLE_AFTER_S)
        while True:
            await self.upkeep_due(min(recheck_at, recycle_at))
            code = None
            if self.access_moved.is_set() or time.monotonic() >= recheck_at:
                self.access_moved.clear()  # a change during the check brings another
                recheck_at = time.monotonic() + RECHECK_S
                code = await self.recheck()
            if code is None and time.monotonic() >= recycle_at:
                code = CLOSE_RECONNECT
            if code is not None:
                await self.stop(code)
                return

    async def upkeep_due(self, deadline: float) -> None:
        """Until the deadline (monotonic time), or until a marker changes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.access_moved.wait(), max(0.0, deadline - time.monotonic()))

    async def recheck(self) -> int | None:
        """Still allowed, as the session, the user and the grants are now? Same settings? (A
        change of settings starts the screen afresh.)"""
        try:
            access = await check_access(self.scope, await current_user(self.scope))
            if access.display is not None:
                await touch_display(access.display.pk)
        except DatabaseError:
            return None  # keep showing the board; try again next time
        if access.board is None:
            return REFUSAL_CODES[access.refusal]
        return CLOSE_RECONNECT if board_settings(access.board) != self.settings else None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Pings (with acks) and resyncs; oversized, binary or too many messages end the socket."""
        if self.closing:
            return
        if not self.budget.take(time.monotonic()):
            await self.flooded()
            return
        if text_data is None or too_big(text_data):
            await self.stop(CLOSE_TOO_BIG)
            return
        message = parse_incoming(text_data)
        if isinstance(message, Ping):
            self.unacked.ack(message.acks)
            await self.send(text_data=pong_frame(now_ms()))
            await self.resync_if_wanted()
        elif isinstance(message, Resync):
            self.resync_wanted = True
            await self.resync_if_wanted()
        else:
            await self.send(text_data=error_frame(message.error))

    async def resync_if_wanted(self) -> None:
        """At most one snapshot in flight: a client that never reads cannot pile them up."""
        if self.resync_wanted and not self.unacked.snapshot_in_flight():
            self.resync_wanted = False
            await self.send_snapshot()

    async def deliver(self, deltas: list[Delta], frames: Frames) -> None:
        """One flush's deltas of this screen's streams, minus what its snapshot held: one frame."""
        if self.held is not None:
            self.held.extend(deltas)
            return
        fresh = tuple(
            d for d in deltas if d.epoch != self.epoch or d.seq > self.seen.get(d.stream, 0)
        )
        if self.closing or not fresh:
            return
        now = time.monotonic()
        if self.unacked.too_far_behind(now):
            await self.stop(CLOSE_RECONNECT)  # it starts again from a fresh snapshot
            return
        frame = frames(fresh)
        acked = {delta.stream: delta.seq for delta in fresh}
        self.seen.update(acked)
        self.unacked.sent(acked, len(frame), now)
        await self.send(text_data=frame)


def client_address(scope: Scope) -> str:
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])


async def count_refusal(address: str) -> None:
    with contextlib.suppress(RedisError):  # no Redis, no limit: the refusal still stands
        await note_refusal(live_redis(), address)


async def refusals_over_limit(address: str) -> bool:
    try:
        return await over_limit(live_redis(), address)
    except RedisError:
        return False  # without Redis nobody is fed anyway; the database check still applies


def too_big(text: str) -> bool:
    # Characters never outnumber bytes: the cheap test first, encoding only for small texts.
    return len(text) > MAX_INCOMING_BYTES or len(text.encode()) > MAX_INCOMING_BYTES
