"""A long report page by page: each page a run of whole periods, at most PAGE_ROWS rows."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from typing import Any

from dashboard.live.today import business_day
from dashboard.reports.aggregate import span

# A page the server renders and a browser lays out in well under a second (docs/performance.md,
# *Reports over 90 days*): 90 days by day of 50 queues still fit on one.
PAGE_ROWS = 5000
STEPS = {"15min": timedelta(minutes=15), "hour": timedelta(hours=1)}
DAYS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    count: int  # of pages
    start: datetime  # when the page's first period begins (UTC)
    end: datetime  # when its last ends
    first: date  # the business days of the page
    last: date


def page_of(chosen: dict[str, Any], number: int, zone: str, day_starts: time) -> Page:
    """Page `number` (kept within the pages there are) of the question `chosen`: as many whole
    periods as fit PAGE_ROWS rows of its queues, or PAGE_ROWS intervals read (an hour adds up
    four: the reading, not the rows, is what costs)."""
    grouping, queues = chosen["grouping"], max(1, len(chosen["queues"]))
    if grouping in STEPS:
        read = queues * (STEPS[grouping] // STEPS["15min"])
        return _timed(chosen, number, max(1, PAGE_ROWS // read), zone, day_starts)
    return _dated(chosen, number, max(1, PAGE_ROWS // queues), zone, day_starts)


def whole(chosen: dict[str, Any], zone: str, day_starts: time) -> Page:
    """The question's whole range as one page (the downloads)."""
    first, last = chosen["date_from"], chosen["date_to"]
    start, end = span(first, last, zone, day_starts)
    return Page(1, 1, start.astimezone(UTC), end.astimezone(UTC), first, last)


def _timed(chosen: dict[str, Any], number: int, per_page: int, zone: str, starts: time) -> Page:
    """15-minute or hour periods: counted in elapsed time, so a change of clocks moves none."""
    step = STEPS[chosen["grouping"]] * per_page
    asked = span(chosen["date_from"], chosen["date_to"], zone, starts)
    start, end = (at.astimezone(UTC) for at in asked)
    count = ceil((end - start) / step)
    number = min(max(1, number), count)
    page_start = start + step * (number - 1)
    page_end = min(end, page_start + step)
    last_ms = page_end - timedelta(milliseconds=1)
    first, last = (_day(at, zone, starts) for at in (page_start, last_ms))
    return Page(number, count, page_start, page_end, first, last)


def _dated(chosen: dict[str, Any], number: int, per_page: int, zone: str, starts: time) -> Page:
    """Days, or weeks from their Monday."""
    first, last = chosen["date_from"], chosen["date_to"]
    unit = timedelta(days=DAYS[chosen["grouping"]]) * per_page
    anchor = first - timedelta(days=first.weekday() if chosen["grouping"] == "week" else 0)
    count = ceil(((last - anchor).days + 1) / unit.days)
    number = min(max(1, number), count)
    page_first = max(first, anchor + unit * (number - 1))
    page_last = min(last, anchor + unit * number - timedelta(days=1))
    start, end = span(page_first, page_last, zone, starts)
    return Page(number, count, start.astimezone(UTC), end.astimezone(UTC), page_first, page_last)


def _day(at: datetime, zone: str, starts: time) -> date:
    return date.fromisoformat(business_day(int(at.timestamp() * 1000), zone, starts)[0])
