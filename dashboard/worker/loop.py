"""The PBX worker: one event subscription, REST resync on connect, state reduced and published."""

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterable, Iterable
from functools import partial
from typing import Any

from websockets.exceptions import WebSocketException

from dashboard.clock import now_ms
from dashboard.live.cdr import Cdr, apply_cdrs, rebuild
from dashboard.live.directory import moved_agents
from dashboard.live.events import HeartbeatReply, Malformed, PbxEvent
from dashboard.live.link import LinkReason
from dashboard.live.reduce import Effect, apply_event, note_malformed
from dashboard.live.state import LiveState, QueueState, end_wrap_ups
from dashboard.live.view import queue_data
from dashboard.pbx.api import PbxApi
from dashboard.pbx.backoff import Backoff
from dashboard.pbx.errors import PbxError, PbxUnreachable, TokenExpired
from dashboard.pbx.reasons import NO_REASON, reason_for
from dashboard.pbx.rest import events_url
from dashboard.pbx.subscription import EventLink, LinkLost, not_answering, open_events
from dashboard.pbx.tokens import LOGIN_HOLD_S
from dashboard.streams import (
    BEAT_STREAM,
    LINK_STREAM,
    PBX_WARNINGS_STREAM,
    BeatData,
    DirectoryData,
    Link,
    LinkData,
    LinkState,
    queue_stream,
    stream_key,
)
from dashboard.worker.cdrsync import MARGIN_MS, read_back
from dashboard.worker.concurrency import first_to_finish
from dashboard.worker.daybook import DayBook
from dashboard.worker.leader import Leadership
from dashboard.worker.publish import Publisher
from dashboard.worker.resync import (
    cdrs_since,
    load_directory,
    log_corrections,
    reconcile_calls_now,
    reconcile_queue,
    store_directory,
)
from dashboard.worker.sweep import Sweep
from dashboard.worker.timing import Every, Timing

log = logging.getLogger(__name__)

TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029, 30035]
# The worker tells every screen it is alive this often, whatever the PBX does: screens call
# themselves STALE after three missed beats (docs/protocol.md, *Freshness*).
BEAT_S = 2.0
# The link's own figures (corrections, what could not be used, token expiry) are republished
# this often for /healthz.
LINK_REFRESH_S = 15.0
# After a refused login nothing happens until the hold ends; look again at this pace.
LOGIN_PROBLEM_RETRY_S = 30.0
# Wrap-ups end and business days start without any event: look this often.
CLOCK_TICK_S = 1.0
LINK_FAILURES = (PbxError, PbxUnreachable, LinkLost, OSError, WebSocketException, TimeoutError)


