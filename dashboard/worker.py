"""The PBX worker: one event subscription, REST resync on connect, state reduced and published."""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import WebSocketException

from dashboard.live.events import CALL_STATE_CHANGED, HeartbeatReply, PbxEvent, parse_call_event
from dashboard.live.queues import LiveState, apply_call_event, load_waiting
from dashboard.pbx.api import PbxApi
from dashboard.pbx.backoff import Backoff
from dashboard.pbx.errors import PbxError, PbxUnreachable, TokenExpired
from dashboard.pbx.rest import events_url
from dashboard.pbx.subscription import LinkLost, open_events
from dashboard.pbx.tokens import LOGIN_HOLD_S
from dashboard.publish import Publisher
from dashboard.streams import LINK_STREAM, queue_stream

log = logging.getLogger(__name__)

TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029]
# Boards call themselves STALE after three missed refreshes, so this bounds how old a TV can be.
LINK_REFRESH_S = 15.0
# After a refused login nothing happens until the hold ends; look again at this pace.
LOGIN_PROBLEM_RETRY_S = 30.0
QUEUE_PAGE_SIZE = 100
LINK_FAILURES = (PbxError, PbxUnreachable, LinkLost, OSError, WebSocketException, TimeoutError)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class QueueDirectory:
    """Queue names by number, and the numeric IDs that REST calls take instead of numbers."""

    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, number: str, name: str, queue_id: int) -> None:
        self.names[number] = name
        self.ids[number] = queue_id


class Worker:
    """Holds the live state; every change goes out through the Publisher."""

    def __init__(self, api: PbxApi, publisher: Publisher, heartbeat_s: float) -> None:
        self.api = api
        self.publisher = publisher
        self.heartbeat_s = heartbeat_s
        self.state = LiveState()
        self.link: dict[str, Any] = {}
        self._unknown_types: set[int] = set()

    async def run(self) -> None:
        """Connect, and reconnect with backoff, until cancelled."""
        await self.publisher.start_epoch()
        await self._set_link("connecting", "")
        refresher = asyncio.create_task(self._refresh_link())
        backoff = Backoff()
        try:
            while True:
                delay = await self._attempt(backoff)
                await asyncio.sleep(delay)
        finally:
            refresher.cancel()

    async def _attempt(self, backoff: Backoff) -> float:
        """One connection's life; returns how long to wait before the next."""
        try:
            await self._session(backoff)
        except PbxError as error:
            if error.endpoint == "get_token" and error.errcode in LOGIN_HOLD_S:
                await self._set_link("down", error.explanation)
                return LOGIN_PROBLEM_RETRY_S
            return await self._lost(error, backoff)
        except LINK_FAILURES as error:
            return await self._lost(error, backoff)
        return await self._lost(LinkLost("the PBX closed the event socket"), backoff)

    async def _lost(self, error: Exception, backoff: Backoff) -> float:
        delay = backoff.next_delay()
        detail = str(error) or type(error).__name__
        log.warning("PBX link lost (%s); reconnecting in %.1f s", detail, delay)
        await self._set_link("reconnecting", detail)
        return delay

    async def _session(self, backoff: Backoff) -> None:
        token = await self.api.tokens.token()
        settings = self.api.rest.settings
        try:
            events = open_events(
                events_url(settings.url), token, TOPICS, self.heartbeat_s, settings.tls_verify
            )
            async with events as frames:
                await self._resync()
                await self._set_link("connected", "")
                log.info("PBX link up: subscribed to events %s", TOPICS)
                backoff.reset()
                async for frame in frames:
                    await self._handle(frame)
        except TokenExpired:
            await self.api.tokens.renew(token)
            raise

    async def _resync(self) -> None:
        """REST is the truth: reload the queues and who is waiting in each."""
        directory = await self._queue_directory()
        self.state.set_queues(directory.names)
        for number, queue in self.state.queues.items():
            queue_id = directory.ids[number]
            status = await self.api.get("queue/call_status", empty_ok=True, id=queue_id)
            load_waiting(queue, status.get("waiting_list") or [], now_ms())
            await self.publisher.publish(queue_stream(number), queue.as_data())

    async def _queue_directory(self) -> QueueDirectory:
        directory = QueueDirectory()
        page = 1
        while True:
            body = await self.api.get(
                "queue/list", empty_ok=True, page=page, page_size=QUEUE_PAGE_SIZE
            )
            listed = body.get("queue_list") or []
            for queue in listed:
                directory.add(str(queue["number"]), str(queue.get("name", "")), int(queue["id"]))
            if not listed or len(directory.names) >= int(body.get("total_number", 0)):
                return directory
            page += 1

    async def _handle(self, frame: PbxEvent | HeartbeatReply) -> None:
        if isinstance(frame, HeartbeatReply):
            self.link["last_heartbeat_at"] = now_ms()
            return
        self.link["last_event_at"] = now_ms()
        if frame.type != CALL_STATE_CHANGED:
            if frame.type not in self._unknown_types:
                self._unknown_types.add(frame.type)
                log.info("Not handled yet: PBX event %s (logged once)", frame.type)
            return
        call = parse_call_event(frame.msg)
        if call is None:
            log.warning("Ignored a 30011 event without a call_id")
            return
        for number in apply_call_event(self.state, call, now_ms()):
            queue = self.state.queues[number]
            await self.publisher.publish(queue_stream(number), queue.as_data())

    async def _set_link(self, state: str, detail: str) -> None:
        if self.link.get("state") != state:
            self.link.update(state=state, since=now_ms())
        self.link["detail"] = detail
        await self._publish_link()

    async def _publish_link(self) -> None:
        token = await self.api.tokens.current()
        expires = int(token.access_expires_at * 1000) if token else None
        await self.publisher.publish(
            LINK_STREAM, {**self.link, "checked_at": now_ms(), "token_expires_at": expires}
        )

    async def _refresh_link(self) -> None:
        """Tell browsers the worker is alive even when the PBX is quiet."""
        while True:
            await asyncio.sleep(LINK_REFRESH_S)
            await self._publish_link()
