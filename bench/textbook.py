"""The textbook design: every PBX event is group_sent to every screen, which serialises it."""

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "bench.events"
PATH = "ws/events/"


class EventConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        # Joined before the handshake completes, so a screen that is open misses nothing.
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def bench_event(self, message: dict[str, Any]) -> None:
        frame = {"type": "delta", "stream": "pbx", "seq": message["seq"], "data": message["event"]}
        await self.send(text_data=json.dumps(frame))
