"""The one place that writes live state and tells the browsers: Redis first, then group_send."""

import asyncio
import json
import secrets
from collections import defaultdict
from typing import Any

from channels.layers import BaseChannelLayer

from dashboard.leader import Leadership
from dashboard.streams import EPOCH_KEY, stream_group, stream_key


def compact(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


class Publisher:
    """Numbers every change of a stream within an epoch, so browsers can spot a gap.

    Every Redis write is fenced by the leader's lease: a worker that lost it (say it was paused
    and a standby took over) raises LeadershipLost instead of publishing over the new leader."""

    def __init__(self, leadership: Leadership, layer: BaseChannelLayer) -> None:
        self._leadership = leadership
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
        await self._leadership.fenced_set(EPOCH_KEY, self.epoch)

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
        await self._leadership.fenced_set(stream_key(stream), compact(stored))
        frame = {"type": "delta", "epoch": self.epoch, "stream": stream, "seq": seq, "data": data}
        message = {
            "type": "board.delta",
            "epoch": self.epoch,
            "stream": stream,
            "seq": seq,
            "text": compact(frame),
        }
        await self._layer.group_send(stream_group(stream), message)
