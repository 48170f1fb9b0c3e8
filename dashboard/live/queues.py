"""30011 call events and `queue/call_status` into waiting callers and agents' call status."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.live.agents import CallStatus
from dashboard.live.call import OPEN, QueueCall
from dashboard.live.calls import GONE_STATUS, track_talk, whole_seconds
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.outcomes import Outcome
from dashboard.live.state import LiveState, QueueState

ANSWERED_STATUSES = frozenset({"ANSWER", "ANSWERED"})
_PATH_SEPARATORS = re.compile(r"[^0-9*#]+")


# An agent's leg of a queue call: member_status → the agent's call status.
AGENT_CALL_STATUS: dict[str, CallStatus] = {
    "RING": "ringing",
    "ANSWER": "talking",
    "HOLD": "hold",
    "BYE": "idle",
}


def apply_call_event(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """Apply a 30011 event; returns the numbers of the queues whose board data changed.
    What happened to queue calls goes to `state.outbox`."""
    changed = _update_waiting(state, event, now_ms) | _update_agents(state, event, now_ms)
    return changed | track_talk(state, event) | _end_talk(state, event, now_ms)


def _end_talk(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """An answered queue call is handled once its agent's leg (or the caller) hangs up."""
    call = state.calls.get(event.call_id)
    talk = call.talk if call else None
    if talk is None:
        return set()
    gone = {m.number for m in event.members if m.status == GONE_STATUS}
    caller = _caller_member(event.members)
    if talk.agent in gone or caller is None or caller.status == GONE_STATUS:
        state.calls.hang_up(event.call_id, now_ms)
        return {talk.queue}
    return set()