class Worker:
    """Holds the live state; every change goes out through the Publisher."""

    def __init__(
        self,
        api: PbxApi,
        leadership: Leadership,
        publisher: Publisher,
        daybook: DayBook,
        timing: Timing,
    ) -> None:
        self.api = api
        self.leadership = leadership
        self.publisher = publisher
        self.daybook = daybook
        self.timing = timing
        self.state = LiveState(zone=daybook.zone)
        self.link: Link = {
            "state": "connecting", "since": now_ms(), "detail": "", "reason": NO_REASON
        }  # fmt: skip
        self.directory: DirectoryData = {"queues": {}, "extensions": {}}
        self.corrections: Counter[str] = Counter()
        self._rebuild_tried = False
        # Where to read CDRs back from (less a margin): when the link went down, or what the
        # figures taken over had seen; None once caught up.
        self._catch_up_from: int | None = None
        self._events: EventLink | None = None  # the event socket, while one is open
        self._heard_at: int | None = None  # the PBX's last sign of life on a connected link
        self._sweep = Sweep(api, self.state)

    @property
    def queue_ids(self) -> dict[str, int]:
        return {number: queue["id"] for number, queue in self.directory["queues"].items()}

    async def run(self) -> None:
        """Connect, and reconnect with backoff, until cancelled."""
        await self.publisher.start_epoch()
        warnings = await self.leadership.redis.get(stream_key(PBX_WARNINGS_STREAM))
        self.state.pbx_warnings.adopt(warnings)  # a previous worker's: each comes only once
        # Calls that ended since the figures taken over were kept: read back from the CDRs.
        self._catch_up_from = await self.daybook.load(now_ms(), self.state)
        self.link["since"] = now_ms()  # connecting from now, not from when the worker was built
        await self._publish_link()
        try:
            await first_to_finish(
                self._connect_forever, self._beat, self._refresh_link, self._clock
            )
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
                self._catch_up_from = self._catch_up_from or self.state.read_back_point(now_ms())
                await self._set_link("down", error.explanation, reason_for(error))
                return LOGIN_PROBLEM_RETRY_S
            return await self._lost(error, backoff)
        except LINK_FAILURES as error:
            return await self._lost(error, backoff)
        return await self._lost(LinkLost("the PBX closed the event socket"), backoff)

    async def _lost(self, error: Exception, backoff: Backoff) -> float:
        self._catch_up_from = self._catch_up_from or self.state.read_back_point(now_ms())
        delay = backoff.next_delay()
        detail = str(error) or type(error).__name__
        log.warning("PBX link lost (%s); reconnecting in %.1f s", detail, delay)
        state: LinkState = "not_answering" if not_answering(error) else "reconnecting"
        await self._set_link(state, detail, reason_for(error))
        return delay

    async def _session(self, backoff: Backoff) -> None:
        token = await self.api.tokens.token()
        settings = self.api.rest.settings
        try:
            events = open_events(
                events_url(settings.url), token, TOPICS, self.timing.heartbeat_s,
                settings.tls_verify,
            )  # fmt: skip
            async with events as link:
                self._events = link
                try:
                    # A REST call held up by a PBX that stopped answering ends with the link.
                    await first_to_finish(partial(self._live, link, backoff), link.lost)
                finally:
                    self._pbx_heard_at()  # its last sign of life before the link went
                    self._events = None
        except TokenExpired:
            await self.api.tokens.renew(token)
            raise

    async def _live(self, link: EventLink, backoff: Backoff) -> None:
        await self._resync()
        await self._set_link("connected", "", NO_REASON)
        log.info("PBX link up: subscribed to events %s", TOPICS)
        backoff.reset()
        await self._follow(link)

    async def _follow(self, frames: AsyncIterable[PbxEvent | HeartbeatReply | Malformed]) -> None:
        """Apply events as they come. REST is re-read between frames (heartbeat replies come
        every few seconds), in this one task: nothing else then waits on the PBX or can be
        cancelled half-way through a database call."""
        reconcile, directory = Every(self.timing.resync_s), Every(self.timing.directory_s)
        cdrs = Every(self.timing.cdr_s) if self.timing.cdr_s else None
        async for frame in frames:
            await self._handle(frame)
            if directory.due():
                await self._refresh_directory()
            if reconcile.due():
                await self._sweep_rest()
            elif self._sweep.confirm_due(self._events.backlog if self._events else 0):
                await self._sweep_rest(confirming=True)
            if cdrs is not None and cdrs.due():
                await self._read_cdrs_back()

    async def _resync(self) -> None:
        """On every (re)connect: reload everything from REST and publish every queue."""
        await self._load_directory()
        for number, queue_id in self.queue_ids.items():
            await reconcile_queue(self.api, self.state, number, queue_id, now_ms(), connecting=True)
        # What a (re)connect finds is news, not a correction: only later re-reads count them.
        await reconcile_calls_now(self.api, self.state, now_ms())
        self._sweep.forget()
        await self._rebuild_today()
        await self._catch_up()
        self.state.cdrs_read([self.state.read_back_point(now_ms())])  # if no CDR was read yet
        self._count_today()
        await self._publish_queues(self.state.queues)
        # Today's figures and the ledger go with this flush, however soon after the last: a
        # leader that fails right after taking over hands over what it rebuilt, not the empty
        # figures its first flush kept (its successor would rebuild from CDRs, which cannot
        # tell every call's story: docs/design.md).
        self.daybook.store_with_next_flush()
        await self.publisher.flush()

    async def _catch_up(self) -> None:
        """Calls that ended while the link was down never sent their 30012: their CDRs settle
        what REST could not see (a caller who came and went unseen is counted whole)."""
        if self._catch_up_from is None:
            return
        since = self._catch_up_from - MARGIN_MS
        try:
            cdrs = await cdrs_since(self.api, since, self.state.zone)
        except PbxError as error:  # refused, not lost: today's figures may miss those calls
            log.warning("No CDRs to catch up on the calls missed while disconnected (%s)", error)
            cdrs = []
        self._catch_up_from = None
        self.state.cdrs_read(cdr.end_ms for cdr in cdrs)
        apply_cdrs(self.state, cdrs)

    async def _read_cdrs_back(self) -> None:
        """Calls whose pushes the PBX dropped (the socket up all along) are counted from their
        CDRs: each such outcome is a correction, at /healthz with those from every CDR."""
        before = self.state.calls.from_cdrs
        try:
            changed = await read_back(self.api, self.state)
        except PbxError as error:  # refused: tried again at the next read-back
            log.warning("Could not read CDRs back (%s)", error)
            return
        await self._publish_queues(changed | self._count_today())
        found = Counter({"cdr_outcome": self.state.calls.from_cdrs - before})
        log_corrections(+found)  # unary +: only kinds that happened
        self.corrections.update(+found)

    async def _load_directory(self) -> tuple[set[str], set[str]]:
        """Reference data, stored for every process; returns the queues whose data changed
        and those whose members changed."""
        directory, changed = await load_directory(self.api, self.state)
        moved = moved_agents(self.directory, directory)
        self.directory = directory
        await store_directory(self.leadership, directory)
        return changed, moved

    async def _refresh_directory(self) -> None:
        """Names, members, wrap-up, presence: changes are published (new members read)."""
        changed, moved = await self._load_directory()
        await self._publish_queues(changed - moved)
        await self._reconcile(moved, publish=True)

    async def _sweep_rest(self, confirming: bool = False) -> None:
        """Re-read every queue and live call (`confirming`: those with differences to confirm)."""
        found, changed = await self._sweep.run(self.queue_ids, now_ms(), confirming)
        await self._corrected(found, changed)

    async def _reconcile(self, numbers: Iterable[str], publish: bool = False) -> None:
        """Correct queues from REST at once (an event we could not use, new members): a
        correction is counted, logged by kind and published."""
        found: Counter[str] = Counter()
        changed: set[str] = set()
        queue_ids = self.queue_ids
        for number in numbers:
            if number in queue_ids:
                corrections = await reconcile_queue(
                    self.api, self.state, number, queue_ids[number], now_ms()
                )
                found.update(corrections)
                changed |= {number} if corrections or publish else set()
        await self._corrected(found, changed)

    async def _corrected(self, found: Counter[str], changed: set[str]) -> None:
        await self._publish_queues(changed | self._count_today())
        log_corrections(found)
        self.corrections.update(found)

    async def _rebuild_today(self) -> None:
        """Started mid-day with nothing kept: count the calls that ended before we started from
        the PBX's CDRs (once; a PBX that refuses them leaves the boards saying "since HH:MM")."""
        if self._rebuild_tried or not self.daybook.today.partial:
            return
        start = self.daybook.day_start_ms(now_ms())
        cdrs: list[Cdr] | None = None
        try:
            cdrs = await cdrs_since(self.api, start, self.state.zone)
        except PbxError as error:  # refused, not lost (a lost link retries on reconnect)
            log.warning("Today's figures count from now: no CDRs from the PBX (%s)", error)
        self._rebuild_tried = True
        if cdrs is not None:
            self.state.cdrs_read(cdr.end_ms for cdr in cdrs)
            records = rebuild(self.state, cdrs, start)
            self.daybook.today.adopt_rebuilt(records, start, self.daybook.thresholds)
            log.info("Today's figures rebuilt from %s CDRs (%s records)", len(cdrs), len(records))

    async def _publish_queues(self, numbers: Iterable[str]) -> None:
        for number in [n for n in numbers if n in self.state.queues]:
            await self.publisher.publish(queue_stream(number), partial(self._queue_view, number))

    def _queue_view(self, number: str) -> dict[str, Any]:
        """Built when the publisher flushes: a queue changed ten times in one window is
        rendered once. (A queue gone from the PBX meanwhile shows empty until removed.)"""
        queue = self.state.queues.get(number) or QueueState(number, "")
        book = self.daybook
        return queue_data(self.state, book.today, queue, now_ms(), book.recent, book.thresholds)

    def _count_today(self) -> set[str]:
        """Count into today's figures; returns the queues whose figures changed (a call counted
        whole from its CDR changes no live data: its queue must be published all the same)."""
        return self.daybook.take(self.state, now_ms())

    async def _clock(self) -> None:
        """Changes no event announces: wrap-ups ending, and the business day's start."""
        while True:
            await asyncio.sleep(CLOCK_TICK_S)
            if await self.daybook.tick(now_ms()):
                await self.daybook.save(now_ms())
                await self._publish_queues(list(self.state.queues))
            ended = end_wrap_ups(self.state, now_ms())
            await self._publish_queues(
                {q.number for n in ended for q, _ in self.state.memberships(n)}
            )

    async def _handle(self, frame: PbxEvent | HeartbeatReply | Malformed) -> None:
        if isinstance(frame, HeartbeatReply):
            self.link["last_heartbeat_at"] = now_ms()
            return
        if isinstance(frame, Malformed):  # counted by the live state, at /healthz
            note_malformed(self.state, frame)
            return
        self.link["last_event_at"] = now_ms()
        try:
            effect = apply_event(self.state, frame, now_ms())
        except Exception:  # a payload we misread must not stop the board: REST will settle it
            log.exception("Could not apply PBX event %s %.200s", frame.type, frame.msg)
            effect = Effect(recheck=set(self.state.queues))
        await self._publish_queues(effect.changed | self._count_today())
        if frame.type == 30035:  # a PBX warning: the admin's PBX health page lists them
            await self.publisher.publish(PBX_WARNINGS_STREAM, self.state.pbx_warnings.data)
        if effect.recheck:
            await self._reconcile(effect.recheck)

    async def _set_link(self, state: LinkState, detail: str, reason: LinkReason) -> None:
        if self.link["state"] != state:
            self.link |= {"state": state, "since": now_ms()}
            if state == "connected":
                self._heard_at = now_ms()  # the resync has just confirmed every figure
        self.link |= {"detail": detail, "reason": reason}
        # The beat first: a screen that sees "connected" already has the fresh data age.
        await self.publisher.publish(BEAT_STREAM, self._beat_data)
        await self._publish_link()

    async def _publish_link(self) -> None:
        token = await self.api.tokens.current()
        data: LinkData = {
            **self.link,
            "checked_at": now_ms(),
            "token_expires_at": int(token.access_expires_at * 1000) if token else None,
            "corrections": dict(self.corrections),
            "unusable": dict(self.state.unusable.counts),
            "outcomes_from_cdrs": self.state.calls.from_cdrs,
        }
        await self.publisher.publish(LINK_STREAM, data)

    async def _refresh_link(self) -> None:
        """Keep the link's figures current (at /healthz) even when its state does not change."""
        while True:
            await asyncio.sleep(LINK_REFRESH_S)
            await self._publish_link()

    async def _beat(self) -> None:
        """Tell every screen that the worker is alive, whatever the PBX does. The write is
        fenced like any other: a worker that lost the lease (frozen, say) stops here."""
        while True:
            await self.publisher.publish(BEAT_STREAM, self._beat_data)
            await asyncio.sleep(BEAT_S)

    def _beat_data(self) -> BeatData:
        """Built when the publisher flushes, so `at` is when the beat went out."""
        return {"at": now_ms(), "pbx_heard_at": self._pbx_heard_at()}

    def _pbx_heard_at(self) -> int | None:
        """The PBX's last sign of life (an event, a heartbeat response) while the link is
        connected: what the figures on the boards are as fresh as, whatever the worker did."""
        if self.link["state"] == "connected" and self._events is not None:
            self._heard_at = max(self._heard_at or 0, self._events.heard_at)
        return self._heard_at
