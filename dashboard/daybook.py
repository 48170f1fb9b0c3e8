"""Today's figures kept by the worker: fed from the reducer, rolled over at the business day's
start, and kept in Redis (fenced) so that a worker restart loses nothing."""

import json
import logging
from datetime import time

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


class DayBook:
    def __init__(
        self, leadership: Leadership, zone: str, day_starts: time, thresholds: Thresholds
    ) -> None:
        self.leadership = leadership
        self.zone = zone
        self.starts_at = day_starts
        self.thresholds = thresholds
        self.today = Today("", 0)

    async def load(self, now_ms: int) -> None:
        """Carry on with today's figures if a previous worker kept them; else start counting."""
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        raw = await self.leadership.redis.get(TODAY_KEY)
        saved = from_json(json.loads(raw)) if raw else None
        if saved is not None and saved.day == day:
            self.today = saved
            return
        partial = now_ms - start_ms > FULL_DAY_GRACE_MS
        self.today = Today(day, now_ms if partial else start_ms, partial)
        if partial:
            log.info("Counting today's figures from now on: the boards say 'since' when")

    def take(self, state: LiveState, now_ms: int) -> None:
        """Count what the reducer recorded, and pause time, into today's figures."""
        for record in state.outbox:
            self.today.record(record, self.thresholds)
        state.outbox.clear()
        self.today.observe_pauses(state, now_ms)

    def roll_over(self, now_ms: int) -> bool:
        """At the business day's start, begin a new day (a whole one); True if it did."""
        day, start_ms = business_day(now_ms, self.zone, self.starts_at)
        if day == self.today.day:
            return False
        self.today = next_day(self.today, day, start_ms)
        return True

    async def save(self) -> None:
        await self.leadership.fenced_set(TODAY_KEY, compact(to_json(self.today)))
