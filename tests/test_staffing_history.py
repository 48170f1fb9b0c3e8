"""Staffing now survives a restart: a new worker reads the last hour's intervals back from the
database, and rolling into a new interval keeps the hour (docs/design.md#staffing-now)."""

from datetime import time

import pytest

from dashboard.boards.livestore import live_redis
from dashboard.live.intervals import INTERVAL_MS, interval_start
from dashboard.live.staffing import last_hour
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds, Today
from dashboard.worker import history
from dashboard.worker.daybook import DayBook
from dashboard.worker.leader import Leadership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]
NOW_MS = interval_start(1_795_000_000_000) + 5 * 60_000  # 5 minutes into an interval


async def book_at(now_ms: int) -> DayBook:
    leadership = Leadership(live_redis(), "test-worker")
    await leadership.acquire()
    book = DayBook(leadership, "UTC", time(0, 0), Thresholds())
    await book.load(now_ms, LiveState())
    return book


async def test_a_restarted_worker_carries_on_with_the_last_hour() -> None:
    current = interval_start(NOW_MS)
    for n in range(1, 6):  # the 5th before began 80 minutes ago: outside the hour
        kept = Today("2026-11-18", current - n * INTERVAL_MS)
        kept.queues["6400"] = QueueDay(offered=10, handled=10, talk_ms=600_000)
        await history.save_interval(kept)
    book = await book_at(NOW_MS)
    hour = last_hour(book.recent, "6400", NOW_MS)
    assert hour.offered == pytest.approx(10 + 10 + 10 + 10 * 10 / 15)  # the 4th: 10 of 15 min
    await book.tick(current + INTERVAL_MS)  # the next interval: the hour moves on
    assert [i.counting_since_ms for i in book.recent] == [
        current - n * INTERVAL_MS for n in (3, 2, 1, 0, -1)
    ]
