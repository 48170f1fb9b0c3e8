"""One record per queue call: the transitions a board or today's figures would show wrong if
they were allowed, and the memory that keeps ended calls from piling up."""

import pytest

from dashboard.live import callbook
from dashboard.live.call import QueueCall, Talking
from dashboard.live.callbook import CallBook, Refused
from dashboard.live.cdr import Cdr, apply_cdr
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.outcomes import Handled, Offered, Settled, Told
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.state import LiveState
from tests.unit.queue_calls import agent, caller, centre


def event(live: LiveState, now_ms: int, *members: CallMember) -> set[str]:
    return apply_call_event(live, CallEvent("1.1", members), now_ms)


def record(live: LiveState, call_id: str = "1.1") -> QueueCall:
    call = live.calls.get(call_id)
    assert call is not None
    return call


def test_a_call_answered_then_reading_answered_in_its_queue_again_is_not_counted_twice() -> None:
    """The caller's leg may still read ANSWERED on the queue's path after the agent leaves."""
    live = centre()
    event(live, 1000, caller("ALERT"))
    event(live, 4000, caller("ANSWERED"), agent("ANSWER"))
    event(live, 60_000, caller("ANSWERED"), agent("BYE"))
    assert event(live, 61_000, caller("ANSWERED")) == set()
    assert live.outbox == [
        Offered("6400", "1.1"),
        Settled("6400", "1.1", "answered", 3000, "1001"),
        Handled("6400", "1.1", "1001", 56_000),
    ]
    assert record(live).phase == "ended"


def test_once_the_caller_is_gone_the_same_call_may_wait_again() -> None:
    live = centre()
    event(live, 1000, caller("ALERT"))
    event(live, 4000, caller("ANSWERED"), agent("ANSWER"))
    event(live, 9000, caller("BYE"), agent("BYE"))
    event(live, 20_000, caller("ALERT"))  # the same call id back in the queue
    assert live.outbox[-1] == Offered("6400", "1.1")
    assert record(live).phase == "waiting"


def cdr(answered: bool = False) -> Cdr:
    return Cdr("1.1", 0, "5550001", "6400", 30, 0, answered, inbound=True, did="")


def test_a_call_closed_by_its_cdr_does_not_wait_again() -> None:
    live = centre()
    event(live, 1000, caller("ALERT"))
    apply_cdr(live, cdr())  # its hang-up event was lost
    assert [type(r).__name__ for r in live.outbox] == ["Offered", "Settled"]
    assert event(live, 2000, caller("ALERT")) == set()  # a late event
    assert load_waiting(live, live.queues["6400"], [{"call_id": "1.1"}], 3000) is False
    assert live.calls.waiting_in("6400") == []
    assert len(live.outbox) == 2
    assert record(live).phase == "closed"


def test_a_caller_set_aside_who_turns_up_in_another_queue_timed_out_in_the_first() -> None:
    """REST took the caller off 6400's list; its next event says it moved on to 6401."""
    live = centre()
    event(live, 1000, caller("ALERT"))
    load_waiting(live, live.queues["6400"], [], 20_000)
    assert record(live).phase == "aside"
    assert event(live, 21_000, caller("ALERT", "6400-6401")) == {"6400", "6401"}
    assert live.outbox[1:] == [
        Settled("6400", "1.1", "timed_out", 20_000),
        Offered("6401", "1.1"),
    ]
    assert (record(live).queue, record(live).since_ms) == ("6401", 21_000)


def test_rest_listing_a_caller_in_another_queue_times_it_out_in_the_first_once() -> None:
    live = centre()
    event(live, 1000, caller("ALERT"))
    listed = [{"call_id": "1.1", "caller_number": "5550001", "duration": 2}]
    assert load_waiting(live, live.queues["6401"], listed, 9000) is True
    event(live, 9500, caller("ALERT", "6400-6401"))  # the events catch up
    assert live.outbox == [
        Offered("6400", "1.1"),
        Settled("6400", "1.1", "timed_out", 8000),
        Offered("6401", "1.1"),
    ]
    assert live.calls.waiting_in("6400") == []
    assert [c.since_ms for c in live.calls.waiting_in("6401")] == [7000]


def test_an_answered_call_sent_to_another_queue_is_handled_then_offered_there() -> None:
    live = centre()
    event(live, 1000, caller("ALERT"))
    event(live, 4000, caller("ANSWERED"), agent("ANSWER"))
    assert event(live, 30_000, caller("ALERT", "6400-6401")) == {"6400", "6401"}
    assert live.outbox[2:] == [Handled("6400", "1.1", "1001", 26_000), Offered("6401", "1.1")]
    assert live.calls.talking() == {}


def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing() -> None:
    book = CallBook()
    book.wait("1.1", "6400", "5550001", 1000)
    book.answered_by_rest("2.1", Talking("6400", "1001", 1000), connecting=False)
    before = (list(book.records()), list(book.outbox))
    refusals = [
        book.hang_up("1.1", 2000),
        book.note_talk("1.1", True, "PJSIP/1001-1"),
        book.wait("1.1", "6401", "5550001", 2000),
        book.wait("2.1", "6400", "5550001", 2000),
        book.set_aside("2.1"),
        book.leave("3.1", "abandoned", 2000),
    ]
    assert [r.transition for r in refusals if isinstance(r, Refused)] == [
        "hang_up", "note_talk", "wait", "wait", "set_aside", "leave"
    ]  # fmt: skip
    assert refusals[2] == Refused("1.1", "wait", "offered in 6400: no outcome there yet")
    assert refusals[3] == Refused("2.1", "wait", "talking: its talk must end first")
    assert (list(book.records()), book.outbox) == before


def test_a_closed_call_refuses_everything_but_being_read() -> None:
    live = centre()
    apply_cdr(live, cdr(answered=True))
    talk = Talking("6400", "1001", 5000, "5550001")
    book = live.calls
    assert isinstance(book.answered_by_rest("1.1", talk, connecting=True), Refused)
    assert isinstance(book.wait("1.1", "6400", "5550001", 6000), Refused)
    assert isinstance(book.close("1.1", 7000, _told()), Refused)
    assert isinstance(book.close_unseen("1.1", "6400", 7000), Refused)
    assert apply_cdr(live, cdr(answered=True)) == set()
    assert len(live.outbox) == 3  # the whole call, once


def _told() -> Told:
    return Told(Offered("6400", "1.1"), Settled("6400", "1.1", "abandoned", 1000), handled=None)


def test_the_memory_forgets_the_oldest_ended_calls_but_no_waiting_or_talking_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(callbook, "CALL_MEMORY", 3)
    book = CallBook()
    book.wait("waits", "6400", "5550001", 0)
    book.answered_by_rest("talks", Talking("6400", "1001", 0), connecting=False)
    for n in range(4):
        book.wait(f"gone{n}", "6400", "5550002", 0)
        book.leave(f"gone{n}", "abandoned", 1000)
    assert [c.call_id for c in book.records()] == ["waits", "talks", "gone3"]
    assert [c.call_id for c in book.waiting_in("6400")] == ["waits"]
    assert list(book.talking()) == ["talks"]
