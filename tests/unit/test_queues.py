"""The waiting-callers reducer: events and REST answers to who waits in which queue."""

from dashboard.live.call import QueueCall
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.state import LiveState
from dashboard.live.today import Today
from dashboard.live.view import queue_data


def state() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales", "6401": "Support"})
    return live


def waiting(live: LiveState, queue: str) -> dict[str, QueueCall]:
    return {call.call_id: call for call in live.calls.waiting_in(queue)}


def call(call_id: str, *members: CallMember) -> CallEvent:
    return CallEvent(call_id, members)


def caller(status: str, path: str = "6400", number: str = "5550001") -> CallMember:
    return CallMember("inbound", number, "PJSIP/trunk-t-00000001", status, path)


def agent(status: str, path: str = "6400") -> CallMember:
    return CallMember("extension", "1001", "PJSIP/1001-00000002", status, path)


def test_it_counts_a_caller_entering_a_queue_with_the_time_seen() -> None:
    live = state()
    assert apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000) == {"6400"}
    assert queue_data(live, Today("2026-11-26", 0), live.queues["6400"], 5000)["waiting"] == [
        {"call_id": "1.1", "caller": "5550001", "since": 5000, "ringing": False}
    ]


def test_a_caller_ringing_an_agent_still_waits_and_shows_ringing() -> None:
    """docs/design.md#metrics: every caller not yet answered waits, those ringing included."""
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000)
    assert apply_call_event(live, call("1.1", caller("ALERT"), agent("RING")), 9000) == {"6400"}
    assert (waiting(live, "6400")["1.1"].since_ms, waiting(live, "6400")["1.1"].ringing) == (
        5000, True)  # fmt: skip
    figures = queue_data(live, Today("2026-11-26", 0), live.queues["6400"], 9000)["figures"]
    assert (figures["waiting"], figures["waiting_ringing"]) == (1, 1)
    apply_call_event(live, call("1.1", caller("ALERT")), 29_000)  # rang out: waits on
    assert (waiting(live, "6400")["1.1"].since_ms, waiting(live, "6400")["1.1"].ringing) == (
        5000, False)  # fmt: skip


def test_it_removes_a_caller_once_answered() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000)
    changed = apply_call_event(live, call("1.1", caller("ANSWERED"), agent("ANSWER")), 9000)
    assert changed == {"6400"}
    assert waiting(live, "6400") == {}


def test_it_removes_a_caller_who_hangs_up_while_waiting() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000)
    assert apply_call_event(live, call("1.1", caller("BYE")), 7000) == {"6400"}
    assert waiting(live, "6400") == {}


def test_it_follows_a_caller_who_overflows_to_another_queue() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT", "6400")), now_ms=5000)
    changed = apply_call_event(live, call("1.1", caller("ALERT", "6400-6401")), 8000)
    assert changed == {"6400", "6401"}
    assert "1.1" in waiting(live, "6401")
    assert waiting(live, "6400") == {}


def test_it_ignores_calls_that_never_touch_a_known_queue() -> None:
    live = state()
    assert apply_call_event(live, call("1.1", caller("ALERT", "")), 5000) == set()
    assert apply_call_event(live, call("1.2", caller("ALERT", "6500")), 5000) == set()


def test_it_counts_an_internal_caller_dialling_a_queue() -> None:
    live = state()
    member = CallMember("extension", "1005", "PJSIP/1005-0000000a", "ALERT", "6401")
    assert apply_call_event(live, call("1.1", member), 5000) == {"6401"}
    assert waiting(live, "6401")["1.1"].caller == "1005"


def test_rest_waiting_list_replaces_the_set_and_dates_newcomers_by_duration() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000)
    apply_call_event(live, call("1.2", caller("ALERT", number="5550002")), now_ms=6000)
    entries = [
        {"call_id": "1.2", "caller_number": "5550002", "duration": 30},
        {"call_id": "1.3", "caller_number": "5550003", "duration": 12},
    ]
    assert load_waiting(live, live.queues["6400"], entries, now_ms=20_000) is True
    listed = waiting(live, "6400")
    assert sorted(listed) == ["1.2", "1.3"]
    assert listed["1.2"].since_ms == 6000
    assert listed["1.3"].since_ms == 8000
    assert load_waiting(live, live.queues["6400"], entries, now_ms=21_000) is False


