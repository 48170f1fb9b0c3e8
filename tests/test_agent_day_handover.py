"""An agent's pause and hold carried over by a new leader: kept half-way through its first REST
resync (before it has read any queue's agents), they run on unbroken."""

from datetime import time

import pytest

from dashboard.boards.livestore import live_redis
from dashboard.live.agents import Agent
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds
from dashboard.worker.daybook import DayBook
from dashboard.worker.leader import Leadership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]
NOON_MS = 1_795_000_000_000  # any time well inside a business day
PAUSED_AT = NOON_MS - 600_000


async def test_what_a_successor_keeps_before_it_knows_the_agents_ends_no_pause() -> None:
    leadership = Leadership(live_redis(), "test-worker")
    await leadership.acquire()
    book = DayBook(leadership, "UTC", time(0, 0), Thresholds())
    state = LiveState()
    await book.load(NOON_MS, state)
    book.today.agent_day.paused_since["1001"] = (PAUSED_AT, "Lunch")  # as its predecessor kept
    state.set_queues({"6400": "Sales"})  # the directory read; queue/agent_status not yet

    assert book.stored()  # a flush half-way through the resync keeps today's figures

    state.queues["6400"].agents = {"1001": Agent("1001", paused=True, pause_reason="Lunch")}
    book.take(state, NOON_MS + 5_000)  # the resync is over
    figures = book.today.agent_figures("1001")
    assert figures["running"]["pause"] == {"reason": "Lunch", "since": PAUSED_AT}
    assert figures["pause_ms"] == {}
