"""The board WebSocket: a snapshot first, then the numbered deltas of the board's streams."""

import asyncio
import contextlib
import random
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from redis.exceptions import RedisError

from dashboard.access import DISPLAY_COOKIE, FORBIDDEN, NOT_FOUND, SIGN_IN, Access, board_access
from dashboard.acks import Unacked
from dashboard.clock import now_ms
from dashboard.displays import revocation_marked, touch
from dashboard.frames import (
    Ping,
    Resync,
    board_settings,
    error_frame,
    parse_incoming,
    pong_frame,
    snapshot_frame,
)
from dashboard.livestore import live_redis, read_snapshot
from dashboard.refusals import note_refusal, over_limit
from dashboard.streams import board_streams, stream_group

# Close codes (4000–4999 are the application's); the browser acts on each (docs/protocol.md).
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RECONNECT = 4408  # planned: the browser reconnects at once, without showing anything
CLOSE_TOO_MANY_REFUSALS = 4429  # this address was refused too often lately: try again later
CLOSE_TOO_BIG = 1009
REFUSAL_CODES = {
    SIGN_IN: CLOSE_NOT_SIGNED_IN,
    FORBIDDEN: CLOSE_FORBIDDEN,
    NOT_FOUND: CLOSE_FORBIDDEN,
}
# Browsers send only pings (which ack every stream of even a 100-queue board) and resyncs.
MAX_INCOMING_BYTES = 4096
# Group memberships live in Redis: a Redis restart forgets them and channels_redis lets them
# expire after a day. Rejoining this often keeps a screen fed through both.
GROUP_REFRESH_S = 10.0
# A revoked display's sockets close within this (one Redis EXISTS per display socket).
REVOCATION_POLL_S = 2.0
# Access and board settings are re-read this often: a display's last_seen_at, a viewer removed
# from the board, a revocation made without the admin, new thresholds or queues.
RECHECK_S = 60.0
# Browsers ping every 15 s with their acks; a hidden tab's timers may run only once a minute.
ACK_DEADLINE_S = 90.0
# A publisher flush names its streams, and a screen sends the deltas it follows from one flush
# as one frame once the last is in. Should one never come (it joined a group mid-flush, or the
# layer dropped it), what did come goes out after this long.
BATCH_WAIT_S = 0.25
# Unacknowledged frames (characters) a screen may have outstanding before it must start afresh.
MAX_UNACKED_CHARS = 16 * 1024 * 1024
# Each socket reconnects itself (4408) after a random time in this range (seconds), so sessions
# and settings are re-read and a wall of TVs never reconnects all at once.
RECYCLE_AFTER_S = (6 * 3600.0, 12 * 3600.0)


@database_sync_to_async
def check_access(scope: dict[str, Any]) -> Access:
    slug = scope["url_route"]["kwargs"]["slug"]
    return board_access(scope["user"], scope.get("cookies", {}).get(DISPLAY_COOKIE), slug)


touch_display = database_sync_to_async(touch)


