"""Live answered queue calls (hold, the agent's channel) and REST's word on every live call:
`queue/call_status` active lists and `call/query`, which also say what each phone is doing."""

from collections.abc import Iterable, Mapping
from typing import Any

from dashboard.live.events import CallEvent, parse_call_event
from dashboard.live.outcomes import Handled, Offered, Settled, Talking
from dashboard.live.state import LiveState, QueueState

HOLD_STATUS = "HOLD"
GONE_STATUS = "BYE"


def whole_seconds(value: object) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


def start_talk(state: LiveState, talking: Talking, call_id: str) -> None:
    state.talking[call_id] = talking
    # The caller's leg may still read ANSWERED after the agent leaves: not a new wait.
    state.remember(state.answered_in, call_id, talking.queue)


def hang_up(state: LiveState, call_id: str, now_ms: int) -> None:
    """An answered queue call ended now: handled, with its talk time (if we counted it)."""
    talking = state.talking.pop(call_id)
    if talking.counted:
        talk_ms = max(0, now_ms - talking.answered_ms)
        state.outbox.append(Handled(talking.queue, call_id, talking.agent, talk_ms))


def track_talk(state: LiveState, event: CallEvent) -> set[str]:
    """Hold state and the agent's channel of an answered queue call, from its members (30011
    shows `HOLD` on the legs while the call is held)."""
    talking = state.talking.get(event.call_id)
    if talking is None:
        return set()
    held = any(member.status == HOLD_STATUS for member in event.members)
    channel = next(
        (
            m.channel_id
            for m in event.members
            if m.kind == "extension" and m.number == talking.agent and m.channel_id
        ),
        talking.channel_id,
    )
    if (held, channel) == (talking.held, talking.channel_id):
        return set()
    talking.held, talking.channel_id = held, channel
    return {talking.queue}


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
    fresh = {str(entry.get("call_id")): entry for entry in entries if entry.get("call_id")}
    corrections = []
    for call_id, entry in fresh.items():
        if call_id not in state.talking:
            _adopt(state, queue, call_id, entry, now_ms, connecting)
            corrections.append("call_added")
    ours = [call_id for call_id, t in state.talking.items() if t.queue == queue.number]
    for call_id in set(ours) - fresh.keys():
        hang_up(state, call_id, now_ms)
        corrections.append("call_removed")
    return corrections


def _adopt(
    state: LiveState,
    queue: QueueState,
    call_id: str,
    entry: Mapping[str, Any],
    now_ms: int,
    connecting: bool,
) -> None:
    """An answered call we had not seen answered. One REST took off the waiting list was
    answered: counted now, with its wait. One never counted, found on connecting, is counted
    now too, its wait to come with its CDR. Otherwise its events may still be in flight (then
    they count it, from its first wait) or long gone (then its CDR counts it whole): either way
    its late events must not be turned away."""
    answered_ms = now_ms - whole_seconds(entry.get("duration")) * 1000
    agent, caller = str(entry.get("callee_number", "")), str(entry.get("caller_number", ""))
    talking = Talking(queue.number, agent, answered_ms, caller)
    waiting = state.unsettled.pop(call_id, None)
    if waiting is not None:
        wait_ms = max(0, answered_ms - waiting.since_ms)
        state.outbox.append(Settled(queue.number, call_id, "answered", wait_ms, agent))
        state.settle_offer(call_id)
    elif connecting and call_id not in state.offered:
        state.remember(state.offered, call_id, "")
        state.remember(state.wait_unknown, call_id, queue.number)
        state.outbox += [
            Offered(queue.number, call_id),
            Settled(queue.number, call_id, "answered", 0, agent, wait_known=False),
        ]
    else:
        talking.counted = False
        state.talking[call_id] = talking
        state.remember(state.uncounted, call_id, queue.number)
        return
    start_talk(state, talking, call_id)


def reconcile_calls(
    state: LiveState, calls: Iterable[Mapping[str, Any]], now_ms: int
) -> tuple[list[str], set[str]]:
    """Make the state match `call/query` (all three selectors together: every live call).
    Waiting callers and answered calls it lacks are ghosts; phones follow their legs.
    Returns the corrections and the queues whose board data changed."""
    events = [e for e in (parse_call_event(dict(call)) for call in calls) if e is not None]
    live = {event.call_id for event in events}
    corrections: list[str] = []
    changed: set[str] = set()
    for event in events:
        changed |= track_talk(state, event)
    for queue in state.queues.values():
        for call_id in queue.waiting.keys() - live:
            # Kept aside: a late event or its CDR still says how the call left.
            state.remember(state.unsettled, call_id, queue.waiting.pop(call_id))
            corrections.append("ghost_waiting")
            changed.add(queue.number)
    for call_id in state.talking.keys() - live:
        changed.add(state.talking[call_id].queue)
        hang_up(state, call_id, now_ms)
        corrections.append("ghost_call")
    phones, queues = _correct_phones(state, events)
    return corrections + phones, changed | queues


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
