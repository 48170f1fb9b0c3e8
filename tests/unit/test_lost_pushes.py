"""Calls whose middle the PBX never pushed (pushes dropped, the socket up): each is counted once,
with the outcome and in the queue the PBX counts it, from REST's lists and its CDR."""

import json

from dashboard.live.agents import Agent
from dashboard.live.calls import load_active, reconcile_calls
from dashboard.live.cdr import Cdr, apply_cdr
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.ledger import Ledger, ledger_json, restore
from dashboard.live.outcomes import Handled, Offered, Settled, WaitLearned
from dashboard.live.queues import apply_call_event
from dashboard.live.state import LiveState
from tests.unit.queue_calls import agent, caller, centre

T0 = 1_796_400_000_000


def event(live: LiveState, at_s: int, *members: CallMember) -> set[str]:
    return apply_call_event(live, CallEvent("1.1", members), T0 + at_s * 1000)


def answered_cdr(call_to: str, call_s: int, talk_s: int) -> Cdr:
    return Cdr("1.1", T0, "5550001", call_to, call_s, talk_s, True, inbound=True, did="")


def test_a_caller_whose_answer_was_never_pushed_is_not_counted_abandoned_at_its_hang_up() -> None:
    """Seen waiting, then the call's last update: the caller and an agent hang up, an agent we
    never saw ring. It was answered in pushes we lost: its CDR says so, and counts it."""
    live = centre()
    event(live, 0, caller("ALERT"))
    assert event(live, 40, caller("BYE"), agent("BYE")) == {"6400"}
    assert live.calls.waiting_in("6400") == []
    assert live.outbox == [Offered("6400", "1.1")]
    apply_cdr(live, answered_cdr("1001", call_s=40, talk_s=30))
    assert live.outbox[1:] == [
        Settled("6400", "1.1", "answered", 10_000, "1001"),
        Handled("6400", "1.1", "1001", 30_000),
    ]


def test_a_caller_who_hangs_up_while_an_agent_we_saw_ring_rings_abandoned_at_once() -> None:
    live = centre()
    event(live, 0, caller("ALERT"))
    event(live, 5, caller("ALERT"), agent("RING"))
    event(live, 8, caller("BYE"), agent("BYE"))
    assert live.outbox == [Offered("6400", "1.1"), Settled("6400", "1.1", "abandoned", 8000)]


def test_a_caller_rest_showed_ringing_is_settled_by_its_cdr_not_abandoned_at_its_hang_up() -> None:
    """REST (call/query, while pushes were dropped) showed an agent's phone ringing for the
    caller; no event did. The answer may have been lost too: the CDR tells."""
    live = centre()
    event(live, 0, caller("ALERT"))
    ringing = {"call_id": "1.1", "members": [
        {"inbound": {"from": "5550001", "member_status": "ALERT", "call_path": "6400"}},
        {"extension": {"number": "1001", "member_status": "RING", "call_path": "6400"}},
    ]}  # fmt: skip
    reconcile_calls(live, [ringing], T0 + 20_000)
    event(live, 60, caller("BYE"), agent("BYE"))
    assert live.outbox == [Offered("6400", "1.1")]
    apply_cdr(live, answered_cdr("1001", call_s=60, talk_s=30))
    assert [type(r).__name__ for r in live.outbox] == ["Offered", "Settled", "Handled"]


def test_a_call_answered_unseen_in_a_second_queue_is_offered_and_answered_there() -> None:
    """Answered in 6400, sent on to 6401 and answered there while pushes were dropped: REST's
    lists show it gone from 6400 and answered in 6401, twice (not events in flight), so it is
    offered and answered in 6401 too; its CDR then tells how long it waited there."""
    live = centre()
    event(live, 0, caller("ALERT"))
    event(live, 3, caller("ANSWERED"), agent("ANSWER"))
    del live.outbox[:]
    assert load_active(live, live.queues["6400"], [], T0 + 60_000) == ["call_removed"]
    active = [{"call_id": "1.1", "caller_number": "5550001", "callee_number": "1002"}]
    assert load_active(live, live.queues["6401"], active, T0 + 60_000) == ["call_added"]
    assert load_active(live, live.queues["6401"], active, T0 + 75_000) == ["call_counted"]
    assert live.outbox == [
        Handled("6400", "1.1", "1001", 57_000),
        Offered("6401", "1.1"),
        Settled("6401", "1.1", "answered", 0, "1002", wait_known=False),
    ]
    apply_cdr(live, answered_cdr("1002", call_s=100, talk_s=30))
    assert live.outbox[3:] == [
        WaitLearned("6401", "1.1", 70_000),
        Handled("6401", "1.1", "1002", 30_000),
    ]