def test_queue_list_changes_keep_waiting_callers_and_report_renames() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), now_ms=5000)
    assert live.set_queues({"6400": "Sales EN", "6402": "Billing"}) == {"6400", "6401", "6402"}
    assert "1.1" in waiting(live, "6400")
    assert "6401" not in live.queues


# The GUESS alternatives of docs/yeastar-api.md §4.1 that pbxsim can emit: the reducer reads each.


def test_a_caller_answered_by_the_queue_itself_still_waits() -> None:
    """`answered` shape: the caller's leg is ANSWERED from arrival (the queue plays music)."""
    live = state()
    assert apply_call_event(live, call("1.1", caller("ANSWERED")), 5000) == {"6400"}
    apply_call_event(live, call("1.1", caller("ANSWERED"), agent("RING")), 6000)
    assert "1.1" in waiting(live, "6400")
    apply_call_event(live, call("1.1", caller("ANSWERED"), agent("ANSWER")), 7000)
    assert waiting(live, "6400") == {}
    apply_call_event(live, call("1.2", caller("ANSWERED")), 8000)
    apply_call_event(live, call("1.2", caller("BYE")), 9000)
    assert waiting(live, "6400") == {}


def test_the_queue_as_a_ringing_member_is_not_an_agent() -> None:
    """`queue_member` shape: the queue itself appears as an extension member while nobody rings."""
    live = state()
    queue_leg = CallMember("extension", "6400", "", "RING", "6400")
    assert apply_call_event(live, call("1.1", caller("ALERT"), queue_leg), 5000) == {"6400"}
    assert "1.1" in waiting(live, "6400")


def test_a_caller_reaching_the_queue_through_an_ivr_waits_from_then() -> None:
    """`ivr_then_queue` ("6500" then "6400") and `ivr_dash_queue` ("6500-6400")."""
    live = state()
    assert apply_call_event(live, call("1.1", caller("ALERT", "6500")), 4000) == set()
    assert apply_call_event(live, call("1.1", caller("ALERT", "6400")), 5000) == {"6400"}
    assert waiting(live, "6400")["1.1"].since_ms == 5000
    assert apply_call_event(live, call("1.2", caller("ALERT", "6500-6400")), 6000) == {"6400"}


def test_an_internal_caller_whose_leg_reads_answered_waits() -> None:
    live = state()
    member = CallMember("extension", "1005", "PJSIP/1005-0000000a", "ANSWERED", "6401")
    assert apply_call_event(live, call("1.1", member), 5000) == {"6401"}


# REST answers may run ahead of the events still in flight; counting must not suffer for it.


def outcomes(live: LiveState) -> list[tuple[str, str]]:
    return [(type(r).__name__, getattr(r, "outcome", "")) for r in live.outbox]


def test_a_caller_rest_shows_before_its_events_is_offered_once() -> None:
    live = state()
    entry = {"call_id": "1.1", "caller_number": "5550001", "duration": 2}
    load_waiting(live, live.queues["6400"], [entry], now_ms=10_000)
    apply_call_event(live, call("1.1", caller("ALERT")), 10_500)
    apply_call_event(live, call("1.1", caller("ANSWERED"), agent("ANSWER")), 12_000)
    assert outcomes(live) == [("Offered", ""), ("Settled", "answered")]
    assert live.outbox[-1].wait_ms == 4000  # type: ignore[union-attr]


def test_a_caller_rest_removed_early_is_settled_by_its_late_events() -> None:
    live = state()
    apply_call_event(live, call("1.1", caller("ALERT")), 10_000)
    load_waiting(live, live.queues["6400"], [], now_ms=11_000)  # REST already sees it answered
    apply_call_event(live, call("1.1", caller("ALERT"), agent("RING")), 11_100)
    apply_call_event(live, call("1.1", caller("ANSWERED"), agent("ANSWER")), 11_200)
    assert outcomes(live) == [("Offered", ""), ("Settled", "answered")]
    assert live.outbox[-1].wait_ms == 1200  # type: ignore[union-attr]
    assert waiting(live, "6400") == {}
