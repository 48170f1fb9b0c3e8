"""The one place that writes live state and tells the browsers: Redis first, then group_send."""

import asyncio
import json
import secrets
from collections import defaultdict
from typing import Any

import redis.asyncio as aioredis
from channels.layers import BaseChannelLayer

from dashboard.streams import EPOCH_KEY, stream_group, stream_key


class Publisher:
    """Numbers every change of a stream within an epoch, so browsers can spot a gap."""

    def __init__(self, redis: aioredis.Redis, layer: BaseChannelLayer) -> None:
        self._redis = redis
        self._layer = layer
        self._seq: defaultdict[str, int] = defaultdict(int)
        # Writes of one stream must reach Redis and the group in seq order, even when two
        # coroutines (an event and the link refresher) publish at the same moment.
        self._lock = asyncio.Lock()
        self.epoch = ""

    async def start_epoch(self) -> None:
        """A fresh in-memory state means fresh numbering: browsers that see it resync."""
        self.epoch = secrets.token_hex(8)
        self._seq.clear()
        await self._redis.set(EPOCH_KEY, self.epoch)

    async def publish(self, stream: str, data: dict[str, Any]) -> None:
        """Store the stream's new data, then send one pre-serialised frame to its group.

        Storing first matters: a consumer joins the group before reading its snapshot, so every
        change is either in the snapshot or arrives after it as a delta (or both; it dedups)."""
        async with self._lock:
            await self._publish(stream, data)

    async def _publish(self, stream: str, data: dict[str, Any]) -> None:
        self._seq[stream] += 1
        seq = self._seq[stream]
        stored = {"epoch": self.epoch, "seq": seq, "data": data}
        await self._redis.set(stream_key(stream), json.dumps(stored, separators=(",", ":")))
        frame = {"type": "delta", "epoch": self.epoch, "stream": stream, "seq": seq, "data": data}
        message = {
            "type": "board.delta",
            "epoch": self.epoch,
            "stream": stream,
            "seq": seq,
            "text": json.dumps(frame, separators=(",", ":")),
        }
        await self._layer.group_send(stream_group(stream), message)
