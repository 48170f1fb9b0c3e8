"""Live answered queue calls (hold, the agent's channel) and REST's word on every live call:
`queue/call_status` active lists and `call/query`, which also say what each phone is doing."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.live.agents import LEG_STATUS, CallStatus
from dashboard.live.call import Talking
from dashboard.live.events import CallEvent, parse_call_event, path_features
from dashboard.live.fields import rows, seconds, text
from dashboard.live.state import LiveState, QueueState

HOLD_STATUS = "HOLD"
GONE_STATUS = "BYE"


@dataclass(frozen=True)
class Active:
    """An answered call on `queue/call_status`'s active list."""

    call_id: str
    caller: str
    agent: str
    talked_ms: int


def parse_active(entries: object) -> dict[str, Active]:
    """The active list by call id (entries without one skipped)."""
    actives = (
        Active(
            text(e.get("call_id")),
            caller=text(e.get("caller_number")),
            agent=text(e.get("callee_number")),
            talked_ms=(seconds(e.get("duration")) or 0) * 1000,
        )
        for e in rows(entries)
    )
    return {active.call_id: active for active in actives if active.call_id}


def track_talk(state: LiveState, event: CallEvent) -> set[str]:
    """Hold state and the agent's channel of an answered queue call, from its members (30011
    shows `HOLD` on the legs while the call is held)."""
    call = state.calls.get(event.call_id)
    talk = call.talk if call else None
    if talk is None:
        return set()
    held = any(member.status == HOLD_STATUS for member in event.members)
    channel = next(
        (
            m.channel_id
            for m in event.members
            if m.kind == "extension" and m.number == talk.agent and m.channel_id
        ),
        talk.channel_id,
    )
    if (held, channel) == (talk.held, talk.channel_id):
        return set()
    state.calls.note_talk(event.call_id, held, channel)
    return {talk.queue}


def load_active(
    state: LiveState,
    queue: QueueState,
    entries: Iterable[Mapping[str, Any]],
    now_ms: int,
    connecting: bool = False,
) -> list[str]:
    """Make a queue's answered calls match `queue/call_status`'s `active_list`; returns one
    label per correction. `connecting`: read right after subscribing, so no earlier event of
    these calls is still to come."""
    fresh = parse_active(entries)
    corrections = []
    talking = state.calls.talking()
    for call_id in fresh.keys() & talking.keys():
        if not talking[call_id].counted and state.calls.answered_again(call_id) is None:
            corrections.append("call_counted")
    for active in (a for a in fresh.values() if a.call_id not in talking):
        talk = Talking(queue.number, active.agent, now_ms - active.talked_ms, active.caller)
        if state.calls.answered_by_rest(active.call_id, talk, connecting) is None:
            corrections.append("call_added")
    for call_id, talk in talking.items():  # those just added are on the active list
        if talk.queue == queue.number and call_id not in fresh:
            state.calls.hang_up(call_id, now_ms)
            corrections.append("call_removed")
    return corrections


def reconcile_calls(
    state: LiveState, calls: Iterable[Mapping[str, Any]], now_ms: int
) -> tuple[list[str], set[str]]:
    """Make the state match `call/query` (all three selectors together: every live call).
    Waiting callers and answered calls it lacks are ghosts; phones follow their legs.
    Returns the corrections and the queues whose board data changed."""
    events = [e for e in (parse_call_event(dict(call)) for call in rows(calls)) if e is not None]
    changed: set[str] = set()
    for event in events:
        changed |= track_talk(state, event)
        _note_gone_on(state, event)
        learn_did(state, event)
    changed |= _set_legs(state, events)
    ghosts, emptied = _drop_ghosts(state, {event.call_id for event in events}, now_ms)
    phones, queues = _correct_phones(state, events)
    return ghosts + phones, changed | emptied | queues


def learn_did(state: LiveState, event: CallEvent) -> None:
    """A trunk caller straight from its DID to one of our queues (no other feature on its
    path): that DID leads there, which names the queue of its CDR once answered (the CDR names
    only the agent, cdr.queue_of) where we did not follow the call (a successor, a link that
    was down). Learnt from events and call/query, handed over in the ledger."""
    caller = event.caller
    features = path_features(caller.call_path) if caller and caller.to else []
    if caller is not None and len(features) == 1 and features[0] in state.queues:
        state.did_queues[caller.to] = features[0]


