"""Today's figures kept by the worker: fed from the reducer, rolled over at the business day's
start, kept in Redis (fenced) and the database so that no restart loses them, and written as
15-minute history."""

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from django.db import DatabaseError

from dashboard.clock import now_ms
from dashboard.live.intervals import interval_start
from dashboard.live.ledger import Ledger, ledger_json, restore
from dashboard.live.state import LiveState
from dashboard.live.today import (
    Thresholds,
    Today,
    business_day,
    from_json,
    next_day,
    to_json,
)
from dashboard.streams import compact
from dashboard.worker import history
from dashboard.worker.leader import Leadership

log = logging.getLogger(__name__)

TODAY_KEY = "wb:today"
# A worker starting this soon after the day began has not missed anything worth a label.
FULL_DAY_GRACE_MS = 60_000
# How often today's figures and the current interval are written to the database.
PERSIST_MS = 10_000
# How often today's figures (and the ledger, which grows with the calls of the last minutes)
# go to Redis with a publisher flush.
STORE_EVERY_MS = 1_000

# The day's kept value (`wb:today`, and the DaySnapshot row): today's figures as live/today.py's
# to_json writes them, plus "ledger", live/ledger.py's JSON of the calls counted (None before a
# live state is attached). Those modules own that shape and read it back (from_json, restore);
# the daybook reads only "day" and "ledger" and passes the rest on, so here it stays JSON (Any).
Kept = dict[str, Any]
Saved = TypeVar("Saved")


class DayBook:
    def __init__(
        self, leadership: Leadership, zone: str, day_starts: time, thresholds: Thresholds
    ) -> None:
        self.leadership = leadership
        self.zone = zone
        self.starts_at = day_starts
        self.thresholds = thresholds
        self.today = Today("", 0)
        self.interval = Today("", 0)  # the current 15-minute interval's counters
        self.hour: list[Today] = []  # the intervals before it, of the last hour, oldest first
        self.ledger = Ledger()
        self.state: LiveState | None = None  # whose counting memory the ledger keeps
        self._persisted_ms = 0
        self._stored_ms = 0
        self._database_failing = False

    async def load(self, now_ms: int, state: LiveState) -> int | None:
        """Carry on with today's figures if a previous worker kept them (in Redis, else in the
        database), taking over its memory of the calls it counted into `state`; else start
        counting from now, which the boards show as "since HH:MM". Returns where to read the
        PBX's CDRs back from (calls that ended since the figures taken over were kept)."""
        self.state = state
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        saved = await self._saved(day)
        kept_ms = None
        if saved is not None:
            self.today = from_json(saved)
            kept_ms = self._take_over(saved.get("ledger"), state)
        else:
            partial = now_ms - start_ms > FULL_DAY_GRACE_MS
            self.today = Today(day, now_ms if partial else start_ms, partial)
        self.interval = await history.load_interval(day, interval_start(now_ms))
        self.hour = await history.load_hour(day, now_ms)
        await history.prune(datetime.now(UTC))
        return kept_ms

    async def _saved(self, day: str) -> Kept | None:
        raw = await self.leadership.redis.get(TODAY_KEY)
        saved = json.loads(raw) if raw else None
        if saved is None or saved["day"] != day:
            saved = await history.load_day(day)
        return saved if saved is not None and saved["day"] == day else None

    def _take_over(self, data: dict[str, Any] | None, state: LiveState) -> int | None:
        """Restore the predecessor's ledger (JSON of live/ledger.py's making, read there)."""
        if data is None:  # kept by a version without a ledger
            return None
        try:
            self.ledger = restore(state, data)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("Could not take over the counted calls (%r): some may count twice", error)
            return None
        return self.ledger.read_back_ms

    @property
    def recent(self) -> list[Today]:
        """The intervals staffing now reads: the last hour's and the current one."""
        return [*self.hour, self.interval]

    def day_start_ms(self, now_ms: int) -> int:
        return business_day(now_ms, self.zone, self.starts_at)[1]

    def take(self, state: LiveState, now_ms: int) -> set[str]:
        """Count what the reducer recorded, and pause and hold time, into today's figures;
        returns the queues whose figures the records changed."""
        counted = self._count(state, now_ms)
        self.today.agent_day.observe(state, now_ms)
        return counted

    def _count(self, state: LiveState, now_ms: int) -> set[str]:
        counted = {record.queue for record in state.outbox}
        for record in state.outbox:
            self.today.record(record, self.thresholds)
            self.interval.record(record, self.thresholds)
        self.ledger.note(state.outbox, now_ms)
        state.outbox.clear()
        return counted

    async def tick(self, now_ms: int) -> bool:
        """Roll the day and the interval over when due, and write to the database now and
        then; True when a new business day began (every board's figures start from zero)."""
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        new_day = day != self.today.day
        if new_day:
            await self._write("yesterday's figures", history.save_day, self._kept(now_ms))
            self.today = next_day(self.today, day, start_ms)
        if interval_start(now_ms) != self.interval.counting_since_ms:
            await self._write("the interval's figures", history.save_interval, self.interval)
            self.hour = [*self.hour, self.interval][-history.HOUR_INTERVALS :]
            self.interval = Today(day, interval_start(now_ms))
        if new_day or now_ms - self._persisted_ms >= PERSIST_MS:
            await self._persist(now_ms)
        return new_day

    async def _persist(self, now_ms: int) -> None:
        await self.leadership.assert_leading()  # a paused ex-leader must not write history
        saved = await self._write("today's figures", history.save_day, self._kept(now_ms))
        if saved and await self._write("the interval", history.save_interval, self.interval):
            self._persisted_ms = now_ms  # else again at the next tick

    async def _write(
        self, what: str, save: Callable[[Saved], Awaitable[None]], data: Saved
    ) -> bool:
        """A database write that fails (locked, down) must not stop the worker: the boards run
        on Redis, and the next write carries the figures up to then."""
        try:
            await save(data)
        except DatabaseError as error:
            if not self._database_failing:
                log.warning("Could not write %s to the database (%s); retrying", what, error)
            self._database_failing = True
            return False
        if self._database_failing:
            log.info("The database takes today's figures again")
        self._database_failing = False
        return True

    def stored(self) -> dict[str, str]:
        """Today's figures and the ledger as kept in Redis, at most once a second: written with
        a publisher flush, so the figures a board shows and the ones a successor carries on
        from agree (what it counted since, it counts again from REST and the CDRs)."""
        now = now_ms()
        if now - self._stored_ms < STORE_EVERY_MS:
            return {}
        self._stored_ms = now
        return {TODAY_KEY: compact(self._kept(now))}

    def store_with_next_flush(self) -> None:
        self._stored_ms = 0

    def _kept(self, now_ms: int) -> Kept:
        """Today's figures with the ledger beside them, both as of now. A flush can come while
        a REST re-read is half-way: what it recorded so far is counted first, else the ledger
        would hand over as counted what today's figures lack. Who is paused or on hold is not
        observed half-way: a new leader has read no queue's agents yet, and would end their
        pauses (it observes once the resync is over, and after every event)."""
        if self.state is None:
            return {**to_json(self.today), "ledger": None}
        self._count(self.state, now_ms)
        return {**to_json(self.today), "ledger": ledger_json(self.ledger, self.state, now_ms)}

    async def save(self, now_ms: int) -> None:
        """Keep today's figures now (a new day began): the one write of `wb:today` that does not
        ride in a publisher flush, fenced all the same."""
        self._stored_ms = now_ms
        await self.leadership.fenced_set_many({TODAY_KEY: compact(self._kept(now_ms))})
