"""30011 call events and `queue/call_status` into waiting callers and agents' call status."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.live.agents import LEG_STATUS, ON_A_CALL, CallStatus
from dashboard.live.call import OPEN, QueueCall, Talking
from dashboard.live.calls import GONE_STATUS, learn_did, track_talk
from dashboard.live.events import CallEvent, CallMember, path_features
from dashboard.live.fields import rows, seconds, text
from dashboard.live.outcomes import Outcome
from dashboard.live.state import LiveState, QueueState

ANSWERED_STATUSES = frozenset({"ANSWER", "ANSWERED"})
RINGING_STATUS = "RING"


def apply_call_event(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """Apply a 30011 event; returns the numbers of the queues whose board data changed.
    What happened to queue calls goes to `state.outbox`."""
    known = state.calls.get(event.call_id)  # as it was before this event
    changed = _update_waiting(state, event, now_ms) | _update_phones(state, event, known, now_ms)
    return changed | track_talk(state, event) | _end_talk(state, event, now_ms)


def _end_talk(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    """An answered queue call is over for its queue once its agent's leg is gone (hung up,
    transferred the caller, or no longer listed) or the caller hangs up."""
    call = state.calls.get(event.call_id)
    talk = call.talk if call else None
    if talk is None:
        return set()
    legs = {m.number: m.status for m in event.members if m.kind == "extension"}
    caller = event.caller
    agent_gone = bool(talk.agent) and legs.get(talk.agent, GONE_STATUS) == GONE_STATUS
    if agent_gone or caller is None or caller.status == GONE_STATUS:
        return _hang_up(state, talk, event.call_id, now_ms)
    return set()


def _hang_up(state: LiveState, talk: Talking, call_id: str, now_ms: int) -> set[str]:
    """The talk is over: handled, and its agent wraps up for the queue's wrap-up time."""
    state.calls.hang_up(call_id, now_ms)
    _wrap_up(state, talk.agent, state.queues.get(talk.queue), now_ms)
    return {talk.queue}


def _wrap_up(state: LiveState, number: str, queue: QueueState | None, now_ms: int) -> None:
    if queue is not None and queue.wrap_up_s:
        state.wrap_up_until[number] = now_ms + queue.wrap_up_s * 1000


def _update_phones(
    state: LiveState, event: CallEvent, known: QueueCall | None, now_ms: int
) -> set[str]:
    """Each phone's leg in this call, then what the phone does over all its calls (one phone:
    the same call status in every queue its agent serves). A leg no longer listed is over: the
    phone rang out, or another phone took a ring-all call."""
    listed = {m.number for m in event.members if m.kind == "extension"}
    legs = {
        m.number: LEG_STATUS[m.status]
        for m in event.members
        if m.kind == "extension" and m.status in LEG_STATUS and m.number not in state.queues
    }
    legs |= dict.fromkeys(_legs_held(state, event, known) - listed, "idle")
    changed: set[str] = set()
    for number, status in legs.items():
        if _leg_ends(state, number, event.call_id, status) and known is None:
            # A queue call we never followed: whoever talked on it wraps up.
            _wrap_up(state, number, _queue_on_path(state, _path(event)), now_ms)
        changed |= _set_call_status(state, number, now_ms)
    return changed


def _legs_held(state: LiveState, event: CallEvent, known: QueueCall | None) -> set[str]:
    """The agents of the queues this call is or was in who have a leg in it."""
    queues = set(path_features(_path(event)))
    queues |= {call.queue for call in (known, state.calls.get(event.call_id)) if call}
    agents = {n for q in queues if q in state.queues for n in state.queues[q].agents}
    extensions = (state.extensions.get(n) for n in agents)
    return {e.number for e in extensions if e is not None and event.call_id in e.legs}


def _leg_ends(state: LiveState, number: str, call_id: str, status: CallStatus) -> bool:
    """Record the phone's leg in the call; True when a leg it talked on is over."""
    legs = state.extension(number).legs
    talked = legs.get(call_id) in ON_A_CALL
    if status == "idle":
        legs.pop(call_id, None)
    else:
        legs[call_id] = status
    return talked and status == "idle"


def _set_call_status(state: LiveState, number: str, now_ms: int) -> set[str]:
    status = state.extension(number).call_status()
    changed: set[str] = set()
    for queue, agent in state.memberships(number):
        if agent.call_status != status:
            agent.call_status, agent.since_ms = status, now_ms
            changed.add(queue.number)
    return changed


def _path(event: CallEvent) -> str:
    """Every member's call_path, joined (the caller's is the one a queue call waits by)."""
    return "-".join(m.call_path for m in event.members if m.call_path)


