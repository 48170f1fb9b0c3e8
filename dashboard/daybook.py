"""Today's figures kept by the worker: fed from the reducer, rolled over at the business day's
start, kept in Redis (fenced) and the database so that no restart loses them, and written as
15-minute history."""

import json
import logging
from datetime import UTC, datetime, time

from dashboard import history
from dashboard.leader import Leadership
from dashboard.live.state import LiveState
from dashboard.live.today import (
    Thresholds,
    Today,
    business_day,
    from_json,
    next_day,
    to_json,
)
from dashboard.publish import compact

log = logging.getLogger(__name__)

TODAY_KEY = "wb:today"
# A worker starting this soon after the day began has not missed anything worth a label.
FULL_DAY_GRACE_MS = 60_000
# How often today's figures and the current interval are written to the database.
PERSIST_MS = 10_000


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
        self._persisted_ms = 0

    async def load(self, now_ms: int) -> None:
        """Carry on with today's figures if a previous worker kept them (in Redis, else in the
        database); else start counting from now, which the boards show as "since HH:MM"."""
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        raw = await self.leadership.redis.get(TODAY_KEY)
        saved = from_json(json.loads(raw)) if raw else None
        if saved is None or saved.day != day:
            saved = await history.load_day(day)
        if saved is not None and saved.day == day:
            self.today = saved
        else:
            partial = now_ms - start_ms > FULL_DAY_GRACE_MS
            self.today = Today(day, now_ms if partial else start_ms, partial)
        self.interval = await history.load_interval(day, history.interval_start(now_ms))
        await history.prune(datetime.now(UTC))

    def day_start_ms(self, now_ms: int) -> int:
        return business_day(now_ms, self.zone, self.starts_at)[1]

    def take(self, state: LiveState, now_ms: int) -> None:
        """Count what the reducer recorded, and pause time, into today's figures."""
        for record in state.outbox:
            self.today.record(record, self.thresholds)
            self.interval.record(record, self.thresholds)
        state.outbox.clear()
        self.today.observe_pauses(state, now_ms)

    async def tick(self, now_ms: int) -> bool:
        """Roll the day and the interval over when due, and write to the database now and
        then; True when a new business day began (every board's figures start from zero)."""
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        new_day = day != self.today.day
        if new_day:
            await history.save_day(self.today)
            self.today = next_day(self.today, day, start_ms)
        if history.interval_start(now_ms) != self.interval.counting_since_ms:
            await history.save_interval(self.interval)
            self.interval = Today(day, history.interval_start(now_ms))
        if new_day or now_ms - self._persisted_ms >= PERSIST_MS:
            await self._persist(now_ms)
        return new_day

    async def _persist(self, now_ms: int) -> None:
        await self.leadership.assert_leading()  # a paused ex-leader must not write history
        await history.save_day(self.today)
        await history.save_interval(self.interval)
        self._persisted_ms = now_ms

    def stored(self) -> dict[str, str]:
        """Today's figures as kept in Redis: written with every publisher flush, so the figures
        a board shows and the ones a restarted worker carries on from are the same."""
        return {TODAY_KEY: compact(to_json(self.today))}

    async def save(self) -> None:
        await self.leadership.fenced_set_many(self.stored())
