"""Today's figures and 15-minute history in the database: survives Redis, kept for 90 days."""

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.live.intervals import INTERVAL_MS, Key, interval_start
from dashboard.live.staffing import HOUR_MS
from dashboard.live.today import QueueDay, Today
from dashboard.models import DaySnapshot, QueueInterval

KEEP_DAYS = 90
# The intervals before the current one that staffing now reads (docs/design.md#staffing-now).
HOUR_INTERVALS = HOUR_MS // INTERVAL_MS


async def load_day(day: str) -> dict[str, Any] | None:
    """The day's figures as kept (`today.to_json`, with the worker's ledger beside them)."""
    row = await DaySnapshot.objects.filter(day=day).afirst()
    return dict(row.data) if row else None


async def save_day(kept: dict[str, Any]) -> None:
    """`kept`: a day's figures (`today.to_json`) with the worker's ledger beside them."""
    await DaySnapshot.objects.aupdate_or_create(day=kept["day"], defaults={"data": kept})


async def save_interval(interval: Today) -> None:
    """`interval` counts one 15-minute interval (its counting_since_ms is the start)."""
    start = _instant(interval.counting_since_ms)
    for queue, counters in interval.queues.items():
        await QueueInterval.objects.aupdate_or_create(
            queue=queue, start=start, defaults={"counters": asdict(counters)}
        )


async def load_interval(day: str, start_ms: int) -> Today:
    """The interval's counters so far (a restarted worker carries on adding to them)."""
    interval = Today(day, start_ms)
    async for row in QueueInterval.objects.filter(start=_instant(start_ms)):
        interval.queues[row.queue] = QueueDay(**row.counters)
    return interval


async def load_hour(day: str, now_ms: int) -> list[Today]:
    """The intervals of the hour before the current one, oldest first, as kept: a restarted or
    new leader's staffing figures carry on from them."""
    current = interval_start(now_ms)
    starts = [current - n * INTERVAL_MS for n in range(HOUR_INTERVALS, 0, -1)]
    return [await load_interval(day, start) for start in starts]


async def load_span(start_ms: int, end_ms: int) -> dict[Key, QueueDay]:
    """Every queue's intervals kept that start within [start_ms, end_ms)."""
    rows = QueueInterval.objects.filter(start__gte=_instant(start_ms), start__lt=_instant(end_ms))
    return {(row.queue, _ms(row.start)): QueueDay(**row.counters) async for row in rows}


async def replace_intervals(intervals: Mapping[Key, QueueDay | None]) -> None:
    """Write these intervals (None: delete the row, a queue without calls has none)."""
    for (queue, start_ms), counters in intervals.items():
        rows = QueueInterval.objects.filter(queue=queue, start=_instant(start_ms))
        if counters is None:
            await rows.adelete()
        else:
            await QueueInterval.objects.aupdate_or_create(
                queue=queue, start=_instant(start_ms), defaults={"counters": asdict(counters)}
            )


def _instant(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


async def prune(now: datetime) -> None:
    await QueueInterval.objects.filter(start__lt=now - timedelta(days=KEEP_DAYS)).adelete()
    await DaySnapshot.objects.filter(updated_at__lt=now - timedelta(days=KEEP_DAYS)).adelete()