class BoardConsumer(AsyncWebsocketConsumer):
    streams: list[str]
    seen: dict[str, int]
    epoch: str
    settings: dict[str, Any]
    display_id: int | None
    unacked: Unacked
    closing: bool
    upkeep: asyncio.Task[None] | None
    followed: frozenset[str]
    batch: list[tuple[str, int, str]]  # (stream, seq, text) in arrival order
    flush: tuple[str, object]  # (epoch, number) of the publisher flush being gathered
    awaiting: set[str]  # its streams this screen follows and has not had yet
    late: asyncio.TimerHandle | None
    batching: asyncio.Task[None] | None

    async def connect(self) -> None:
        self.streams, self.seen, self.epoch, self.settings = [], {}, "", {}
        self.display_id, self.closing, self.upkeep = None, False, None
        self.followed, self.batch, self.flush, self.awaiting = frozenset(), [], ("", None), set()
        self.late, self.batching = None, None
        self.unacked = Unacked(MAX_UNACKED_CHARS, ACK_DEADLINE_S)
        address = client_address(self.scope)
        limited = await refusals_over_limit(address)
        access = None if limited else await check_access(self.scope)
        await self.accept()
        if access is None or access.board is None:
            await self.refuse(address, access)
            return
        self.settings = board_settings(access.board)
        self.display_id = access.display.pk if access.display else None
        self.streams = board_streams(access.board.queue_numbers)
        self.followed = frozenset(self.streams)
        if self.display_id is not None:
            await touch_display(self.display_id)
        # Join first, read second: a change made in between arrives as a delta we can dedup.
        await self.join_groups()
        await self.send_snapshot()
        self.upkeep = asyncio.create_task(self.keep_up())

    async def join_groups(self) -> None:
        for stream in self.streams:
            await self.channel_layer.group_add(stream_group(stream), self.channel_name)

    async def send_snapshot(self) -> None:
        self.drop_batch()  # the snapshot holds everything a pending batch would have said
        snapshot = await read_snapshot(self.streams)
        self.epoch = snapshot["epoch"]
        self.seen = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
        text = snapshot_frame(self.settings, snapshot, now_ms())
        self.unacked.restart()
        self.unacked.sent(dict(self.seen), len(text), time.monotonic())
        await self.send(text_data=text)

    async def refuse(self, address: str, access: Access | None) -> None:
        """Close with the reason's code; count the refusal against the client's address."""
        if access is None:
            await self.stop(CLOSE_TOO_MANY_REFUSALS)
            return
        with contextlib.suppress(RedisError):  # no Redis, no limit: the refusal still stands
            await note_refusal(live_redis(), address)
        await self.stop(REFUSAL_CODES[access.refusal])

    async def stop(self, code: int) -> None:
        self.closing = True
        await self.close(code=code)

    async def keep_up(self) -> None:
        """The screen's upkeep: revocation, group membership, access and settings, recycling."""
        now = time.monotonic()
        rejoin_at, recheck_at = now + GROUP_REFRESH_S, now + RECHECK_S
        recycle_at = now + random.uniform(*RECYCLE_AFTER_S)
        while True:
            await asyncio.sleep(REVOCATION_POLL_S)
            now = time.monotonic()
            if now >= rejoin_at:
                rejoin_at = now + GROUP_REFRESH_S
                await self.rejoin()
            if now >= recheck_at:
                recheck_at = now + RECHECK_S
                code = await self.recheck()
            else:
                code = await self.revoked()
            if code is None and now >= recycle_at:
                code = CLOSE_RECONNECT
            if code is not None:
                await self.stop(code)
                return

    async def rejoin(self) -> None:
        """Missed deltas while out of a group show as a gap or a new epoch: the browser resyncs."""
        with contextlib.suppress(RedisError):  # Redis down: try again next time
            await self.join_groups()

    async def revoked(self) -> int | None:
        if self.display_id is None:
            return None
        with contextlib.suppress(RedisError):  # the minutely database re-check still notices
            if await revocation_marked(self.display_id):
                return CLOSE_FORBIDDEN
        return None

    async def recheck(self) -> int | None:
        """Still allowed? Same settings? (A change of settings starts the screen afresh.)"""
        try:
            access = await check_access(self.scope)
            if access.display is not None:
                await touch_display(access.display.pk)
        except DatabaseError:
            return None  # keep showing the board; try again next time
        if access.board is None:
            return CLOSE_FORBIDDEN
        return CLOSE_RECONNECT if board_settings(access.board) != self.settings else None

    async def disconnect(self, code: int) -> None:
        self.drop_batch()
        if self.upkeep is not None:
            self.upkeep.cancel()
        for stream in self.streams:
            await self.channel_layer.group_discard(stream_group(stream), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Pings (with acks) and resyncs; oversized or binary input ends the socket."""
        if self.closing:
            return
        if text_data is None or too_big(text_data):
            await self.stop(CLOSE_TOO_BIG)
            return
        message = parse_incoming(text_data)
        if isinstance(message, Ping):
            self.unacked.ack(message.acks)
            await self.send(text_data=pong_frame(now_ms()))
        elif isinstance(message, Resync):
            await self.send_snapshot()
        else:
            await self.send(text_data=error_frame(message.error))

    async def dispatch(self, message: dict[str, Any]) -> None:
        # channels closes stale database connections before every handler, a hop to its sync
        # thread: once per delta per screen, that was a large share of Daphne's CPU. Deltas never
        # touch the database (what does goes through database_sync_to_async, which closes them).
        if message["type"] == "board.delta":
            await self.board_delta(message)
        else:
            await super().dispatch(message)

    async def board_delta(self, message: dict[str, Any]) -> None:
        """Forward the pre-serialised frame unless the snapshot already contained it; the deltas
        of one publisher flush go out together, as soon as the last this screen follows is in."""
        if self.closing:
            return
        await self.track_flush(message)
        stream, seq = message["stream"], message["seq"]
        self.awaiting.discard(stream)
        if message["epoch"] != self.epoch or seq > self.seen.get(stream, 0):
            if self.unacked.too_far_behind(time.monotonic()):
                await self.stop(CLOSE_RECONNECT)  # it starts again from a fresh snapshot
                return
            self.seen[stream] = seq
            self.batch.append((stream, seq, message["text"]))
        if not self.awaiting:
            await self.send_batch()
        elif self.late is None:
            self.late = asyncio.get_running_loop().call_later(BATCH_WAIT_S, self.send_late)

    async def track_flush(self, message: dict[str, Any]) -> None:
        """A delta of another flush: what came of the one before goes first (one went missing)."""
        flush = (message["epoch"], message.get("flush"))
        if flush != self.flush:
            await self.send_batch()
            self.flush = flush
            streams = message.get("streams", [message["stream"]])
            self.awaiting = {stream for stream in streams if stream in self.followed}

    async def send_batch(self) -> None:
        """One frame for the deltas of one publisher flush: alone as it is, several wrapped."""
        self.cancel_late()
        batch, self.batch = self.batch, []
        if self.closing or not batch:
            return
        texts = [text for _, _, text in batch]
        frame = texts[0] if len(texts) == 1 else batch_frame(texts)
        self.unacked.sent({stream: seq for stream, seq, _ in batch}, len(frame), time.monotonic())
        await self.send(text_data=frame)

    def send_late(self) -> None:
        self.late = None
        self.batching = asyncio.ensure_future(self.send_batch())

    def cancel_late(self) -> None:
        if self.late is not None:
            self.late.cancel()
        self.late = None

    def drop_batch(self) -> None:
        """The deltas gathered so far are not sent (a snapshot holds them); the rest of their
        flush is still awaited, so it does not look like a lost delta."""
        self.cancel_late()
        if self.batching is not None:
            self.batching.cancel()
        self.batch, self.batching = [], None


def batch_frame(texts: list[str]) -> str:
    """The deltas' own pre-serialised texts, joined: nothing is encoded again per screen."""
    return '{"type":"batch","frames":[' + ",".join(texts) + "]}"


def client_address(scope: dict[str, Any]) -> str:
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])


async def refusals_over_limit(address: str) -> bool:
    try:
        return await over_limit(live_redis(), address)
    except RedisError:
        return False  # without Redis nobody is fed anyway; the database check still applies


def too_big(text: str) -> bool:
    # Characters never outnumber bytes: the cheap test first, encoding only for small texts.
    return len(text) > MAX_INCOMING_BYTES or len(text.encode()) > MAX_INCOMING_BYTES
