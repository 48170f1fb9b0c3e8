"""Call detail records (30012 and `cdr/list`) into queue outcomes: a call the events left open
is settled by its CDR, and a day's CDRs rebuild the counters of a worker that starts mid-day."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.live.calls import whole_seconds
from dashboard.live.outcomes import Handled, Offered, Outcome, Record, Settled, Told
from dashboard.live.state import LiveState, QueueState

ANSWERED = "ANSWERED"
INBOUND = "inbound"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Cdr:
    call_id: str
    start_ms: int  # time_start, in the PBX's local time on the wire
    call_from: str
    call_to: str  # the queue when nobody answered; the answering agent otherwise
    call_s: int  # start → end
    talk_s: int  # answer → end
    answered: bool
    inbound: bool
    did: str

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.call_s * 1000


def parse_cdr(msg: Mapping[str, Any], zone: str) -> Cdr | None:
    """Read a 30012 payload (or a `cdr/list` entry); None without a call id or a start time."""
    try:
        local = datetime.strptime(str(msg.get("time_start", "")).strip(), TIME_FORMAT)
    except ValueError:
        return None
    call_id = str(msg.get("call_id") or "")
    if not call_id:
        return None
    return Cdr(
        call_id=call_id,
        start_ms=int(local.replace(tzinfo=ZoneInfo(zone)).timestamp() * 1000),
        call_from=str(msg.get("call_from") or "").strip(),
        call_to=str(msg.get("call_to") or "").strip(),
        call_s=whole_seconds(msg.get("call_duration")),
        talk_s=whole_seconds(msg.get("talk_duration")),
        answered=str(msg.get("status", "")).upper() == ANSWERED,
        # The reference's table says lowercase, its example and real code capitalised.
        inbound=str(msg.get("type", "")).lower() == INBOUND,
        did=str(msg.get("did_number") or "").strip(),
    )


def learn_did(state: LiveState, cdr: Cdr, queue: str) -> None:
    if cdr.did:
        state.did_queues[cdr.did] = queue


def queue_of(state: LiveState, cdr: Cdr) -> QueueState | None:
    """The queue an inbound call went through: the one we followed it in (waiting, answered,
    or first seen answered); the one it names (an unanswered CDR's `call_to`); the one its DID
    leads to; or the only queue of the agent who answered it. None for calls that passed no
    queue we can name."""
    if not cdr.inbound:
        return None
    call = state.calls.get(cdr.call_id)
    candidates = (
        call.followed_in if call else None,
        cdr.call_to if cdr.call_to in state.queues else None,
        state.did_queues.get(cdr.did),
        _only_queue_of(state, cdr.call_to),
    )
    return next((state.queues[c] for c in candidates if c and c in state.queues), None)


def _only_queue_of(state: LiveState, agent: str) -> str | None:
    queues = [queue.number for queue, _ in state.memberships(agent)]
    return queues[0] if len(queues) == 1 else None


def waited_ms(cdr: Cdr) -> int:
    return (cdr.call_s - cdr.talk_s if cdr.answered else cdr.call_s) * 1000


def told_by(cdr: Cdr, queue: QueueState) -> Told:
    """The whole call as the CDR tells it. Abandoned and transferred-out calls both read
    NO ANSWER: one that waited the queue's maximum is timed out, the rest abandoned."""
    outcome: Outcome = "abandoned"
    if cdr.answered:
        outcome = "answered"
    elif queue.max_wait_s and cdr.call_s >= queue.max_wait_s - 1:
        outcome = "timed_out"
    agent = cdr.call_to if cdr.answered else ""
    return Told(
        Offered(queue.number, cdr.call_id),
        Settled(queue.number, cdr.call_id, outcome, waited_ms(cdr), agent),
        Handled(queue.number, cdr.call_id, agent, cdr.talk_s * 1000) if cdr.answered else None,
    )


def apply_cdr(state: LiveState, cdr: Cdr) -> set[str]:
    """30012: the call is over. Count what its events left open and close it, so that late
    events cannot count it again. Returns the queues whose data changed."""
    queue = queue_of(state, cdr)
    if queue is None:
        return set()
    before = state.calls.get(cdr.call_id)
    if state.calls.close(cdr.call_id, cdr.end_ms, told_by(cdr, queue)) is not None:
        return set()
    learn_did(state, cdr, queue.number)
    live = before is not None and before.phase in ("waiting", "aside", "talking")
    return {queue.number} if live else set()


def rebuild(state: LiveState, cdrs: Iterable[Cdr], since_ms: int) -> list[Record]:
    """Today's queue calls that ended before we started, from their CDRs (oldest first):
    every call since `since_ms` that the live state does not already follow."""
    ordered = sorted(cdrs, key=lambda cdr: cdr.end_ms)
    for cdr in ordered:  # unanswered CDRs name their queue: learn where each DID leads
        if cdr.inbound and cdr.call_to in state.queues:
            learn_did(state, cdr, cdr.call_to)
    records: list[Record] = []
    for cdr in ordered:
        queue = queue_of(state, cdr)
        if queue is None or cdr.start_ms < since_ms:
            continue
        if state.calls.close_unseen(cdr.call_id, queue.number, cdr.end_ms) is None:
            records += told_by(cdr, queue).records()
    return records
