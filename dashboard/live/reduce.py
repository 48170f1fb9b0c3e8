"""A PBX event into the live state: which queues changed, what REST must settle, and what of
the event could not be used (counted in `state.unusable`)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.live.agents import (
    Extension,
    apply_agent_status,
    apply_auto_pause,
    apply_call_state,
    apply_presence,
    apply_registration,
    status_meaning,
)
from dashboard.live.agents import queue_number_of as queue_in
from dashboard.live.cdr import apply_cdr, local_ms, parse_cdr
from dashboard.live.events import Malformed, PbxEvent, parse_call_event
from dashboard.live.fields import text
from dashboard.live.outcomes import RingMissed
from dashboard.live.queues import apply_call_event
from dashboard.live.state import LiveState, QueueState

UNPARSEABLE = "unparseable frame"
NOT_FOLLOWED = "an event type we do not follow"
NO_CALL_ID = "no call id"
NO_START = "no call id or start time"
NO_AGENT = "no queue or agent number"
NO_EXTENSION = "no extension number"
UNKNOWN_STATUS = "a status we do not know"
MISSED_UNREAD = "a missed call we cannot read"


@dataclass
class Effect:
    """What an event did: queues whose board data changed, queues whose agents REST must
    re-read (a 30029 status we do not know), and what of it we could not use, if anything."""

    changed: set[str] = field(default_factory=set)
    recheck: set[str] = field(default_factory=set)
    unusable: tuple[str, ...] = ()


Handler = Callable[[LiveState, Mapping[str, Any], int], Effect]
# An event about an agent of a queue we show: the queue, the agent's number, the payload, now.
AgentHandler = Callable[[LiveState, QueueState, str, Mapping[str, Any], int], Effect]


def apply_event(state: LiveState, event: PbxEvent, now_ms: int) -> Effect:
    """Apply what can be used of the event; the rest is counted by its type."""
    handler = HANDLERS.get(event.type)
    effect = handler(state, event.msg, now_ms) if handler else Effect(unusable=(NOT_FOLLOWED,))
    if effect.unusable:
        state.unusable.note(kind_of(event.type), effect.unusable, event.msg)
    return effect


def note_malformed(state: LiveState, frame: Malformed) -> None:
    """A frame we could not read at all: counted by its type when it says one."""
    kind = UNPARSEABLE if frame.event_type is None else kind_of(frame.event_type)
    state.unusable.note(kind, (frame.reason,), frame.text)


def kind_of(event_type: int) -> str:
    """What `state.unusable` counts an event under: its type, or that we do not follow it."""
    return str(event_type) if event_type in HANDLERS else f"unknown type {event_type}"


def _call_state(state: LiveState, msg: Mapping[str, Any], now_ms: int) -> Effect:
    """30011. Members we cannot read are left out; with none left, nothing is applied (a call
    without members would read as hung up)."""
    call = parse_call_event(msg)
    if call is None:
        return Effect(unusable=(NO_CALL_ID,))
    if call.unread and not call.members:
        return Effect(unusable=call.unread)
    return Effect(apply_call_event(state, call, now_ms), unusable=call.unread)


def _new_cdr(state: LiveState, msg: Mapping[str, Any], now_ms: int) -> Effect:
    """30012: a call ended; its CDR settles what its events left open."""
    cdr = parse_cdr(msg, state.zone)
    return Effect(apply_cdr(state, cdr)) if cdr else Effect(unusable=(NO_START,))


def _agent_event(handle: AgentHandler) -> Handler:
    """30025/30026/30029 name a queue and an agent: without both nothing can be used; for a
    queue we do not show there is nothing to do."""

    def handler(state: LiveState, msg: Mapping[str, Any], now_ms: int) -> Effect:
        number, agent = queue_in(msg.get("queue_number")), text(msg.get("agent_number"))
        if not number or not agent:
            return Effect(unusable=(NO_AGENT,))
        queue = state.queues.get(number)
        return handle(state, queue, agent, msg, now_ms) if queue else Effect()

    return handler


def _agent_status(
    state: LiveState, queue: QueueState, number: str, msg: Mapping[str, Any], now_ms: int
) -> Effect:
    """30029. A status we do not know, or an agent we do not know: REST re-reads the queue."""
    agent = queue.agents.get(number)
    if agent is not None and apply_agent_status(agent, msg, now_ms):
        return Effect({queue.number})
    known = status_meaning(text(msg.get("status"))) is not None
    return Effect(recheck={queue.number}, unusable=() if known else (UNKNOWN_STATUS,))


def _auto_pause(
    state: LiveState, queue: QueueState, number: str, msg: Mapping[str, Any], now_ms: int
) -> Effect:
    """30025: paused by the PBX after missed calls."""
    agent = queue.agents.get(number)
    if agent is None:
        return Effect()
    read = apply_auto_pause(agent, msg, now_ms)
    return Effect({queue.number}, unusable=() if read else (MISSED_UNREAD,))


def _ring_timeout(
    state: LiveState, queue: QueueState, number: str, msg: Mapping[str, Any], now_ms: int
) -> Effect:
    """30026: an agent let a queue call ring out (a missed call on their row today)."""
    state.outbox.append(RingMissed(queue.number, number))
    return Effect({queue.number})


def _extension_change(apply: Callable[[Extension, Mapping[str, Any]], bool]) -> Handler:
    """30007/30008/30009 change an extension: every queue it serves as an agent shows it. A
    status we do not know changes nothing (extension/list's next read decides)."""

    def handle(state: LiveState, msg: Mapping[str, Any], now_ms: int) -> Effect:
        number = text(msg.get("extension"))
        if not number:
            return Effect(unusable=(NO_EXTENSION,))
        if not apply(state.extension(number), msg):
            return Effect(unusable=(UNKNOWN_STATUS,))
        return Effect({queue.number for queue, _ in state.memberships(number)})

    return handle


def _system_warning(state: LiveState, msg: Mapping[str, Any], now_ms: int) -> Effect:
    """30035: kept for the admin's PBX health page, no board changes. Its `create_time` is the
    PBX's local time, as a CDR's is."""
    at = local_ms(msg.get("create_time"), state.zone)
    return Effect(unusable=state.pbx_warnings.take(msg, at, now_ms))


HANDLERS: dict[int, Handler] = {
    30011: _call_state,
    30012: _new_cdr,
    30029: _agent_event(_agent_status),
    30025: _agent_event(_auto_pause),
    30026: _agent_event(_ring_timeout),
    30007: _extension_change(apply_registration),
    30008: _extension_change(apply_call_state),
    30009: _extension_change(apply_presence),
    30035: _system_warning,
}