def _update_waiting(state: LiveState, event: CallEvent, now_ms: int) -> set[str]:
    call = state.calls.get(event.call_id)
    if call is not None and call.phase == "closed":  # its CDR came first: over and counted
        return set()
    target = _queue_waited_in(state, event)
    changed = _leave(state, call, event, target, now_ms) if call else set()
    if target is None:
        return changed
    if not _waits_in(state, event.call_id, target.number):
        changed |= _start_wait(state, event, target, now_ms)
    return changed | _note_ringing(state, event, target)


def _start_wait(state: LiveState, event: CallEvent, target: QueueState, now_ms: int) -> set[str]:
    changed: set[str] = set()
    call = state.calls.get(event.call_id)
    if call is not None and call.talk is not None:  # sent on to a queue: the talk is over
        changed |= _hang_up(state, call.talk, call.call_id, now_ms)
    if state.calls.wait(event.call_id, target.number, _caller(event), now_ms) is None:
        changed.add(target.number)
        learn_did(state, event)
    return changed


def _note_ringing(state: LiveState, event: CallEvent, queue: QueueState) -> set[str]:
    """Whether an agent's phone rings for the waiting caller (who waits on all the same)."""
    call = state.calls.get(event.call_id)
    ringing = any(m.status == RINGING_STATUS for m in _agent_legs(state, event, queue))
    if call is None or call.phase != "waiting" or call.ringing == ringing:
        return set()
    state.calls.ring(call.call_id, ringing)
    return {queue.number}


def _leave(
    state: LiveState, call: QueueCall, event: CallEvent, target: QueueState | None, now_ms: int
) -> set[str]:
    """The call no longer waits where its offer is open (waiting there, or set aside by REST):
    its one outcome. Back in the same queue, it still waits."""
    queue = state.queues.get(call.queue)
    if call.phase not in OPEN or queue is None or queue is target:
        return set()
    if target is None and _ended_unseen(state, call, event, queue):
        state.calls.set_aside(call.call_id)  # already aside if REST took it off its list
        return {queue.number}
    agent = _answered_by(state, event, queue)
    outcome = _outcome(event, queue, target, now_ms - call.since_ms, answered=bool(agent))
    state.calls.leave(call.call_id, outcome, now_ms, agent)
    return {queue.number}


def _ended_unseen(state: LiveState, call: QueueCall, event: CallEvent, queue: QueueState) -> bool:
    """The call is over and an agent of the queue hangs up on it, whom no event showed ringing
    for it (REST did, or nothing did): it rang and maybe answered in events the PBX never sent
    us (pushes dropped). Its outcome is its CDR's to tell (30012, or the read-back), not
    "abandoned"."""
    caller = event.caller
    if caller is not None and caller.status != GONE_STATUS:
        return False
    gone = [m.number for m in _agent_legs(state, event, queue) if m.status == GONE_STATUS]
    phones = (state.extensions.get(number) for number in gone)
    unseen = any(phone is None or event.call_id not in phone.legs for phone in phones)
    return bool(gone) and (unseen or not call.ringing)


def _waits_in(state: LiveState, call_id: str, queue: str) -> bool:
    call = state.calls.get(call_id)
    return call is not None and call.phase == "waiting" and call.queue == queue


def _outcome(
    event: CallEvent, queue: QueueState, target: QueueState | None, wait_ms: int, answered: bool
) -> Outcome:
    """Answered (by an agent of the queue); moved to another queue (`moved_outcome`); timed
    out (left once the queue's maximum wait was reached, or for its failover); abandoned (the
    caller hung up); otherwise transferred out (a key press sent the caller elsewhere, or
    someone other than its agents took it)."""
    if answered:
        return "answered"
    if target is not None:
        return moved_outcome(queue, target.number, wait_ms)
    if _reached_max(queue, wait_ms) or _sent_to_failover(event, queue):
        return "timed_out"
    caller = event.caller
    return "abandoned" if caller is None or caller.status == GONE_STATUS else "transferred"


def moved_outcome(queue: QueueState, to: str, wait_ms: int) -> Outcome:
    """The caller left `queue` for queue `to`: for its failover at the maximum wait (an
    overflow), timed out; by a key press for another queue, transferred. A queue whose
    maximum wait and failover we do not know is taken to overflow (the commoner set-up)."""
    known = queue.max_wait_s > 0 or bool(queue.failover)
    if not known or to == queue.failover or _reached_max(queue, wait_ms):
        return "timed_out"
    return "transferred"


def _reached_max(queue: QueueState, wait_ms: int) -> bool:
    """The PBX sends a caller on (or hangs up, if that is the failover) at the maximum wait."""
    return queue.max_wait_s > 0 and wait_ms >= (queue.max_wait_s - 1) * 1000


def _sent_to_failover(event: CallEvent, queue: QueueState) -> bool:
    """The caller went on to the queue's failover destination (on its path, or a phone of its
    own): it timed out, whatever our clock says its wait was."""
    caller = event.caller
    if not queue.failover or caller is None or caller.status == GONE_STATUS:
        return False
    phones = {m.number for m in event.members if m.kind == "extension" and m is not caller}
    return path_features(caller.call_path)[-1:] == [queue.failover] or queue.failover in phones


