"""A call centre's kept history for `bench.reports`: 15-minute queue rows and agents' days."""

import random
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from dashboard.live.today import QueueDay
from dashboard.models import DaySnapshot, QueueDayTotal, QueueInterval
from dashboard.reports.aggregate import span
from dashboard.worker.history import total_every_day

BATCH = 5000
INTERVALS_PER_DAY = 96
REASONS = ("Lunch", "Training", "Meeting", "")  # "" is the PBX's auto-pause


def queues(count: int) -> list[str]:
    return [str(6400 + n) for n in range(count)]


def busy(slot: int) -> float:
    """Calls offered per 15 minutes at `slot` of the business day: a morning and an afternoon
    peak, a quiet night."""
    hour = slot / 4
    return max(0.0, 12 - 0.6 * (hour - 4) ** 2) + max(0.0, 10 - 0.5 * (hour - 9) ** 2) + 0.5


def counters(rng: random.Random, slot: int) -> QueueDay:
    offered = max(0, round(rng.gauss(busy(slot), 2)))
    answered = round(offered * rng.uniform(0.75, 0.97))
    abandoned = offered - answered
    talk_ms = answered * rng.randint(120_000, 300_000)
    return QueueDay(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=min(abandoned, rng.randint(0, 1)),
        answered_in_sl=round(answered * rng.uniform(0.6, 1.0)),
        abandoned_after_sl=abandoned // 2,
        answered_wait_ms=answered * rng.randint(5_000, 40_000),
        handled=answered,
        talk_ms=talk_ms,
    )


def interval_rows(first: date, days: int, numbers: list[str], seed: int) -> Iterator[QueueInterval]:
    """Every queue's 96 intervals of each business day (a queue is never without a row: the
    biggest the history can be)."""
    rng = random.Random(seed)
    for n in range(days):
        day = first + timedelta(days=n)
        start = span(day, day, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[0]
        for slot in range(INTERVALS_PER_DAY):
            at = start + timedelta(minutes=15 * slot)
            for queue in numbers:
                yield QueueInterval(queue=queue, start=at, counters=asdict(counters(rng, slot)))


def agents_day(rng: random.Random, agents: int) -> dict[str, dict[str, object]]:
    return {
        str(1000 + n): {
            "answered": (answered := rng.randint(20, 80)),
            "missed": rng.randint(0, 5),
            "talk_ms": answered * rng.randint(120_000, 300_000),
            "hold_ms": rng.randint(0, 600_000),
            "pause_ms": {reason: rng.randint(0, 3_600_000) for reason in REASONS},
        }
        for n in range(agents)
    }


def day_snapshot(day: date, numbers: list[str], agents: int, rng: random.Random) -> DaySnapshot:
    """A day as the worker keeps it (`today.to_json`): the queues' totals and every agent's day."""
    start = datetime.combine(day, settings.BUSINESS_DAY_START, ZoneInfo(settings.TIME_ZONE))
    start_ms = int(start.timestamp() * 1000)
    data = {
        "day": day.isoformat(),
        "counting_since_ms": start_ms,
        "partial": False,
        "detail_since_ms": 0,
        "queues": {queue: asdict(counters(rng, 40)) for queue in numbers},
        "agents": agents_day(rng, agents),
        "paused_since": {},
        "held_since": {},
    }
    return DaySnapshot(day=day.isoformat(), data=data)


def seed(last: date, days: int, queue_count: int, agents: int, seed: int = 1) -> int:
    """The history of the `days` business days up to `last`, with its day totals; how many
    interval rows."""
    first = last - timedelta(days=days - 1)
    numbers = queues(queue_count)
    batch: list[QueueInterval] = []
    written = 0
    for row in interval_rows(first, days, numbers, seed):
        batch.append(row)
        if len(batch) == BATCH:
            written += len(QueueInterval.objects.bulk_create(batch))
            batch = []
    written += len(QueueInterval.objects.bulk_create(batch))
    total_every_day(QueueInterval, QueueDayTotal)  # as the migration that adds the totals
    rng = random.Random(seed)
    snapshots = [day_snapshot(first + timedelta(days=n), numbers, agents, rng) for n in range(days)]
    DaySnapshot.objects.bulk_create(snapshots)
    return written
