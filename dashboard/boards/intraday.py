"""Today's 15-minute intervals of a board's queue (or of all its queues) beside the same weekday
last week: the console's intraday page, and its JSON (docs/design.md#trends)."""

from collections.abc import Collection
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboard.access import board_for_user
from dashboard.boards.snapshot_api import board_for_api
from dashboard.clock import now_ms
from dashboard.live.intervals import INTERVAL_MS, Key, interval_start
from dashboard.live.today import QueueDay, business_day
from dashboard.live.trends import WEEK, counters_json, counters_of, day_slots, series, shifted
from dashboard.models import Board, DaySnapshot, QueueInterval


def chosen_queues(board: Board, queue: str) -> list[str] | None:
    """One of the board's queues, or all of them (""); None for a queue not on the board."""
    if not queue:
        return board.queue_numbers
    return [queue] if queue in board.queue_numbers else None


@login_required
def intraday_page(request: HttpRequest, slug: str) -> HttpResponse:
    board = board_for_user(request.user, slug)
    queue = request.GET.get("queue", "")
    if board is None or chosen_queues(board, queue) is None:
        raise Http404("No such board or queue, or it is not shared with you.")
    return render(request, "dashboard/intraday.html", {"board": board, "queue": queue})


@never_cache
@require_GET
def intraday_api(request: HttpRequest, slug: str) -> JsonResponse:
    """Same access as the snapshot API: the board's viewers, staff, and its TVs."""
    board = board_for_api(request, slug)
    if isinstance(board, JsonResponse):
        return board
    queues = chosen_queues(board, request.GET.get("queue", ""))
    if queues is None:
        return JsonResponse({"error": "No such queue on this board."}, status=404)
    return JsonResponse(intraday(queues, now_ms()))


def intraday(queues: list[str], now: int) -> dict[str, Any]:
    """Today's closed intervals, last week's whole day, and what the page needs to count the
    current interval on from the board's socket (`live`)."""
    zone = settings.TIME_ZONE
    day, start = business_day(now, zone, settings.BUSINESS_DAY_START)
    slots, current = day_slots(start, zone), interval_start(now)
    week_start = shifted(start, zone, -WEEK)
    week_slots = day_slots(week_start, zone)
    kept = stored(queues, slots[0], current + INTERVAL_MS)
    last_week = stored(queues, week_slots[0], week_slots[-1] + INTERVAL_MS)
    return {
        "queues": queues,
        "day": day,
        "start": start,
        "slots": len(slots),
        "interval_ms": INTERVAL_MS,
        "current": current,
        "today": series(kept, queues, [slot for slot in slots if slot < current]),
        "last_week": {
            "day": business_day(week_start, zone, settings.BUSINESS_DAY_START)[0],
            "intervals": series(last_week, queues, week_slots),
        },
        "live": {"interval": asdict(counters_of(kept, queues, current)), **baseline(day, queues)},
    }


def baseline(day: str, queues: Collection[str]) -> dict[str, Any]:
    """Today's counters as the worker last wrote them: the page adds what the board's socket
    counted since (None: nothing written yet today)."""
    row = DaySnapshot.objects.filter(day=day).first()
    if row is None:
        return {"today": None}
    return {"today": counters_json(row.data.get("queues", {}), queues)}


def stored(queues: Collection[str], start_ms: int, end_ms: int) -> dict[Key, QueueDay]:
    """The queues' intervals kept that start within [start_ms, end_ms)."""
    rows = QueueInterval.objects.filter(
        queue__in=list(queues), start__gte=instant(start_ms), start__lt=instant(end_ms)
    )
    return {
        (row.queue, int(row.start.timestamp() * 1000)): QueueDay(**row.counters) for row in rows
    }


def instant(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@never_cache
@require_GET
def trend_strip_api(request: HttpRequest, slug: str) -> JsonResponse:
    """The TV's strip under each queue, when the board shows it: today's closed intervals'
    calls offered and service level, per queue."""
    board = board_for_api(request, slug)
    if isinstance(board, JsonResponse):
        return board
    if not board.tv_trend_strip:
        return JsonResponse({"shown": False})
    return JsonResponse({"shown": True, **strip(board.queue_numbers, now_ms())})


def strip(queues: list[str], now: int) -> dict[str, Any]:
    """Per queue, each closed interval's offered calls and service level; `slots`: the day's."""
    day_start = business_day(now, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[1]
    slots, current = day_slots(day_start, settings.TIME_ZONE), interval_start(now)
    closed = [slot for slot in slots if slot < current]
    kept = stored(queues, slots[0], current)
    return {
        "slots": len(slots),
        "queues": {
            queue: [
                {"offered": interval["offered"], "service_level": interval["service_level"]}
                for interval in series(kept, [queue], closed)
            ]
            for queue in queues
        },
    }
