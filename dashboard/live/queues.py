"""30011 call events and `queue/call_status` into waiting callers and agents' call status."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dashboard.live.events import CallEvent, CallMember
from dashboard.live.state import LiveState, QueueState, WaitingCaller

ANSWERED_STATUSES = frozenset({"ANSWER", "ANSWERED"})
GONE_STATUS = "BYE"
_PATH_SEPARATORS = re.compile(r"[^0-9*#]+")


# An agent's leg of a queue call: member_status → the agent's call status.
AGENT_CALL_STATUS = {"RING": "ringing", "ANSWER": "talking", "HOLD": "hold", "BYE": "idle"}


def apply_call_event(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """Apply a 30011 event; returns the numbers of the queues whose board data changed."""
    return _update_waiting(state, event, now_ms) | _update_agents(state, event, now_ms)


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
    previous = state.queue_holding(event.call_id)
    target = _queue_waited_in(state, event)
    if previous is not None and previous is not target:
        del previous.waiting[event.call_id]
        changed.add(previous.number)
    if target is not None and event.call_id not in target.waiting:
        caller = _caller(event.members)
        target.waiting[event.call_id] = WaitingCaller(event.call_id, caller, now_ms)
        changed.add(target.number)
    return changed


def _queue_waited_in(state: LiveState, event: CallEvent) -> QueueState | None:
    """The queue this call is waiting in now, or None once it is answered, gone or elsewhere."""
    if any(member.status in ANSWERED_STATUSES for member in event.members):
        return None
    caller = _caller_member(event.members)
    if caller is None or caller.status == GONE_STATUS:
        return None
    return _queue_on_path(state, caller.call_path)


def _queue_on_path(state: LiveState, call_path: str) -> QueueState | None:
    """`call_path` names the features a call went through; the last known queue is where it is."""
    for token in reversed(_PATH_SEPARATORS.split(call_path)):
        if token in state.queues:
            return state.queues[token]
    return None


def _caller_member(members: Iterable[CallMember]) -> CallMember | None:
    """The caller: an inbound trunk leg, or else an extension that hears ringback (ALERT)."""
    members = tuple(members)
    inbound = next((m for m in members if m.kind == "inbound"), None)
    return inbound or next((m for m in members if m.status == "ALERT"), None)


def _caller(members: Iterable[CallMember]) -> str:
    member = _caller_member(members)
    return member.number if member else ""


def load_waiting(queue: QueueState, entries: Iterable[Mapping[str, Any]], now_ms: int) -> bool:
    """Replace a queue's waiting set with the PBX's `waiting_list`; True if anything changed."""
    fresh: dict[str, WaitingCaller] = {}
    for entry in entries:
        call_id = str(entry.get("call_id", ""))
        if not call_id:
            continue
        known = queue.waiting.get(call_id)
        since = known.since_ms if known else now_ms - _seconds(entry.get("duration")) * 1000
        fresh[call_id] = WaitingCaller(call_id, str(entry.get("caller_number", "")), since)
    changed = fresh != queue.waiting
    queue.waiting = fresh
    return changed


def _seconds(value: object) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0
