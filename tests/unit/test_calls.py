"""Live answered calls on the board, and REST's word on live calls (`queue/call_status` active
lists, `call/query`) correcting ghosts and phones."""

from dashboard.live.agents import Agent, Extension
from dashboard.live.calls import load_active, reconcile_calls
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.outcomes import Handled, Settled
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.state import LiveState
from dashboard.live.today import Today
from dashboard.live.view import queue_data
from tests.unit.call_query import call_query_entry

TODAY = Today("2026-11-26", 0)


def centre() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales"})
    live.queues["6400"].agents = {"1001": Agent("1001", name="Anan"), "1002": Agent("1002")}
    live.extensions = {"1001": Extension("1001", "Anan", {"Sip"}), "1002": Extension("1002")}
    return live


def caller(status: str) -> CallMember:
    return CallMember("inbound", "5550001", "PJSIP/trunk-t-00000001", status, "6400")


def agent(status: str, number: str = "1001") -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-0000000b", status, "6400")


def board(live: LiveState, now_ms: int = 0) -> dict:  # type: ignore[type-arg]
    return queue_data(live, TODAY, live.queues["6400"], now_ms)


def answer(live: LiveState) -> None:
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)
    apply_call_event(live, CallEvent("1.1", (caller("ANSWERED"), agent("ANSWER"))), 4000)


def test_an_answered_call_shows_with_its_agent_channel_and_answer_time() -> None:
    live = centre()
    answer(live)
    assert board(live)["calls"] == [
        {"call_id": "1.1", "caller": "5550001", "agent": "1001", "agent_name": "Anan",
         "since": 4000, "held": False, "agent_channel_id": "PJSIP/1001-0000000b"}
    ]  # fmt: skip


def test_hold_shows_on_the_call_and_ends_with_unhold() -> None:
    live = centre()
    answer(live)
    held = CallEvent("1.1", (caller("HOLD"), agent("HOLD")))
    assert apply_call_event(live, held, 5000) == {"6400"}
    assert board(live)["calls"][0]["held"] is True
    assert board(live)["agents"][0]["call_status"] == "hold"
    apply_call_event(live, CallEvent("1.1", (caller("ANSWERED"), agent("ANSWER"))), 6000)
    assert board(live)["calls"][0]["held"] is False
    assert board(live)["waiting"] == []


def test_a_hang_up_removes_the_call_from_the_board() -> None:
    live = centre()
    answer(live)
    assert apply_call_event(live, CallEvent("1.1", (caller("BYE"), agent("BYE"))), 9000)
    assert board(live)["calls"] == []


def test_agents_show_presence_and_registration_and_the_longest_wait() -> None:
    live = centre()
    live.extensions["1002"].presence = "do_not_disturb"
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)
    data = board(live)
    rows = {row["number"]: row for row in data["agents"]}
    assert (rows["1001"]["presence"], rows["1001"]["registered"]) == ("available", True)
    assert (rows["1002"]["presence"], rows["1002"]["registered"]) == ("do_not_disturb", False)
    assert data["figures"]["longest_wait_since"] == 1000
    apply_call_event(live, CallEvent("1.1", (caller("BYE"),)), 2000)
    assert board(live)["figures"]["longest_wait_since"] is None


def active(call_id: str, duration: int, agent_number: str = "1001") -> dict[str, object]:
    return {"call_id": call_id, "caller_number": "5550009", "callee_number": agent_number,
            "duration": duration}  # fmt: skip


def test_rest_adds_an_answered_call_it_shows_first_without_counting_it() -> None:
    live = centre()
    assert load_active(live, live.queues["6400"], [active("2.1", 30)], 100_000) == ["call_added"]
    assert board(live)["calls"][0]["since"] == 70_000
    assert live.outbox == []  # never seen offered: its CDR counts the whole call later
    apply_call_event(live, CallEvent("2.1", (caller("BYE"), agent("BYE"))), 120_000)
    assert live.outbox == []
    assert board(live)["calls"] == []


def test_events_still_in_flight_count_a_call_rest_showed_answered_first_once() -> None:
    live = centre()
    load_active(live, live.queues["6400"], [active("2.1", 0)], 10_000)
    apply_call_event(live, CallEvent("2.1", (caller("ALERT"),)), 11_000)
    apply_call_event(live, CallEvent("2.1", (caller("ANSWERED"), agent("ANSWER"))), 12_000)
    apply_call_event(live, CallEvent("2.1", (caller("BYE"), agent("BYE"))), 42_000)
    assert [type(record).__name__ for record in live.outbox] == ["Offered", "Settled", "Handled"]
    assert board(live)["calls"] == []


def test_rest_settles_a_caller_it_took_off_the_list_as_answered() -> None:
    live = centre()
    apply_call_event(live, CallEvent("3.1", (caller("ALERT"),)), 10_000)
    load_waiting(live, live.queues["6400"], [], 40_000)  # answered, events still in flight
    load_active(live, live.queues["6400"], [active("3.1", 5)], 40_000)
    assert Settled("6400", "3.1", "answered", 25_000, "1001") in live.outbox
    apply_call_event(live, CallEvent("3.1", (caller("BYE"), agent("BYE"))), 95_000)
    assert live.outbox[-1] == Handled("6400", "3.1", "1001", 60_000)


def test_rest_ends_an_answered_call_it_no_longer_shows() -> None:
    live = centre()
    answer(live)
    assert load_active(live, live.queues["6400"], [], 64_000) == ["call_removed"]
    assert live.outbox[-1] == Handled("6400", "1.1", "1001", 60_000)
    assert board(live)["calls"] == []


def test_call_query_removes_ghost_callers_and_calls() -> None:
    live = centre()
    answer(live)
    apply_call_event(live, CallEvent("1.2", (caller("ALERT"),)), 2000)
    corrections, changed = reconcile_calls(live, [], 9000)
    assert sorted(corrections) == ["ghost_call", "ghost_waiting"]
    assert changed == {"6400"}
    assert (board(live)["waiting"], board(live)["calls"]) == ([], [])
    aside = live.calls.get("1.2")  # a late event or its CDR still says how it left
    assert aside is not None
    assert aside.phase == "aside"


def test_call_query_fills_a_missing_agent_channel_and_keeps_live_calls() -> None:
    live = centre()
    load_active(live, live.queues["6400"], [active("2.1", 30)], 100_000)
    entry = call_query_entry("2.1", caller("ANSWERED"), agent("ANSWER"))
    corrections, changed = reconcile_calls(live, [entry], 100_000)
    assert board(live)["calls"][0]["agent_channel_id"] == "PJSIP/1001-0000000b"
    assert changed == {"6400"}
    assert corrections == ["extension_call_state"]  # 1001 was Idle; its phone is busy


def test_call_query_sets_each_phone_from_its_legs() -> None:
    live = centre()
    live.extensions["1001"].call_state = "Busy"  # its 30008 Idle was lost
    ringing = call_query_entry("4.1", caller("ALERT"), agent("RING", "1002"))
    corrections, changed = reconcile_calls(live, [ringing], 5000)
    assert corrections == ["extension_call_state", "extension_call_state"]
    assert live.extensions["1001"].call_state == "Idle"
    assert live.extensions["1002"].call_state == "Ringing"
    assert changed == {"6400"}
    assert reconcile_calls(live, [ringing], 6000) == ([], set())
