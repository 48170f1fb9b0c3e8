"""The PBX worker: one event subscription, REST resync on connect, state reduced and published."""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import WebSocketException

from dashboard.live.events import CALL_STATE_CHANGED, PbxEvent, parse_call_event
from dashboard.live.queues import LiveState, apply_call_event, load_waiting
from dashboard.pbx.backoff import Backoff
from dashboard.pbx.errors import BadCredentials, PbxError, PbxUnreachable
from dashboard.pbx.rest import PbxRest, Token, events_url
from dashboard.pbx.subscription import LinkLost, open_events
from dashboard.publish import Publisher
from dashboard.streams import LINK_STREAM, queue_stream

log = logging.getLogger(__name__)

TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029]
# Boards call themselves STALE after three missed refreshes, so this bounds how old a TV can be.
LINK_REFRESH_S = 15.0
# Five failed logins get our IP blocked by the PBX: after a credentials error, wait minutes.
BAD_CREDENTIALS_RETRY_S = 300.0
QUEUE_PAGE_SIZE = 100
LINK_FAILURES = (PbxError, PbxUnreachable, LinkLost, OSError, WebSocketException, TimeoutError)


def now_ms() -> int:
    return int(time.time() * 1000)


class Worker:
    """Holds the live state; every change goes out through the Publisher."""

    def __init__(self, rest: PbxRest, publisher: Publisher, heartbeat_s: float) -> None:
        self.rest = rest
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
        except BadCredentials as error:
            log.error("%s Retrying in %.0f s.", error, BAD_CREDENTIALS_RETRY_S)
            await self._set_link("down", error.explanation)
            return BAD_CREDENTIALS_RETRY_S
        except LINK_FAILURES as error:
            delay = backoff.next_delay()
            detail = str(error) or type(error).__name__
            log.warning("PBX link lost (%s); reconnecting in %.1f s", detail, delay)
            await self._set_link("reconnecting", detail)
            return delay
        return backoff.next_delay()

    async def _session(self, backoff: Backoff) -> None:
        token = await self.rest.get_token()
        try:
            url = events_url(self.rest.settings.url)
            verify = self.rest.settings.verify_tls
            async with open_events(
                url, token.access_token, TOPICS, self.heartbeat_s, verify
            ) as events:
                await self._resync(token.access_token)
                await self._set_link("connected", "")
                log.info("PBX link up: subscribed to events %s", TOPICS)
                backoff.reset()
                async for event in events:
                    await self._handle(event)
        finally:
            await self._revoke(token)

    async def _revoke(self, token: Token) -> None:
        """Give the token back: the PBX allows only 8 live ones per application."""
        try:
            await self.rest.del_token(token.access_token)
        except (PbxError, PbxUnreachable) as error:
            log.info("Could not revoke the PBX token (%s); it expires on its own.", error)

    async def _resync(self, token: str) -> None:
        """REST is the truth: reload the queues and who is waiting in each."""
        directory = await self._queue_directory(token)
        self.state.set_queues(directory.names)
        for number, queue in self.state.queues.items():
            status = await self.rest.get(
                "queue/call_status", token, empty_ok=True, id=directory.ids[number]
            )
            load_waiting(queue, status.get("waiting_list") or [], now_ms())
            await self.publisher.publish(queue_stream(number), queue.as_data())

    async def _queue_directory(self, token: str) -> "QueueDirectory":
        directory = QueueDirectory()
        page = 1
        while True:
            body = await self.rest.get(
                "queue/list", token, empty_ok=True, page=page, page_size=QUEUE_PAGE_SIZE
            )
            listed = body.get("queue_list") or []
            for queue in listed:
                directory.add(str(queue["number"]), str(queue.get("name", "")), int(queue["id"]))
            if not listed or len(directory.names) >= int(body.get("total_number", 0)):
                return directory
            page += 1

    async def _handle(self, event: PbxEvent) -> None:
        if event.type != CALL_STATE_CHANGED:
            if event.type not in self._unknown_types:
                self._unknown_types.add(event.type)
                log.info("Not handled yet: PBX event %s (logged once)", event.type)
            return
        call = parse_call_event(event.msg)
        if call is None:
            log.warning("Ignored a 30011 event without a call_id")
            return
        for number in apply_call_event(self.state, call, now_ms()):
            queue = self.state.queues[number]
            await self.publisher.publish(queue_stream(number), queue.as_data())

    async def _set_link(self, state: str, detail: str) -> None:
        if self.link.get("state") != state:
            self.link = {"state": state, "since": now_ms(), "detail": detail}
        await self._publish_link()

    async def _publish_link(self) -> None:
        await self.publisher.publish(LINK_STREAM, {**self.link, "checked_at": now_ms()})

    async def _refresh_link(self) -> None:
        """Tell browsers the worker is alive even when the PBX is quiet."""
        while True:
            await asyncio.sleep(LINK_REFRESH_S)
            await self._publish_link()


@dataclass
class QueueDirectory:
    """Queue names by number, and the numeric IDs that REST calls take instead of numbers."""

    names: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, number: str, name: str, queue_id: int) -> None:
        self.names[number] = name
        self.ids[number] = queue_id
