"""Staffing now in a queue's data: the last hour's arrivals and handle time from the 15-minute
intervals, Erlang C against the agents staffed (docs/design.md#staffing-now)."""

from dashboard.live.agents import Agent
from dashboard.live.erlang import expected_wait_s, service_level
from dashboard.live.intervals import INTERVAL_MS
from dashboard.live.staffing import last_hour
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds, Today
from dashboard.live.view import queue_data

NOW_MS = 1_795_000_000_000 - 1_795_000_000_000 % INTERVAL_MS + 5 * 60_000  # 5 min into one
THRESHOLDS = Thresholds(service_level_s=20)


def interval(start_ms: int, offered: int, handled: int, talk_s: int) -> Today:
    day = Today("2026-11-18", start_ms)
    day.queues["6400"] = QueueDay(offered=offered, handled=handled, talk_ms=talk_s * 1000)
    return day


def hour_of(calls_per_interval: list[int], talk_s: int) -> list[Today]:
    """Intervals oldest first, the last the current one; each call talked `talk_s`."""
    current = NOW_MS - NOW_MS % INTERVAL_MS
    count = len(calls_per_interval)
    return [
        interval(current - (count - 1 - n) * INTERVAL_MS, calls, calls, calls * talk_s)
        for n, calls in enumerate(calls_per_interval)
    ]


def centre(agents: dict[str, Agent], wrap_up_s: int = 0) -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales"})
    live.queues["6400"].agents = agents
    live.queues["6400"].wrap_up_s = wrap_up_s
    return live


def data(live: LiveState, recent: list[Today]) -> dict[str, object]:
    return queue_data(live, Today("2026-11-18", 0), live.queues["6400"], NOW_MS, recent, THRESHOLDS)


def test_two_hundred_calls_an_hour_of_three_minutes_need_fourteen_agents() -> None:
    """The published example of tests/unit/test_erlang.py as a board receives it: 200 calls in
    the last hour (the interval before the hour counts for the 10 of its 15 minutes inside
    it), 180 s each, 80 % within 20 s; 12 agents staffed, one of them paused (not staffed)."""
    recent = hour_of([30, 50, 50, 50, 30], talk_s=180)  # 30 x 10/15 + 150 + 30 = 200
    agents = {f"10{n:02d}": Agent(f"10{n:02d}", call_status="talking") for n in range(11)}
    agents["1099"] = Agent("1099", paused=True)
    agents["1098"] = Agent("1098")  # free
    staffing = data(centre(agents), recent)["staffing"]
    assert isinstance(staffing, dict)
    assert staffing["arrivals_per_h"] == 200
    assert staffing["aht_s"] == 180
    assert staffing["erlangs"] == 10
    assert staffing["staffed"] == 12
    levels = {row["agents"]: row["service_level"] for row in staffing["service_levels"]}
    assert levels[14] == 88.8  # 88.835 %, rounded down
    assert levels[13] < 80  # so a board whose target is 80 % reads "needs 14"
    assert min(levels) == 11  # the fewest that keep up with 10 Erlangs
    assert staffing["expected_wait_s"] == round(expected_wait_s(12, 10.0, 180) or 0)  # 12 staffed


def test_wrap_up_is_work_time_and_too_few_agents_have_no_expected_wait() -> None:
    """3 calls a minute of 20 s talk and the queue's 40 s wrap-up: 3 Erlangs; 3 agents staffed
    cannot keep up, so no caller's wait settles."""
    recent = hour_of([0, 45, 45, 45, 45], talk_s=20)
    staffing = data(centre({n: Agent(n) for n in ("1", "2", "3")}, wrap_up_s=40), recent)[
        "staffing"
    ]
    assert isinstance(staffing, dict)
    assert (staffing["erlangs"], staffing["wrap_up_s"]) == (3, 40)
    assert staffing["expected_wait_s"] is None
    assert staffing["service_levels"][0] == {
        "agents": 4,
        "service_level": int(1000 * service_level(4, 3.0, 60, 20)) / 10,
    }


def test_no_staffing_without_a_call_offered_and_one_handled_in_the_last_hour() -> None:
    live = centre({"1001": Agent("1001")})
    assert data(live, [])["staffing"] is None
    waiting_only = hour_of([0, 0, 0, 0, 3], talk_s=0)
    waiting_only[-1].queues["6400"].handled = 0
    assert data(live, waiting_only)["staffing"] is None
    # Calls of more than an hour ago are not the last hour's.
    old = hour_of([40, 0, 0, 0, 0, 0, 0], talk_s=100)
    assert data(live, old)["staffing"] is None


def test_the_interval_that_began_before_the_hour_counts_pro_rata() -> None:
    recent = hour_of([15, 0, 0, 0, 0], talk_s=60)  # began 65 min ago: 10 of its 15 min inside
    hour = last_hour(recent, "6400", NOW_MS)
    assert hour.offered == 10
    assert hour.talk_ms / hour.handled == 60_000
