"""The board WebSocket: a snapshot first, then the numbered deltas of the board's streams."""

import asyncio
import contextlib
import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from redis.exceptions import RedisError

from dashboard.access import DISPLAY_COOKIE, board_for_user, display_for_token
from dashboard.livestore import read_snapshot
from dashboard.models import Board
from dashboard.streams import board_streams, stream_group

# Close codes (4000–4999 are the application's); the browser shows a message for each.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
MAX_INCOMING_BYTES = 1024  # browsers only ever send tiny control messages
# Group memberships live in Redis: a Redis restart forgets them and channels_redis lets them
# expire after a day. Rejoining this often keeps a screen fed through both.
GROUP_REFRESH_S = 10.0


@database_sync_to_async
def authorised_board(scope: dict[str, Any], slug: str) -> Board | None:
    """A signed-in user's board, or else the board of the display whose cookie this is."""
    board = board_for_user(scope["user"], slug)
    if board is not None:
        return board
    display = display_for_token(scope.get("cookies", {}).get(DISPLAY_COOKIE))
    return display.board if display is not None and display.board.slug == slug else None


class BoardConsumer(AsyncWebsocketConsumer):
    streams: list[str]
    seen: dict[str, int]
    epoch: str
    rejoining: asyncio.Task[None] | None

    async def connect(self) -> None:
        self.streams, self.seen, self.epoch, self.rejoining = [], {}, "", None
        slug = self.scope["url_route"]["kwargs"]["slug"]
        board = await authorised_board(self.scope, slug)
        await self.accept()
        if board is None:
            signed_in = self.scope["user"].is_authenticated
            await self.close(code=CLOSE_FORBIDDEN if signed_in else CLOSE_NOT_SIGNED_IN)
            return
        self.streams = board_streams(board.queue_numbers)
        # Join first, read second: a change made in between arrives as a delta we can dedup.
        await self.join_groups()
        await self.send_snapshot(board)
        self.rejoining = asyncio.create_task(self.keep_joining())

    async def join_groups(self) -> None:
        for stream in self.streams:
            await self.channel_layer.group_add(stream_group(stream), self.channel_name)

    async def keep_joining(self) -> None:
        """Missed deltas while out of a group show as a gap or a new epoch: the browser resyncs."""
        while True:
            await asyncio.sleep(GROUP_REFRESH_S)
            with contextlib.suppress(RedisError):  # Redis down: try again next time
                await self.join_groups()

    async def send_snapshot(self, board: Board) -> None:
        snapshot = await read_snapshot(self.streams)
        self.epoch = snapshot["epoch"]
        self.seen = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
        frame = {
            "type": "snapshot",
            "server_time": int(time.time() * 1000),
            "board": {"slug": board.slug, "name": board.name, "queues": board.queue_numbers},
            **snapshot,
        }
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def disconnect(self, code: int) -> None:
        if self.rejoining is not None:
            self.rejoining.cancel()
        for stream in self.streams:
            await self.channel_layer.group_discard(stream_group(stream), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Browsers have nothing to tell us yet; oversized or binary input ends the socket."""
        if bytes_data is not None or len(text_data or "") > MAX_INCOMING_BYTES:
            await self.close(code=1009)

    async def board_delta(self, message: dict[str, Any]) -> None:
        """Forward the pre-serialised frame unless the snapshot already contained it."""
        stream, seq = message["stream"], message["seq"]
        if message["epoch"] == self.epoch and seq <= self.seen.get(stream, 0):
            return
        self.seen[stream] = seq
        await self.send(text_data=message["text"])
