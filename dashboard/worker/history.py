"""Today's figures and 15-minute history in the database: survives Redis, kept for 90 days."""

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.live.today import QueueDay, Today
from dashboard.models import DaySnapshot, QueueInterval

INTERVAL_MS = 15 * 60 * 1000
KEEP_DAYS = 90


def interval_start(now_ms: int) -> int:
    return now_ms - now_ms % INTERVAL_MS


async def load_day(day: str) -> dict[str, Any] | None:
    """The day's figures as kept (`today.to_json`, with the worker's ledger beside them)."""
    row = await DaySnapshot.objects.filter(day=day).afirst()
    return dict(row.data) if row else None


async def save_day(kept: dict[str, Any]) -> None:
    """`kept`: a day's figures (`today.to_json`) with the worker's ledger beside them."""
    await DaySnapshot.objects.aupdate_or_create(day=kept["day"], defaults={"data": kept})


async def save_interval(interval: Today) -> None:
    """`interval` counts one 15-minute interval (its counting_since_ms is the start)."""
    start = datetime.fromtimestamp(interval.counting_since_ms / 1000, UTC)
    for queue, counters in interval.queues.items():
        await QueueInterval.objects.aupdate_or_create(
            queue=queue, start=start, defaults={"counters": asdict(counters)}
        )


async def load_interval(day: str, start_ms: int) -> Today:
    """The interval's counters so far (a restarted worker carries on adding to them)."""
    interval = Today(day, start_ms)
    start = datetime.fromtimestamp(start_ms / 1000, UTC)
    async for row in QueueInterval.objects.filter(start=start):
        interval.queues[row.queue] = QueueDay(**row.counters)
    return interval


async def prune(now: datetime) -> None:
    await QueueInterval.objects.filter(start__lt=now - timedelta(days=KEEP_DAYS)).adelete()
    await DaySnapshot.objects.filter(updated_at__lt=now - timedelta(days=KEEP_DAYS)).adelete()
