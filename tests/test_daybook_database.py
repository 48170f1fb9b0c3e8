"""Today's figures when the database refuses a write: the worker carries on, and catches up."""

from datetime import time

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError

from dashboard.boards.livestore import live_redis
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds
from dashboard.models import DaySnapshot
from dashboard.worker import history
from dashboard.worker.daybook import PERSIST_MS, DayBook
from dashboard.worker.leader import Leadership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]
NOON_MS = 1_795_000_000_000  # any time well inside a business day


async def leading_daybook() -> DayBook:
    leadership = Leadership(live_redis(), "test-worker")
    await leadership.acquire()
    book = DayBook(leadership, "UTC", time(0, 0), Thresholds())
    await book.load(NOON_MS, LiveState())
    return book


async def test_a_locked_database_does_not_stop_the_worker_and_the_next_write_catches_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite said "database is locked" to the worker's periodic save, which killed the worker
    and froze every board (the flaky logout test); a database blip does the same elsewhere."""
    book = await leading_daybook()
    save_day = history.save_day

    async def locked(kept: dict[str, object]) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(history, "save_day", locked)
    assert await book.tick(NOON_MS + PERSIST_MS) is False  # no exception: the worker goes on
    assert not await sync_to_async(DaySnapshot.objects.exists)()
    monkeypatch.setattr(history, "save_day", save_day)
    await book.tick(NOON_MS + PERSIST_MS + 1_000)  # the next tick tries again at once
    saved = await sync_to_async(DaySnapshot.objects.get)()
    assert saved.data["day"] == book.today.day
