"""Report rows from the 15-minute history, grouped by period in the installation's time zone."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from dashboard.live.today import QueueDay, business_day
from dashboard.live.trends import added

Grouping = Literal["15min", "hour", "day", "week"]
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)
# Every figure a row shows, in order: the board's counters and its ratios (QueueDay.figures).
FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "transferred",
    "service_level",
    "asa_s",
    "aht_s",
    "handled",
    "talk_s",
)
Period = datetime | date


@dataclass(frozen=True)
class Interval:
    """One queue's 15-minute row as kept (QueueInterval)."""

    queue: str
    start: datetime  # aware
    counters: QueueDay


@dataclass(frozen=True)
class Row:
    period: Period  # a local start time (15 min, hour), or a business day (the week's Monday)
    queue: str
    figures: dict[str, Any]


def period_of(start: datetime, grouping: Grouping, zone: str, day_starts: time) -> Period:
    """The period an interval starting at `start` falls in; days are business days."""
    local = start.astimezone(ZoneInfo(zone))
    if grouping == "15min":
        return local
    if grouping == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = date.fromisoformat(business_day(int(start.timestamp() * 1000), zone, day_starts)[0])
    return day if grouping == "day" else day - timedelta(days=day.weekday())


def group(
    intervals: Iterable[Interval], grouping: Grouping, zone: str, day_starts: time
) -> list[Row]:
    """Counters summed per period and queue; ratios from the sums (never averaged), as the board
    computes them for the day."""
    grouped: dict[tuple[Period, str], list[QueueDay]] = {}
    for interval in intervals:
        key = (period_of(interval.start, grouping, zone, day_starts), interval.queue)
        grouped.setdefault(key, []).append(interval.counters)
    return [
        Row(period, queue, shown(_sum(grouped[period, queue]))) for period, queue in sorted(grouped)
    ]


def _sum(counters: list[QueueDay]) -> QueueDay:
    """A lone interval (by 15 minutes; a day's total) as it is: copies of 5,000 cost 0.1 s."""
    return counters[0] if len(counters) == 1 else added(counters)


def shown(counters: QueueDay) -> dict[str, Any]:
    """The row's figures: the board's, with talk time in whole seconds."""
    figures = counters.figures()
    figures["talk_s"] = round(counters.talk_ms / 1000)
    return {name: figures[name] for name in FIGURES}


def intervals_of(rows: Iterable[tuple[str, datetime, dict[str, Any]]]) -> list[Interval]:
    """Intervals from the database's (queue, start, counters) rows."""
    return [Interval(queue, start, QueueDay(**counters)) for queue, start, counters in rows]


def span(first: date, last: date, zone: str, day_starts: time) -> tuple[datetime, datetime]:
    """From the start of business day `first` to the start of the day after `last` (aware)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, day_starts, tz)
    return start, datetime.combine(last + timedelta(days=1), day_starts, tz)
