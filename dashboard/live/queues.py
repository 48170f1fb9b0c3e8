"""30011 call events and `queue/call_status` into waiting callers and agents' call status."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dashboard.live.agents import CallStatus
from dashboard.live.calls import GONE_STATUS, hang_up, start_talk, track_talk, whole_seconds
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.outcomes import Offered, Outcome, Settled, Talking
from dashboard.live.state import LiveState, QueueState, WaitingCaller

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
    talking = state.talking.get(event.call_id)
    if talking is None:
        return set()
    gone = {m.number for m in event.members if m.status == GONE_STATUS}
    caller = _caller_member(event.members)
    if talking.agent in gone or caller is None or caller.status == GONE_STATUS:
        hang_up(state, event.call_id, now_ms)
        return {talking.queue}
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
    changed: set[str] = set()
    if event.call_id in state.closed:  # its CDR came first: the call is over and counted
        return changed
    previous = state.queue_holding(event.call_id)
    target = _queue_waited_in(state, event)
    if previous is not None and previous is not target:
        _settle(state, previous, event, target, now_ms)
        changed.add(previous.number)
    elif event.call_id in state.unsettled and target is None:
        _settle_unsettled(state, event, now_ms)
    if target is not None and event.call_id not in target.waiting:
        caller = _caller(event.members)
        waiting = state.unsettled.pop(event.call_id, None)
        since = waiting.since_ms if waiting else now_ms
        target.waiting[event.call_id] = WaitingCaller(event.call_id, caller, since)
        count_offered(state, target.number, event.call_id)
        changed.add(target.number)
    return changed


def count_offered(state: LiveState, queue: str, call_id: str) -> None:
    """Count a call as offered to a queue once, however we first learn of it."""
    if state.offered.get(call_id) != queue:
        state.remember(state.offered, call_id, queue)
        state.outbox.append(Offered(queue, call_id))


def _settle_unsettled(state: LiveState, event: CallEvent, now_ms: int) -> None:
    """The first event after REST took this caller off its queue says how the call left."""
    waiting = state.unsettled.pop(event.call_id)
    queue = state.queues.get(state.offered.get(event.call_id, ""))
    if queue is not None:
        queue.waiting[event.call_id] = waiting
        _settle(state, queue, event, None, now_ms)


def _settle(
    state: LiveState, queue: QueueState, event: CallEvent, target: QueueState | None, now_ms: int
) -> None:
    """The call left `queue`'s waiting set: record its one outcome."""
    waiting = queue.waiting.pop(event.call_id)
    wait_ms = now_ms - waiting.since_ms
    agent = _answered_by(state, event)
    outcome = _outcome(event, queue, target, wait_ms, answered=bool(agent))
    state.outbox.append(Settled(queue.number, event.call_id, outcome, wait_ms, agent))
    state.settle_offer(event.call_id)
    if outcome == "answered":
        start_talk(state, Talking(queue.number, agent, now_ms, waiting.caller), event.call_id)


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
        state.answered_in.pop(event.call_id, None)
        return None
    queue = _queue_at_end(state, caller.call_path)
    if queue is not None and state.answered_in.get(event.call_id) == queue.number:
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


def load_waiting(
    state: LiveState, queue: QueueState, entries: Iterable[Mapping[str, Any]], now_ms: int
) -> bool:
    """Replace a queue's waiting set with the PBX's lists; True if anything changed. REST may be
    ahead of the events: a caller it shows first is counted as offered now, and one it takes
    away is kept aside until an event says how the call left."""
    fresh: dict[str, WaitingCaller] = {}
    for entry in entries:
        call_id = str(entry.get("call_id", ""))
        if not call_id:
            continue
        known = queue.waiting.get(call_id) or state.unsettled.pop(call_id, None)
        since = known.since_ms if known else now_ms - whole_seconds(entry.get("duration")) * 1000
        fresh[call_id] = WaitingCaller(call_id, str(entry.get("caller_number", "")), since)
        count_offered(state, queue.number, call_id)
    for call_id in queue.waiting.keys() - fresh.keys():
        state.remember(state.unsettled, call_id, queue.waiting[call_id])
    changed = fresh != queue.waiting
    queue.waiting = fresh
    return changed
