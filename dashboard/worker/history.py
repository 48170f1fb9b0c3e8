"""Today's figures and 15-minute history in the database: survives Redis, kept for 90 days."""

from collections.abc import Collection, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import models, transaction

from dashboard.live.intervals import INTERVAL_MS, Key, interval_start
from dashboard.live.staffing import HOUR_MS
from dashboard.live.today import QueueDay, Today, business_day
from dashboard.live.trends import added
from dashboard.models import DaySnapshot, QueueDayTotal, QueueInterval
from dashboard.reports.aggregate import span

KEEP_DAYS = 90
BATCH = 1000  # rows a statement writes (rebuild_history may write 90 days at once)
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
    start = interval.counting_since_ms
    await replace_intervals({(queue, start): day for queue, day in interval.queues.items()})


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
    """Write these intervals (None: delete the row, a queue without calls has none) and, in the
    same transaction, the totals of the days they fall in."""
    await sync_to_async(_replace_intervals)(intervals)


def _replace_intervals(intervals: Mapping[Key, QueueDay | None]) -> None:
    days: dict[date, set[str]] = {}
    rows = []
    with transaction.atomic():
        for (queue, start_ms), counters in intervals.items():
            if counters is None:
                QueueInterval.objects.filter(queue=queue, start=_instant(start_ms)).delete()
            else:
                rows.append(
                    QueueInterval(queue=queue, start=_instant(start_ms), counters=asdict(counters))
                )
            days.setdefault(_day_of(start_ms), set()).add(queue)
        QueueInterval.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["queue", "start"],
            update_fields=["counters"],
        )
        for day, queues in days.items():
            total_day(QueueInterval, QueueDayTotal, day, queues)


def _day_of(start_ms: int) -> date:
    return date.fromisoformat(
        business_day(start_ms, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[0]
    )


def total_every_day(intervals: type[models.Model], totals: type[models.Model]) -> None:
    """Total every business day that has intervals (the migration adding the totals; seeds)."""
    starts = intervals.objects.aggregate(  # type: ignore[attr-defined]
        first=models.Min("start"), last=models.Max("start")
    )
    if starts["first"] is None:
        return
    day, last = (_day_of(int(starts[end].timestamp() * 1000)) for end in ("first", "last"))
    while day <= last:
        total_day(intervals, totals, day)
        day += timedelta(days=1)


def total_day(
    intervals: type[models.Model],
    totals: type[models.Model],
    day: date,
    queues: Collection[str] | None = None,
) -> None:
    """Write the queues' (None: every queue's) total of business `day`: the sum of its intervals,
    no row where there are none. Models given, so the migration that adds the totals uses it."""
    start, end = span(day, day, settings.TIME_ZONE, settings.BUSINESS_DAY_START)
    kept = intervals.objects.filter(start__gte=start, start__lt=end)  # type: ignore[attr-defined]
    old = totals.objects.filter(day=day)  # type: ignore[attr-defined]
    if queues is not None:
        kept, old = kept.filter(queue__in=queues), old.filter(queue__in=queues)
    summed: dict[str, list[QueueDay]] = {}
    for queue, counters in kept.values_list("queue", "counters"):
        summed.setdefault(queue, []).append(QueueDay(**counters))
    old.exclude(queue__in=summed).delete()
    rows = [
        totals(queue=queue, day=day, start=start, intervals=len(days), counters=asdict(added(days)))
        for queue, days in summed.items()
    ]
    totals.objects.bulk_create(  # type: ignore[attr-defined]
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["queue", "day"],
        update_fields=["start", "intervals", "counters"],
    )


def _instant(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


async def prune(now: datetime) -> None:
    """At the worker's start: forget the business days that ended over 90 days ago (whole days,
    so each day's total stays the sum of its intervals), and total today and yesterday again (a
    worker of a release before the totals may have written their intervals)."""
    today = _day_of(int(now.timestamp() * 1000))
    first_kept = today - timedelta(days=KEEP_DAYS)
    start = span(first_kept, first_kept, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[0]
    await QueueInterval.objects.filter(start__lt=start).adelete()
    await QueueDayTotal.objects.filter(day__lt=first_kept).adelete()
    await DaySnapshot.objects.filter(updated_at__lt=now - timedelta(days=KEEP_DAYS)).adelete()
    for day in (today - timedelta(days=1), today):
        await sync_to_async(total_day)(QueueInterval, QueueDayTotal, day)
