"""The report's rows from the database: over days, the day totals when they account for every
interval kept; otherwise, and for 15 minutes and hours, the intervals of the page."""

from datetime import date, datetime, time
from typing import Any

from django.conf import settings

from dashboard.live.today import QueueDay
from dashboard.models import QueueDayTotal, QueueInterval
from dashboard.reports.aggregate import Interval, Row, group, intervals_of, span
from dashboard.reports.pages import Page


def report_rows(chosen: dict[str, Any], page: Page) -> list[Row]:
    zone, day_starts = settings.TIME_ZONE, settings.BUSINESS_DAY_START
    queues, grouping = chosen["queues"], chosen["grouping"]
    totals = day_totals(queues, page, zone, day_starts) if grouping in ("day", "week") else None
    if totals is None:
        rows = QueueInterval.objects.filter(
            queue__in=queues, start__gte=page.start, start__lt=page.end
        ).values_list("queue", "start", "counters")
        return group(intervals_of(rows), grouping, zone, day_starts)
    return group(totals, grouping, zone, day_starts)


def day_totals(queues: list[str], page: Page, zone: str, day_starts: time) -> list[Interval] | None:
    """The queues' day totals over the page's days, or None when they cannot be trusted: summed
    under another TIME_ZONE or BUSINESS_DAY_START, or not summing every interval kept (rows
    written by other means than dashboard/worker/history.py)."""
    rows = QueueDayTotal.objects.filter(queue__in=queues, day__gte=page.first, day__lte=page.last)
    starts: dict[date, datetime] = {}
    totals, summed = [], 0
    for queue, day, start, intervals, counters in rows.values_list(
        "queue", "day", "start", "intervals", "counters"
    ):
        if day not in starts:
            starts[day] = span(day, day, zone, day_starts)[0]
        if start != starts[day]:
            return None
        totals.append(Interval(queue, start, QueueDay(**counters)))
        summed += intervals
    kept = QueueInterval.objects.filter(queue__in=queues, start__gte=page.start, start__lt=page.end)
    return totals if kept.count() == summed else None
