"""Each agent's day from the reducer: talk, hold and pause time beside answered and missed."""

from dashboard.live.agentday import AgentsDay, from_json, to_json
from dashboard.live.agents import Agent
from dashboard.live.events import CallEvent, CallMember, PbxEvent
from dashboard.live.queues import apply_call_event
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds, Today, next_day
from dashboard.live.view import queue_data

DAY = "2026-11-26"


def centre() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales", "6401": "Support"})
    live.queues["6400"].agents = {"1001": Agent("1001"), "1002": Agent("1002")}
    live.queues["6401"].agents = {"1001": Agent("1001")}
    return live


def caller(call_id: str, status: str) -> CallMember:
    return CallMember("inbound", f"555{call_id}", f"PJSIP/trunk-t-{call_id}", status, "6400")


def agent(number: str, status: str) -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-0000000a", status, "6400")


class Day:
    """The worker's loop in small: apply an event, count its records, observe who runs what."""

    def __init__(self) -> None:
        self.live, self.today = centre(), Today(DAY, 0)

    def call(self, at_s: int, call_id: str, caller_status: str, *members: CallMember) -> None:
        event = CallEvent(call_id, (caller(call_id, caller_status), *members))
        apply_call_event(self.live, event, at_s * 1000)
        self.take(at_s)

    def event(self, at_s: int, kind: int, msg: dict[str, str]) -> None:
        apply_event(self.live, PbxEvent(kind, msg), at_s * 1000)
        self.take(at_s)

    def take(self, at_s: int) -> None:
        for record in self.live.outbox:
            self.today.record(record, Thresholds())
        self.live.outbox.clear()
        self.today.agent_day.observe(self.live, at_s * 1000)

    def answered(self, at_s: int, call_id: str, number: str = "1001") -> None:
        self.call(at_s - 5, call_id, "ALERT")
        self.call(at_s, call_id, "ANSWERED", agent(number, "ANSWER"))

    def pause(self, at_s: int, reason: str, number: str = "1001") -> None:
        msg = {"queue_number": "6400", "agent_number": number, "status": "Paused", "reason": reason}
        self.event(at_s, 30029, msg)
        self.event(at_s, 30029, {**msg, "queue_number": "6401"})


def test_talk_time_is_the_answered_calls_talk_hold_included_and_a_call_in_progress_runs() -> None:
    day = Day()
    day.answered(10, "1")
    day.call(40, "1", "HOLD", agent("1001", "HOLD"))
    day.call(55, "1", "ANSWERED", agent("1001", "ANSWER"))
    day.call(70, "1", "BYE", agent("1001", "BYE"))
    day.answered(100, "2")
    figures = day.today.agent_figures("1001", [100_000])
    assert (figures["answered"], figures["talk_ms"], figures["hold_ms"]) == (2, 60_000, 15_000)
    assert figures["running"] == {"talk": [100_000], "hold": [], "pause": None, "logged_in": 5_000}


def test_the_board_row_carries_the_agents_running_talk_and_hold() -> None:
    day = Day()
    day.answered(10, "1")
    day.call(30, "1", "HOLD", agent("1001", "HOLD"))
    row = next(a for a in queue_data(day.live, day.today, day.live.queues["6400"], 40_000)["agents"]
               if a["number"] == "1001")  # fmt: skip
    assert (row["today"]["talk_ms"], row["today"]["hold_ms"]) == (0, 0)
    assert row["today"]["running"] == {
        "talk": [10_000],
        "hold": [30_000],
        "pause": None,
        "logged_in": 5_000,
    }
    day.call(45, "1", "ANSWERED", agent("1001", "BYE"))  # the agent hangs up, caller still there
    assert day.today.agent_figures("1001")["talk_ms"] == 35_000
    assert day.today.agent_figures("1001")["hold_ms"] == 15_000
    assert day.today.agent_figures("1001")["running"]["hold"] == []