def _queue_waited_in(state: LiveState, event: CallEvent) -> QueueState | None:
    """The queue this call is waiting in now, or None once it is answered, gone or elsewhere."""
    if any(m.status in ANSWERED_STATUSES for m in _others(state, event)):
        return None  # answered, by an agent or by whoever the caller was sent to
    caller = event.caller
    if caller is None or caller.status == GONE_STATUS:
        state.calls.caller_left(event.call_id)
        return None
    queue = _queue_at_end(state, caller.call_path)
    call = state.calls.get(event.call_id)
    if queue is None or _rings_elsewhere(state, event, queue):
        return None
    return None if call is not None and call.answered_in == queue.number else queue


def _queue_at_end(state: LiveState, call_path: str) -> QueueState | None:
    """A caller waits in a queue while it is the last feature on the path ("6500-6400" is in
    6400 after IVR 6500; "6400-8000" has left 6400 for 8000)."""
    tokens = path_features(call_path)
    return state.queues.get(tokens[-1]) if tokens else None


def _queue_on_path(state: LiveState, call_path: str) -> QueueState | None:
    """`call_path` names the features a call went through; the last known queue is where it is."""
    return next(
        (state.queues[t] for t in reversed(path_features(call_path)) if t in state.queues), None
    )


def _others(state: LiveState, event: CallEvent) -> list[CallMember]:
    """The phones on the call besides the caller's. The caller's own leg may read ANSWERED
    while it waits (the queue answers to play music), and the queue may appear as a member
    itself: neither is a phone the call reached."""
    caller = event.caller
    return [
        m
        for m in event.members
        if m is not caller and m.kind == "extension" and m.number not in state.queues
    ]


def _is_agent(queue: QueueState, number: str) -> bool:
    """An agent of the queue (any phone, while its agents are not known yet)."""
    return not queue.agents or number in queue.agents


def _agent_legs(state: LiveState, event: CallEvent, queue: QueueState) -> list[CallMember]:
    return [m for m in _others(state, event) if _is_agent(queue, m.number)]


def _rings_elsewhere(state: LiveState, event: CallEvent, queue: QueueState) -> bool:
    """A phone that is no agent of the queue rings for the caller: a queue rings only its
    agents, so the caller was sent on (a key press for an extension, say: docs/pbxsim.md)."""
    others = _others(state, event)
    return any(m.status == RINGING_STATUS and not _is_agent(queue, m.number) for m in others)


def _answered_by(state: LiveState, event: CallEvent, queue: QueueState) -> str:
    """The agent of the queue who answered, if one did ("" when nobody, or someone else)."""
    legs = _agent_legs(state, event, queue)
    return next((m.number for m in legs if m.status in ANSWERED_STATUSES), "")


def _caller(event: CallEvent) -> str:
    return event.caller.number if event.caller else ""


@dataclass(frozen=True)
class Listed:
    """A caller on `queue/call_status`'s waiting or ringing list."""

    call_id: str
    caller: str
    waited_ms: int


def parse_listed(entries: object) -> list[Listed]:
    """The callers on the lists (entries without a call id skipped)."""
    listed = (
        Listed(
            text(e.get("call_id")),
            text(e.get("caller_number")),
            (seconds(e.get("duration")) or 0) * 1000,
        )
        for e in rows(entries)
    )
    return [row for row in listed if row.call_id]


def load_waiting(
    state: LiveState, queue: QueueState, entries: Iterable[Mapping[str, Any]], now_ms: int
) -> bool:
    """Make a queue's waiting set the PBX's lists; True if anything changed. REST may be ahead
    of the events: a caller it shows first is counted as offered now, one it shows here while
    its events have it in another queue has left that one (`moved_outcome`), and one it takes
    away is kept aside until an event or its CDR says how the call left."""
    before = _waiting_rows(state, queue.number)
    listed = parse_listed(entries)
    for row in listed:
        call = state.calls.get(row.call_id)
        if call is not None and call.phase in OPEN and call.queue != queue.number:
            left = state.queues.get(call.queue)
            wait_ms = now_ms - row.waited_ms - call.since_ms
            outcome = moved_outcome(left, queue.number, wait_ms) if left else "timed_out"
            state.calls.leave(row.call_id, outcome, now_ms)
        state.calls.wait(row.call_id, queue.number, row.caller, now_ms - row.waited_ms)
    kept = {row.call_id for row in listed}
    for call in state.calls.waiting_in(queue.number):
        if call.call_id not in kept:
            state.calls.set_aside(call.call_id)
    return _waiting_rows(state, queue.number) != before


def _waiting_rows(state: LiveState, queue: str) -> dict[str, tuple[str, int]]:
    return {c.call_id: (c.caller, c.since_ms) for c in state.calls.waiting_in(queue)}