def _update_agents(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """Agents' legs: ringing, talking, hold, and idle (in wrap-up after a queue call)."""
    changed: set[str] = set()
    for member in event.members:
        status = AGENT_CALL_STATUS.get(member.status)
        if member.kind != "extension" or status is None:
            continue
        queue = _queue_on_path(state, member.call_path)
        if status == "idle" and queue is not None and queue.wrap_up_s:
            state.wrap_up_until[member.number] = now_ms + queue.wrap_up_s * 1000
        # One phone: its call status is the same in every queue the agent serves.
        for membership_queue, agent in state.memberships(member.number):
            if agent.call_status != status:
                agent.call_status, agent.since_ms = status, now_ms
                changed.add(membership_queue.number)
    return changed


def _update_waiting(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    call = state.calls.get(event.call_id)
    if call is not None and call.phase == "closed":  # its CDR came first: over and counted
        return set()
    target = _queue_waited_in(state, event)
    changed = _leave(state, call, event, target, now_ms) if call else set()
    if target is None or _waits_in(state, event.call_id, target.number):
        return changed
    if call is not None and call.talk is not None:  # sent on to a queue: the talk is over
        state.calls.hang_up(call.call_id, now_ms)
        changed.add(call.talk.queue)
    if state.calls.wait(event.call_id, target.number, _caller(event.members), now_ms) is None:
        changed.add(target.number)
    return changed


def _leave(
    state: LiveState, call: QueueCall, event: CallEvent, target: QueueState | None, now_ms: int
) -> set[str]:
    """The call no longer waits where its offer is open (waiting there, or set aside by REST):
    its one outcome. Back in the same queue, it still waits."""
    queue = state.queues.get(call.queue)
    if call.phase not in OPEN or queue is None or queue is target:
        return set()
    agent = _answered_by(state, event)
    outcome = _outcome(event, queue, target, now_ms - call.since_ms, answered=bool(agent))
    state.calls.leave(call.call_id, outcome, now_ms, agent)
    return {queue.number}


def _waits_in(state: LiveState, call_id: str, queue: str) -> bool:
    call = state.calls.get(call_id)
    return call is not None and call.phase == "waiting" and call.queue == queue


def _outcome(
    event: CallEvent, queue: QueueState, target: QueueState | None, wait_ms: int, answered: bool
) -> Outcome:
    """Answered; timed out (moved on to another queue, or left once the queue's maximum wait
    was reached); abandoned (the caller hung up); otherwise transferred out."""
    if answered:
        return "answered"
    # The PBX sends a caller on (or hangs up, if that is the failover) at the maximum wait.
    reached_max = queue.max_wait_s > 0 and wait_ms >= (queue.max_wait_s - 1) * 1000
    if target is not None or reached_max:
        return "timed_out"
    caller = _caller_member(event.members)
    return "abandoned" if caller is None or caller.status == GONE_STATUS else "transferred"


def _queue_waited_in(state: LiveState, event: CallEvent) -> QueueState | None:
    """The queue this call is waiting in now, or None once it is answered, gone or elsewhere."""
    if _answered_by(state, event):
        return None
    caller = _caller_member(event.members)
    if caller is None or caller.status == GONE_STATUS:
        state.calls.caller_left(event.call_id)
        return None
    queue = _queue_at_end(state, caller.call_path)
    call = state.calls.get(event.call_id)
    if queue is not None and call is not None and call.answered_in == queue.number:
        return None
    return queue


def _queue_at_end(state: LiveState, call_path: str) -> QueueState | None:
    """A caller waits in a queue while it is the last feature on the path ("6500-6400" is in
    6400 after IVR 6500; "6400-8000" has left 6400 for 8000)."""
    tokens = [token for token in _PATH_SEPARATORS.split(call_path) if token]
    return state.queues.get(tokens[-1]) if tokens else None


def _queue_on_path(state: LiveState, call_path: str) -> QueueState | None:
    """`call_path` names the features a call went through; the last known queue is where it is."""
    for token in reversed(_PATH_SEPARATORS.split(call_path)):
        if token in state.queues:
            return state.queues[token]
    return None


def _caller_member(members: Iterable[CallMember]) -> CallMember | None:
    """The caller: an inbound trunk leg, or else the first member (the PBX lists the caller
    first; an internal caller may show ALERT, or ANSWERED once the queue plays music)."""
    members = tuple(members)
    inbound = next((m for m in members if m.kind == "inbound"), None)
    return inbound or (members[0] if members else None)


def _answered_by(state: LiveState, event: CallEvent) -> str:
    """The agent who answered: an extension leg other than the caller's that is ANSWER(ED).
    The caller's own leg may read ANSWERED while it waits (the queue answers to play music),
    and the queue may appear as a member itself: neither is an agent answering."""
    caller = _caller_member(event.members)
    return next(
        (
            m.number
            for m in event.members
            if m is not caller
            and m.kind == "extension"
            and m.status in ANSWERED_STATUSES
            and m.number not in state.queues
        ),
        "",
    )


def _caller(members: Iterable[CallMember]) -> str:
    member = _caller_member(members)
    return member.number if member else ""


@dataclass(frozen=True)
class Listed:
    """A caller on `queue/call_status`'s waiting or ringing list."""

    call_id: str
    caller: str
    waited_ms: int


def parse_listed(entries: Iterable[Mapping[str, Any]]) -> list[Listed]:
    return [
        Listed(
            str(e["call_id"]),
            str(e.get("caller_number", "")),
            whole_seconds(e.get("duration")) * 1000,
        )
        for e in entries
        if e.get("call_id")
    ]


def load_waiting(
    state: LiveState, queue: QueueState, entries: Iterable[Mapping[str, Any]], now_ms: int
) -> bool:
    """Make a queue's waiting set the PBX's lists; True if anything changed. REST may be ahead
    of the events: a caller it shows first is counted as offered now, one it shows here while
    its events have it in another queue has timed out there, and one it takes away is kept
    aside until an event or its CDR says how the call left."""
    before = _waiting_rows(state, queue.number)
    listed = parse_listed(entries)
    for row in listed:
        call = state.calls.get(row.call_id)
        if call is not None and call.phase in OPEN and call.queue != queue.number:
            state.calls.leave(row.call_id, "timed_out", now_ms)
        state.calls.wait(row.call_id, queue.number, row.caller, now_ms - row.waited_ms)
    kept = {row.call_id for row in listed}
    for call in state.calls.waiting_in(queue.number):
        if call.call_id not in kept:
            state.calls.set_aside(call.call_id)
    return _waiting_rows(state, queue.number) != before


def _waiting_rows(state: LiveState, queue: str) -> dict[str, tuple[str, int]]:
    return {c.call_id: (c.caller, c.since_ms) for c in state.calls.waiting_in(queue)}
