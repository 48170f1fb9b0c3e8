"""A business day as its 15-minute intervals, for the intraday chart (docs/design.md#trends):
the slots of a day, the same weekday a week before, and one queue's or several queues' figures
per slot, added up."""

from collections.abc import Collection, Mapping
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.live.intervals import INTERVAL_MS, Key, interval_start
from dashboard.live.today import QueueDay

WEEK = timedelta(days=7)


def shifted(day_start_ms: int, zone: str, by: timedelta) -> int:
    """The same wall-clock time `by` away in the zone (a day is not always 24 h: summer time)."""
    local = datetime.fromtimestamp(day_start_ms / 1000, ZoneInfo(zone))
    moved = (local.replace(tzinfo=None) + by).replace(tzinfo=ZoneInfo(zone))
    return int(moved.timestamp() * 1000)


def day_slots(day_start_ms: int, zone: str) -> list[int]:
    """The starts of the day's intervals, from the one it begins in to the next day's start."""
    end = shifted(day_start_ms, zone, timedelta(days=1))
    return list(range(interval_start(day_start_ms), end, INTERVAL_MS))


def added(days: Collection[QueueDay]) -> QueueDay:
    """Several queues' counters as one (every counter is a count or a sum of times)."""
    names = [field.name for field in fields(QueueDay)]
    return QueueDay(**{name: sum(getattr(day, name) for day in days) for name in names})


def counters_of(kept: Mapping[Key, QueueDay], queues: Collection[str], start: int) -> QueueDay:
    """The queues' counters of the interval starting at `start`; a queue without calls has no
    row, which counts as zeros."""
    return added([kept[(queue, start)] for queue in queues if (queue, start) in kept])


def series(
    kept: Mapping[Key, QueueDay], queues: Collection[str], slots: list[int]
) -> list[dict[str, Any]]:
    """Each slot's start and figures (counters, service level, ASA, AHT) for the queues
    together."""
    return [{"start": start, **counters_of(kept, queues, start).figures()} for start in slots]


def counters_json(
    queues: Mapping[str, Mapping[str, int]], numbers: Collection[str]
) -> dict[str, int]:
    """The queues' counters added up, from today's kept JSON (`today.to_json`'s "queues")."""
    return asdict(added([QueueDay(**queues[number]) for number in numbers if number in queues]))
