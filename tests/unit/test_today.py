"""Today's figures from call outcomes, as defined in docs/design.md#metrics."""

from datetime import time

from dashboard.live.agents import Agent
from dashboard.live.events import CallEvent, CallMember, PbxEvent
from dashboard.live.outcomes import Offered
from dashboard.live.queues import apply_call_event
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds, Today, business_day, from_json, next_day, to_json

THRESHOLDS = Thresholds(service_level_s=20, short_abandon_s=5)


def centre() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales", "6401": "Support"})
    live.queues["6400"].max_wait_s = 120
    live.queues["6400"].failover = "6401"  # overflow: a caller moved there timed out
    live.queues["6400"].agents = {"1001": Agent("1001"), "1002": Agent("1002")}
    return live


def caller(call_id: str, status: str, path: str = "6400") -> CallMember:
    return CallMember("inbound", f"555{call_id}", f"PJSIP/trunk-t-{call_id}", status, path)


def agent(number: str, status: str, path: str = "6400") -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-0000000a", status, path)


def play(
    live: LiveState, today: Today, call_id: str, steps: list[tuple[int, tuple[CallMember, ...]]]
) -> None:
    for at_s, members in steps:
        apply_call_event(live, CallEvent(call_id, members), at_s * 1000)
    for record in live.outbox:
        today.record(record, THRESHOLDS)
    live.outbox.clear()


def test_each_queue_call_ends_in_exactly_one_outcome_with_its_figures() -> None:
    live, today = centre(), Today("2026-11-26", 0)
    # answered after 10 s by 1001, talked 60 s
    play(live, today, "1", [
        (0, (caller("1", "ALERT"),)),
        (8, (caller("1", "ALERT"), agent("1001", "RING"))),
        (10, (caller("1", "ANSWERED"), agent("1001", "ANSWER"))),
        (70, (caller("1", "BYE"), agent("1001", "BYE"))),
    ])  # fmt: skip
    # answered after 30 s (outside the service level) by 1002, talked 30 s
    play(live, today, "2", [
        (0, (caller("2", "ALERT"),)),
        (30, (caller("2", "ANSWERED"), agent("1002", "ANSWER"))),
        (60, (caller("2", "ANSWERED"), agent("1002", "BYE"))),
    ])  # fmt: skip
    play(
        live, today, "3", [(0, (caller("3", "ALERT"),)), (3, (caller("3", "BYE"),))]
    )  # short abandon
    play(live, today, "4", [(0, (caller("4", "ALERT"),)), (45, (caller("4", "BYE"),))])  # abandon
    play(
        live, today, "5", [(0, (caller("5", "ALERT"),)), (50, (caller("5", "ALERT", "6400-6401"),))]
    )
    play(
        live, today, "6", [(0, (caller("6", "ALERT"),)), (20, (caller("6", "ALERT", "6400-8000"),))]
    )
    figures = today.queues["6400"].figures()
    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (6, 2, 1)
    assert (figures["short_abandoned"], figures["timed_out"], figures["transferred"]) == (1, 1, 1)
    # answered within 20 s ÷ (answered + abandoned after 20 s) = 1 ÷ (2 + 1)
    assert figures["service_level"] == 33.3
    assert (figures["asa_s"], figures["aht_s"]) == (20, 45)
    assert today.queues["6401"].offered == 1
    assert (today.agent_figures("1001")["answered"], today.agent_figures("1002")["answered"]) == (
        1,
        1,
    )


def test_a_call_reaching_the_maximum_wait_times_out() -> None:
    live, today = centre(), Today("2026-11-26", 0)
    play(
        live,
        today,
        "7",
        [(0, (caller("7", "ALERT"),)), (120, (caller("7", "ALERT", "6400-9000"),))],
    )
    assert today.queues["6400"].timed_out == 1


def test_ring_timeouts_count_as_missed_for_the_agent() -> None:
    live, today = centre(), Today("2026-11-26", 0)
    msg = {
        "queue_number": "6400",
        "agent_number": "1001",
        "caller_number": "5503301",
        "call_id": "1.1",
    }
    assert apply_event(live, PbxEvent(30026, msg), 1000).changed == {"6400"}
    for record in live.outbox:
        today.record(record, THRESHOLDS)
    assert today.agent_figures("1001")["missed"] == 1


def test_pause_time_accumulates_per_agent_and_reason_and_says_when_a_pause_runs_since() -> None:
    live, today = centre(), Today("2026-11-26", 0)
    sales = live.queues["6400"].agents["1001"]
    sales.paused, sales.pause_reason = True, "Lunch"
    today.agent_day.observe(live, 10_000)
    sales.pause_reason = "Break"
    today.agent_day.observe(live, 70_000)
    sales.paused = False
    today.agent_day.observe(live, 100_000)
    assert today.agent_figures("1001")["pause_ms"] == {"Lunch": 60_000, "Break": 30_000}
    sales.paused, sales.pause_reason = True, "Lunch"
    today.agent_day.observe(live, 200_000)
    figures = today.agent_figures("1001")
    assert figures["pause_ms"]["Lunch"] == 60_000
    assert figures["running"]["pause"] == {"reason": "Lunch", "since": 200_000}


def test_the_business_day_follows_the_pbx_time_zone_and_start() -> None:
    # 2026-11-26 17:30 UTC is 00:30 on the 27th in Bangkok (UTC+7)
    now_ms = 1_795_714_200_000
    assert business_day(now_ms, "Asia/Bangkok", time(0, 0))[0] == "2026-11-27"
    assert business_day(now_ms, "Asia/Bangkok", time(6, 0))[0] == "2026-11-26"
    day, start_ms = business_day(now_ms, "UTC", time(0, 0))
    assert (day, start_ms) == ("2026-11-26", 1_795_651_200_000)


def test_a_new_day_starts_from_zero_and_keeps_running_pauses() -> None:
    live, today = centre(), Today("2026-11-26", 0)
    live.queues["6400"].agents["1001"].paused = True
    today.agent_day.observe(live, 1000)
    today.record(Offered("6400", "1.9"), THRESHOLDS)
    tomorrow = next_day(today, "2026-11-27", 86_400_000)
    assert tomorrow.queues == {}
    assert tomorrow.agent_day.paused_since == {"1001": (86_400_000, "(no reason)")}


def test_todays_figures_survive_a_round_trip_through_json() -> None:
    live, today = centre(), Today("2026-11-26", 5, partial=True)
    play(live, today, "1", [(0, (caller("1", "ALERT"),)), (3, (caller("1", "BYE"),))])
    live.queues["6400"].agents["1002"].paused = True
    today.agent_day.observe(live, 9000)
    assert from_json(to_json(today)) == today