def test_a_call_answered_unseen_in_a_second_queue_that_ended_is_counted_by_its_cdr() -> None:
    live = centre()
    event(live, 0, caller("ALERT"))
    event(live, 3, caller("ANSWERED"), agent("ANSWER"))
    load_active(live, live.queues["6400"], [], T0 + 60_000)
    active = [{"call_id": "1.1", "caller_number": "5550001", "callee_number": "1002"}]
    load_active(live, live.queues["6401"], active, T0 + 60_000)
    load_active(live, live.queues["6401"], [], T0 + 75_000)  # hung up before a second read
    del live.outbox[:]
    apply_cdr(live, answered_cdr("1002", call_s=100, talk_s=30))
    assert [type(r).__name__ for r in live.outbox] == ["Offered", "Settled", "Handled"]
    assert {r.queue for r in live.outbox} == {"6401"}


def test_a_call_that_ended_here_and_was_answered_unseen_in_another_queue_counts_there() -> None:
    """Answered in 6400 and taken off its list by REST (ended here); its agent sent it on to
    6401, where an agent of 6401 alone answered it, all while pushes were dropped. Its one CDR
    names that agent: the stage in 6401 counts whole, the one in 6400 stays as counted."""
    live = centre()
    live.queues["6400"].agents = {"1001": Agent("1001")}
    live.queues["6401"].agents = {"1002": Agent("1002")}
    event(live, 0, caller("ALERT"))
    event(live, 3, caller("ANSWERED"), agent("ANSWER"))
    load_active(live, live.queues["6400"], [], T0 + 60_000)
    del live.outbox[:]
    apply_cdr(live, answered_cdr("1002", call_s=100, talk_s=30))
    assert live.outbox == [
        Offered("6401", "1.1"),
        Settled("6401", "1.1", "answered", 70_000, "1002"),
        Handled("6401", "1.1", "1002", 30_000),
    ]


def test_a_call_handed_over_without_its_queue_is_not_counted_again_by_its_cdr() -> None:
    """A predecessor counted the call in its last seconds (the ledger's recent calls keep no
    queue): whichever queue its CDR names, it was counted there already."""
    first = centre()
    first.cdrs_read([T0])
    first.calls.wait("1.1", "6400", "", T0)
    first.calls.leave("1.1", "abandoned", T0 + 3000)
    ledger = Ledger()
    ledger.note(first.outbox, T0 + 3000)
    successor = centre()
    restore(successor, json.loads(json.dumps(ledger_json(ledger, first, T0 + 4000))))
    abandoned = Cdr("1.1", T0, "5550001", "6400", 3, 0, False, inbound=True, did="")
    apply_cdr(successor, abandoned)
    assert successor.outbox == []


def test_a_successor_reads_cdrs_back_from_where_cdr_list_was_read_not_the_newest_push() -> None:
    """A 30012 pushed after the dropped ones is no sign that those were read: the ledger hands
    over where cdr/list was read to, and the calls closed since then as counted."""
    live = centre()
    live.cdrs_read([T0])
    pushed = Cdr("1.1", T0, "5550001", "6400", 400, 0, False, inbound=True, did="")
    apply_cdr(live, pushed)  # an abandoned call's 30012, ending at T0 + 400 s
    kept = json.loads(json.dumps(ledger_json(Ledger(), live, T0 + 401_000)))
    assert kept["read_back_ms"] == T0
    assert kept["closed"]["1.1"] == T0 + 400_000
    successor = centre()
    assert restore(successor, kept).read_back_ms == T0
    assert successor.read_back_point(T0 + 402_000) == T0
