"""Reduce call events and REST answers into the set of callers waiting in each queue."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.live.events import CallEvent, CallMember

ANSWERED_STATUSES = frozenset({"ANSWER", "ANSWERED"})
GONE_STATUS = "BYE"
_PATH_SEPARATORS = re.compile(r"[^0-9*#]+")


@dataclass
class WaitingCaller:
    call_id: str
    caller: str
    since_ms: int


@dataclass
class QueueState:
    number: str
    name: str
    waiting: dict[str, WaitingCaller] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """The JSON-ready view a board shows, longest-waiting caller first."""
        callers = sorted(self.waiting.values(), key=lambda caller: caller.since_ms)
        return {
            "number": self.number,
            "name": self.name,
            "waiting": [
                {"call_id": c.call_id, "caller": c.caller, "since": c.since_ms} for c in callers
            ],
        }


@dataclass
class LiveState:
    queues: dict[str, QueueState] = field(default_factory=dict)

    def set_queues(self, names_by_number: Mapping[str, str]) -> set[str]:
        """Adopt the PBX's queue list; returns the numbers whose name or existence changed."""
        changed = {number for number in self.queues if number not in names_by_number}
        for number in changed:
            del self.queues[number]
        for number, name in names_by_number.items():
            queue = self.queues.get(number)
            if queue is None or queue.name != name:
                changed.add(number)
                self.queues[number] = QueueState(number, name, queue.waiting if queue else {})
        return changed

    def queue_holding(self, call_id: str) -> QueueState | None:
        return next((q for q in self.queues.values() if call_id in q.waiting), None)


def apply_call_event(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """Apply a 30011 event; returns the numbers of the queues whose waiting set changed."""
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
