"""A PBX event into the live state: which queues changed, and what REST must settle."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.live.agents import (
    Extension,
    apply_agent_status,
    apply_auto_pause,
    apply_registration,
)
from dashboard.live.agents import queue_number_of as queue_in
from dashboard.live.cdr import apply_cdr, parse_cdr
from dashboard.live.events import PbxEvent, parse_call_event
from dashboard.live.outcomes import RingMissed
from dashboard.live.queues import apply_call_event
from dashboard.live.state import LiveState


@dataclass
class Effect:
    """What an event did: queues whose board data changed, and queues whose agents REST must
    re-read because the event could not be understood (a 30029 status we do not know)."""

    changed: set[str] = field(default_factory=set)
    recheck: set[str] = field(default_factory=set)
    handled: bool = True


Handler = Callable[[LiveState, dict[str, Any], int], Effect]


def apply_event(state: LiveState, event: PbxEvent, now_ms: int) -> Effect:
    handler = HANDLERS.get(event.type)
    if handler is None:
        return Effect(handled=False)
    return handler(state, event.msg, now_ms)


def _call_state(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
    call = parse_call_event(msg)
    return Effect(apply_call_event(state, call, now_ms)) if call else Effect(handled=False)


def _new_cdr(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
    """30012: a call ended; its CDR settles what its events left open."""
    cdr = parse_cdr(msg, state.zone)
    return Effect(apply_cdr(state, cdr)) if cdr else Effect(handled=False)


def _agent_status(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
    queue = state.queues.get(queue_in(msg.get("queue_number")))
    if queue is None:
        return Effect()
    agent = queue.agents.get(str(msg.get("agent_number", "")))
    if agent is None or not apply_agent_status(agent, msg, now_ms):
        return Effect(recheck={queue.number})
    return Effect({queue.number})


def _auto_pause(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
    queue = state.queues.get(queue_in(msg.get("queue_number")))
    agent = queue.agents.get(str(msg.get("agent_number", ""))) if queue else None
    if queue is None or agent is None:
        return Effect()
    apply_auto_pause(agent, msg, now_ms)
    return Effect({queue.number})


def _ring_timeout(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
    """30026: an agent let a queue call ring out (a missed call on their row today)."""
    queue = state.queues.get(queue_in(msg.get("queue_number")))
    agent = str(msg.get("agent_number", ""))
    if queue is None or not agent:
        return Effect()
    state.outbox.append(RingMissed(queue.number, agent))
    return Effect({queue.number})


def _extension_change(apply: Callable[[Extension, dict[str, Any]], None]) -> Handler:
    """30007/30008/30009 change an extension: every queue it serves as an agent shows it."""

    def handle(state: LiveState, msg: dict[str, Any], now_ms: int) -> Effect:
        number = str(msg.get("extension", ""))
        if not number:
            return Effect(handled=False)
        apply(state.extension(number), msg)
        return Effect({queue.number for queue, _ in state.memberships(number)})

    return handle


def _set_call_state(extension: Extension, msg: dict[str, Any]) -> None:
    extension.call_state = str(msg.get("status") or "Idle")


def _set_presence(extension: Extension, msg: dict[str, Any]) -> None:
    extension.presence = str(msg.get("status") or "available")


HANDLERS: dict[int, Handler] = {
    30011: _call_state,
    30012: _new_cdr,
    30029: _agent_status,
    30025: _auto_pause,
    30026: _ring_timeout,
    30007: _extension_change(apply_registration),
    30008: _extension_change(_set_call_state),
    30009: _extension_change(_set_presence),
}