def _note_gone_on(state: LiveState, event: CallEvent) -> None:
    """A live call whose caller's path names one of our queues, that none of its lists showed
    (read just before): we never followed it, or it was set aside there (REST took it off
    the lists before its events came). It went on from that queue unseen (a successor, a link
    down meanwhile); its next event or its CDR will tell how it left."""
    caller = event.caller
    known = state.calls.get(event.call_id)
    if caller is None or caller.status == GONE_STATUS:
        return
    queues = [number for number in path_features(caller.call_path) if number in state.queues]
    if known is not None and known.phase == "aside" and known.queue in queues:
        state.calls.went_on(event.call_id, known.queue, caller.number)
    elif known is None and queues:
        state.calls.went_on(event.call_id, queues[-1], caller.number)


def _set_legs(state: LiveState, events: Iterable[CallEvent]) -> set[str]:
    """Every phone's legs as the live calls have them (a leg whose end we missed is gone);
    not a correction: the agents' call status is queue/agent_status's to correct. Returns the
    queues of agents whose call is on hold where queue/agent_status said "in a call"."""
    legs: dict[str, dict[str, CallStatus]] = {}
    for event in events:
        for m in event.members:
            if m.kind == "extension" and LEG_STATUS.get(m.status, "idle") != "idle":
                legs.setdefault(m.number, {})[event.call_id] = LEG_STATUS[m.status]
    changed: set[str] = set()
    for number, extension in state.extensions.items():
        extension.legs = legs.get(number, {})
        if extension.call_status() == "hold":
            changed |= _on_hold(state, number)
    return changed


def _on_hold(state: LiveState, number: str) -> set[str]:
    """The agent's call is on hold (its legs say `HOLD`, whoever holds it: 30011 and
    call/query cannot tell); queue/agent_status's 2 means the agent holds, not that it talks."""
    changed: set[str] = set()
    for queue, agent in state.memberships(number):
        if agent.call_status == "talking":
            agent.call_status = "hold"
            changed.add(queue.number)
    return changed


def _drop_ghosts(state: LiveState, live: set[str], now_ms: int) -> tuple[list[str], set[str]]:
    """Waiting callers on no live call are set aside (a late event or its CDR still says how
    the call left); answered calls on none have ended."""
    corrections: list[str] = []
    changed: set[str] = set()
    for queue in state.queues.values():
        for call in state.calls.waiting_in(queue.number):
            if call.call_id not in live:
                state.calls.set_aside(call.call_id)
                corrections.append("ghost_waiting")
                changed.add(queue.number)
    for call_id, talk in state.calls.talking().items():
        if call_id not in live:
            state.calls.hang_up(call_id, now_ms)
            corrections.append("ghost_call")
            changed.add(talk.queue)
    return corrections, changed


def _phone_states(events: Iterable[CallEvent]) -> dict[str, str]:
    """What 30008 should say of each extension in a live call: `Ringing` while its only legs
    ring, else `Busy` (anything else it does in a call keeps the phone busy)."""
    phones: dict[str, str] = {}
    for member in (m for event in events for m in event.members):
        if member.kind == "extension" and member.status != GONE_STATUS:
            busy = member.status != "RING" or phones.get(member.number) == "Busy"
            phones[member.number] = "Busy" if busy else "Ringing"
    return phones


def _correct_phones(state: LiveState, events: list[CallEvent]) -> tuple[list[str], set[str]]:
    """A lost 30008 must not leave an agent on a call forever (or idle while talking)."""
    truth = _phone_states(events)
    corrections: list[str] = []
    changed: set[str] = set()
    for number, extension in state.extensions.items():
        expected = truth.get(number, "Idle")
        if extension.call_state != expected:
            extension.call_state = expected
            corrections.append("extension_call_state")
            changed |= {queue.number for queue, _ in state.memberships(number)}
    return corrections, changed
