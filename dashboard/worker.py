"""The PBX worker: one event subscription, REST resync on connect, state reduced and published."""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from websockets.exceptions import WebSocketException

from dashboard.concurrency import first_to_finish
from dashboard.daybook import DayBook
from dashboard.live.events import HeartbeatReply, PbxEvent
from dashboard.live.reduce import Effect, apply_event
from dashboard.live.state import LiveState
from dashboard.live.view import queue_data
from dashboard.pbx.api import PbxApi
from dashboard.pbx.backoff import Backoff
from dashboard.pbx.errors import PbxError, PbxUnreachable, TokenExpired
from dashboard.pbx.rest import events_url
from dashboard.pbx.subscription import LinkLost, open_events
from dashboard.pbx.tokens import LOGIN_HOLD_S
from dashboard.publish import Publisher
from dashboard.resync import load_directory, log_corrections, reconcile_queue
from dashboard.streams import LINK_STREAM, queue_stream

log = logging.getLogger(__name__)

TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029]
# Boards call themselves STALE after three missed refreshes, so this bounds how old a TV can be.
LINK_REFRESH_S = 15.0
# After a refused login nothing happens until the hold ends; look again at this pace.
LOGIN_PROBLEM_RETRY_S = 30.0
# Wrap-ups end and business days start without any event: look this often.
CLOCK_TICK_S = 1.0
LINK_FAILURES = (PbxError, PbxUnreachable, LinkLost, OSError, WebSocketException, TimeoutError)


def now_ms() -> int:
    return int(time.time() * 1000)


class Worker:
    """Holds the live state; every change goes out through the Publisher."""

    def __init__(
        self,
        api: PbxApi,
        publisher: Publisher,
        daybook: DayBook,
        heartbeat_s: float,
        resync_s: float,
    ) -> None:
        self.api = api
        self.publisher = publisher
        self.daybook = daybook
        self.heartbeat_s = heartbeat_s
        self.resync_s = resync_s
        self.state = LiveState()
        self.link: dict[str, Any] = {}
        self.queue_ids: dict[str, int] = {}
        self.corrections: Counter[str] = Counter()
        self._unknown_types: set[int] = set()

    async def run(self) -> None:
        """Connect, and reconnect with backoff, until cancelled."""
        await self.publisher.start_epoch()
        await self.daybook.load(now_ms())
        await self._set_link("connecting", "")
        try:
            await first_to_finish(self._connect_forever, self._refresh_link, self._clock)
        finally:
            await self.publisher.close()

    async def _connect_forever(self) -> None:
        backoff = Backoff()
        while True:
            delay = await self._attempt(backoff)
            await asyncio.sleep(delay)

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
                # REST is re-read between frames (heartbeat replies come every few seconds),
                # in this one task: nothing else then waits on the PBX or can be cancelled
                # half-way through a database call.
                next_reconcile = time.monotonic() + self.resync_s
                async for frame in frames:
                    await self._handle(frame)
                    if time.monotonic() >= next_reconcile:
                        await self._reconcile(list(self.state.queues))
                        next_reconcile = time.monotonic() + self.resync_s
        except TokenExpired:
            await self.api.tokens.renew(token)
            raise

    async def _resync(self) -> None:
        """On every (re)connect: reload everything from REST and publish every queue."""
        self.queue_ids = await load_directory(self.api, self.state)
        for number, queue_id in self.queue_ids.items():
            await reconcile_queue(self.api, self.state, number, queue_id, now_ms())
        await self._count_today()
        await self._publish_queues(self.state.queues)

    async def _reconcile(self, numbers: Iterable[str]) -> None:
        """Correct queues from REST; a correction is counted, logged by kind and published."""
        found: Counter[str] = Counter()
        for number in numbers:
            if number in self.queue_ids:
                corrections = await reconcile_queue(
                    self.api, self.state, number, self.queue_ids[number], now_ms()
                )
                found.update(corrections)
                if corrections:
                    await self._count_today()
                    await self._publish_queues([number])
        log_corrections(found)
        self.corrections.update(found)

    async def _publish_queues(self, numbers: Iterable[str]) -> None:
        for number in numbers:
            queue = self.state.queues[number]
            data = queue_data(self.state, self.daybook.today, queue, now_ms())
            await self.publisher.publish(queue_stream(number), data)

    async def _count_today(self) -> None:
        self.daybook.take(self.state, now_ms())
        await self.daybook.save()

    async def _clock(self) -> None:
        """Changes no event announces: wrap-ups ending, and the business day's start."""
        while True:
            await asyncio.sleep(CLOCK_TICK_S)
            if await self.daybook.tick(now_ms()):
                await self.daybook.save()
                await self._publish_queues(list(self.state.queues))
            ended = [n for n, until in self.state.wrap_up_until.items() if until <= now_ms()]
            for number in ended:
                del self.state.wrap_up_until[number]
            await self._publish_queues(
                {q.number for n in ended for q, _ in self.state.memberships(n)}
            )

    async def _handle(self, frame: PbxEvent | HeartbeatReply) -> None:
        if isinstance(frame, HeartbeatReply):
            self.link["last_heartbeat_at"] = now_ms()
            return
        self.link["last_event_at"] = now_ms()
        try:
            effect = apply_event(self.state, frame, now_ms())
        except Exception:  # a payload we misread must not stop the board: REST will settle it
            log.exception("Could not apply PBX event %s %.200s", frame.type, frame.msg)
            effect = Effect(recheck=set(self.state.queues))
        await self._count_today()
        if not effect.handled and frame.type not in self._unknown_types:
            self._unknown_types.add(frame.type)
            log.info(
                "Not handled: PBX event %s %.200s (logged once per type)", frame.type, frame.msg
            )
        await self._publish_queues(effect.changed)
        if effect.recheck:
            await self._reconcile(effect.recheck)

    async def _set_link(self, state: str, detail: str) -> None:
        if self.link.get("state") != state:
            self.link.update(state=state, since=now_ms())
        self.link["detail"] = detail
        await self._publish_link()

    async def _publish_link(self) -> None:
        token = await self.api.tokens.current()
        expires = int(token.access_expires_at * 1000) if token else None
        await self.publisher.publish(
            LINK_STREAM,
            {
                **self.link,
                "checked_at": now_ms(),
                "token_expires_at": expires,
                "corrections": dict(self.corrections),
            },
        )

    async def _refresh_link(self) -> None:
        """Tell browsers the worker is alive even when the PBX is quiet."""
        while True:
            await asyncio.sleep(LINK_REFRESH_S)
            await self._publish_link()