def test_a_missed_call_and_pauses_by_reason_in_any_queue_count_once() -> None:
    day = Day()
    msg = {"queue_number": "6400", "agent_number": "1001", "caller_number": "5", "call_id": "1.1"}
    day.event(5, 30026, msg)
    day.pause(10, "Lunch")
    day.pause(70, "Break")  # a new reason ends the lunch
    unpause = {"queue_number": "6400", "agent_number": "1001", "status": "Unpaused"}
    day.event(100, 30029, unpause)  # still paused in Support
    day.event(130, 30029, {**unpause, "queue_number": "6401"})
    day.pause(200, "")
    figures = day.today.agent_figures("1001")
    assert (figures["missed"], figures["pause_ms"]) == (1, {"Lunch": 60_000, "Break": 60_000})
    assert figures["running"]["pause"] == {"reason": "(no reason)", "since": 200_000}


def test_a_paused_agent_who_logs_out_is_no_longer_on_pause() -> None:
    day = Day()
    day.live.queues["6401"].agents = {}
    day.pause(10, "Lunch")
    logout = {"queue_number": "6400", "agent_number": "1001", "status": "Logged Out"}
    day.event(40, 30029, logout)
    assert day.today.agent_figures("1001")["pause_ms"] == {"Lunch": 30_000}


def test_logged_in_time_runs_while_the_agent_is_in_any_queue() -> None:
    day = Day()
    status = {"agent_number": "1001", "status": "Logged Out"}
    day.event(10, 30029, {**status, "queue_number": "6400"})  # still in Support
    day.event(40, 30029, {**status, "queue_number": "6401"})
    day.event(100, 30029, {**status, "queue_number": "6400", "status": "Logged In"})
    figures = day.today.agent_figures("1001")
    assert figures["logged_in_ms"] == 30_000  # from the first sight, at 10 s, to 40 s
    assert figures["running"]["logged_in"] == 100_000
    day.today.agent_day.end_running(160_000)
    assert day.today.agent_day.agents["1001"].logged_in_ms == 90_000


def test_each_pause_is_counted_by_its_reason_an_auto_pause_under_none() -> None:
    day = Day()
    day.pause(10, "Lunch")
    day.pause(70, "")  # a new reason: a second pause
    unpause = {"agent_number": "1001", "status": "Unpaused"}
    day.event(80, 30029, {**unpause, "queue_number": "6400"})
    day.event(80, 30029, {**unpause, "queue_number": "6401"})
    day.pause(90, "")
    kept = day.today.agent_day
    assert kept.agents["1001"].pauses == {"Lunch": 1, "(no reason)": 1}
    kept.end_running(100_000)  # the pause still running counts, as a report's day ends it
    assert kept.agents["1001"].pauses == {"Lunch": 1, "(no reason)": 2}


def test_the_agents_day_survives_json_and_a_new_day_keeps_what_runs_from_its_start() -> None:
    day = Day()
    day.answered(10, "1")
    day.call(20, "1", "HOLD", agent("1001", "HOLD"))
    day.pause(30, "Lunch", number="1002")
    day.call(40, "1", "BYE", agent("1001", "BYE"))
    day.answered(50, "2")
    day.call(60, "2", "HOLD", agent("1001", "HOLD"))
    kept = day.today.agent_day
    assert from_json(to_json(kept)) == kept
    tomorrow = next_day(day.today, "2026-11-27", 86_400_000).agent_day
    assert tomorrow.agents == {}
    assert tomorrow.held_since == {"2": (86_400_000, "1001")}
    assert tomorrow.paused_since == {"1002": (86_400_000, "Lunch")}
    assert tomorrow.logged_in_since == {"1001": (86_400_000, ""), "1002": (86_400_000, "")}


def test_a_snapshot_kept_before_talk_and_hold_time_reads_back() -> None:
    older = {"agents": {"1001": {"answered": 2, "missed": 1, "pause_ms": {"Lunch": 5}}},
             "paused_since": {"1001": [7, "Lunch"]}}  # fmt: skip
    day = from_json(older)
    assert day.figures("1001", [], 0)["talk_ms"] == 0
    assert (day.agents["1001"].answered, day.paused_since, day.held_since) == (
        2,
        {"1001": (7, "Lunch")},
        {},
    )
    assert AgentsDay().figures("1009", [], 3)["since"] == 3
