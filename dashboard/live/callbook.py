"""The queue calls we follow, one record each, changed only by the transitions here; what each
transition counts goes to the outbox, for today's figures."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from dashboard.live.call import OPEN, QueueCall, Talking
from dashboard.live.outcomes import Handled, Offered, Outcome, Record, Settled, Told, WaitLearned

log = logging.getLogger(__name__)

# Ended calls are remembered this many at most: calls whose end we never see (no CDR reaches
# us) must not pile up for weeks. Waiting and talking calls are never forgotten.
CALL_MEMORY = 10_000


@dataclass(frozen=True)
class Refused:
    """A transition the call's phase does not allow: nothing changed."""

    call_id: str
    transition: str
    reason: str


class CallBook:
    """Every call that reached a queue, by call id, and which of them wait or talk."""

    def __init__(self) -> None:
        # What happened to queue calls since the caller last drained it (for today's figures).
        self.outbox: list[Record] = []
        # Outcomes counted from CDRs (the events left them open), since this state began.
        self.from_cdrs = 0
        self._calls: dict[str, QueueCall] = {}  # oldest first, for the memory bound
        self._waiting: dict[str, dict[str, None]] = {}  # queue → its waiting calls' ids
        self._talking: dict[str, None] = {}

    def __deepcopy__(self, memo: dict[int, object]) -> "CallBook":
        """Records are immutable: a copy of the indexes is a copy of the book, at a fraction
        of a deep copy's cost (a REST re-read is tried on a copy of the state each time)."""
        book = CallBook()
        book.outbox, book.from_cdrs = list(self.outbox), self.from_cdrs
        book._calls, book._talking = dict(self._calls), dict(self._talking)
        book._waiting = {queue: dict(calls) for queue, calls in self._waiting.items()}
        return book

    def get(self, call_id: str) -> QueueCall | None:
        return self._calls.get(call_id)

    def records(self) -> Iterable[QueueCall]:
        return self._calls.values()

    def waiting_in(self, queue: str) -> list[QueueCall]:
        """The calls waiting in this queue, in the order they came."""
        return [self._calls[call_id] for call_id in self._waiting.get(queue, {})]

    def talking(self) -> dict[str, Talking]:
        """Answered calls in progress, by call id."""
        return {c: talk for c in self._talking if (talk := self._calls[c].talk) is not None}

    def newest_closed_ms(self) -> int:
        """When the newest call closed by its CDR ended, on the PBX's clock (0 if none)."""
        return max((c.ended_ms for c in self._calls.values() if c.phase == "closed"), default=0)

    def wait(self, call_id: str, queue: str, caller: str, since_ms: int) -> Refused | None:
        """The call waits in `queue` since `since_ms` (by its events, or on REST's list). Offered
        there once: back on the list it was taken off, it keeps the wait it had."""
        call = self._calls.get(call_id)
        refused = _refuse_wait(call, queue) if call is not None else None
        if refused is not None:
            return self._refused(refused)
        if call is not None and call.phase in OPEN:
            self._put(call._replace(phase="waiting", caller=caller))
            return None
        self.outbox.append(Offered(queue, call_id))
        self._put(_as_waiting(call, call_id, queue, caller, since_ms))
        return None

    def leave(self, call_id: str, outcome: Outcome, now_ms: int, agent: str = "") -> Refused | None:
        """The call left its queue's waiting set now, by its events or REST: its one outcome.
        Answered, it talks with `agent` from now."""
        call = self._calls.get(call_id)
        if call is None or call.phase not in OPEN:
            return self._refused(Refused(call_id, "leave", "not waiting: its outcome is counted"))
        outcome = _sent_on_outcome(outcome) if call.went_on else outcome
        self.outbox.append(Settled(call.queue, call_id, outcome, now_ms - call.since_ms, agent))
        if outcome != "answered":
            self._put(call._replace(phase="ended"))
            return None
        talk = Talking(call.queue, agent, now_ms, call.caller)
        self._put(call._replace(phase="talking", talk=talk, answered_in=call.queue))
        return None

    def ring(self, call_id: str, ringing: bool) -> Refused | None:
        """An agent's phone rings for the waiting caller, or no longer does: it waits on."""
        call = self._calls.get(call_id)
        if call is None or call.phase != "waiting":
            return self._refused(Refused(call_id, "ring", "not waiting"))
        self._put(call._replace(ringing=ringing))
        return None

    def set_aside(self, call_id: str) -> Refused | None:
        """REST no longer lists the caller waiting: kept aside, not counted, until its next
        event or its CDR says how it left."""
        call = self._calls.get(call_id)
        if call is None or call.phase != "waiting":
            return self._refused(Refused(call_id, "set_aside", "not waiting"))
        self._put(call._replace(phase="aside"))
        return None

    def answered_by_rest(self, call_id: str, talk: Talking, connecting: bool) -> Refused | None:
        """REST's active list shows the call answered, and we had not seen it so. One taken off
        a waiting list was answered: its outcome, with its wait. One never counted, found on
        connecting, is counted now, its wait to come with its CDR; so is one that left another
        queue (sent on while no event reached us). Otherwise its events may still be in flight
        (they count it) or long gone (its CDR counts it): not counted now."""
        call = self._calls.get(call_id)
        if call is not None and call.phase in ("talking", "closed"):
            return self._refused(Refused(call_id, "answered_by_rest", f"{call.phase} already"))
        if call is not None and call.phase in OPEN:
            wait_ms = max(0, talk.answered_ms - call.since_ms)
            self.outbox.append(Settled(talk.queue, call_id, "answered", wait_ms, talk.agent))
            self._put(_as_talking(call, call_id, talk)._replace(answered_in=talk.queue))
        elif connecting and (call is None or not call.offered or _left(call, talk.queue)):
            self._count_answered_unseen(_as_talking(call, call_id, talk), talk)
        else:
            talking = _as_talking(call, call_id, talk._replace(counted=False))
            # Answered here after its time in another queue ended: not offered here yet (so a
            # second read, or its CDR, counts it here).
            offered = talking.offered and not (call is not None and _left(call, talk.queue))
            self._put(talking._replace(first_seen_answered=True, offered=offered))
        return None

    def answered_again(self, call_id: str) -> Refused | None:
        """REST shows again, answered, a call it first showed answered that nothing counted
        since: its events are not in flight (a re-read later), they were lost. Counted now,
        as on connecting: its wait to come with its CDR."""
        call = self._calls.get(call_id)
        talk = call.talk if call is not None else None
        if call is None or talk is None or talk.counted or call.offered:
            return self._refused(Refused(call_id, "answered_again", "counted already"))
        counted = talk._replace(counted=True)
        self._count_answered_unseen(call._replace(talk=counted, first_seen_answered=False), counted)
        return None

    def _count_answered_unseen(self, talking: QueueCall, talk: Talking) -> None:
        """Offered and answered in `talk`'s queue at once, its wait to come with its CDR."""
        self.outbox += [
            Offered(talk.queue, talking.call_id),
            Settled(talk.queue, talking.call_id, "answered", 0, talk.agent, wait_known=False),
        ]
        self._put(talking._replace(offered=True, wait_unknown=True, answered_in=talk.queue))

    def hang_up(self, call_id: str, now_ms: int) -> Refused | None:
        """An answered call ended now: handled, with its talk time (if we counted it)."""
        call = self._calls.get(call_id)
        if call is None or call.talk is None:
            return self._refused(Refused(call_id, "hang_up", "not talking"))
        talk = call.talk
        if talk.counted:
            talk_ms = max(0, now_ms - talk.answered_ms)
            self.outbox.append(Handled(talk.queue, call_id, talk.agent, talk_ms))
        self._put(call._replace(phase="ended", talk=None))
        return None

    def note_talk(self, call_id: str, held: bool, channel_id: str) -> Refused | None:
        """Hold and the agent's channel of an answered call (30011 legs, call/query)."""
        call = self._calls.get(call_id)
        if call is None or call.talk is None:
            return self._refused(Refused(call_id, "note_talk", "not talking"))
        talk = call.talk._replace(held=held, channel_id=channel_id)
        self._put(call._replace(talk=talk))
        return None

    def went_on(self, call_id: str, queue: str, caller: str) -> Refused | None:
        """REST shows the call alive after it left `queue` (call/query: its path names the
        queue, no list of the queue does): nothing counted now. Its next event or its CDR
        counts it, as sent on rather than abandoned if it went unanswered. A call set aside
        there stays aside; one we never followed is kept as ended."""
        call = self._calls.get(call_id)
        if call is not None and (call.phase != "aside" or call.queue != queue):
            return self._refused(Refused(call_id, "went_on", f"{call.phase} in {call.queue}"))
        known = call or QueueCall(call_id, "ended", queue, caller=caller)
        self._put(known._replace(went_on=True))
        return None

    def caller_left(self, call_id: str) -> None:
        """The caller's leg is gone: whatever it reads next is not the answered call."""
        call = self._calls.get(call_id)
        if call is not None and call.answered_in and call.phase != "closed":
            self._put(call._replace(answered_in=""))

    def close(self, call_id: str, end_ms: int, told: Told) -> Refused | None:
        """The call's CDR: count what its events left open (the whole call if never offered,
        its outcome if it still waited, its talk time if still talking, its wait if that was
        unknown); then it is over, and nothing counts it again."""
        call = self._calls.get(call_id)
        if call is not None and call.phase == "closed":
            return self._refused(Refused(call_id, "close", "closed already: its CDR counted"))
        self.outbox += self.count_from_cdrs(_left_open(call, told))
        self._put(QueueCall(call_id, "closed", told.offered.queue, offered=True, ended_ms=end_ms))
        return None

    def close_elsewhere(
        self, call_id: str, end_ms: int, left: Outcome, told: Told
    ) -> Refused | None:
        """The call's CDR ends it in another queue than the one it waits, talks or ended in
        here (sent on while no event reached us): it leaves this queue (`left`, if it waited)
        or its talk here is over, and the CDR's queue counts it whole; then it is over."""
        call = self._calls.get(call_id)
        if call is None or call.phase == "closed":
            return self._refused(Refused(call_id, "close_elsewhere", "closed already"))
        if call.phase in OPEN:
            self.leave(call_id, left, end_ms)
        elif call.phase == "talking":
            self.hang_up(call_id, end_ms)
        self.outbox += self.count_from_cdrs(told.records())
        self._put(QueueCall(call_id, "closed", told.offered.queue, offered=True, ended_ms=end_ms))
        return None

    def count_from_cdrs(self, records: list[Record]) -> list[Record]:
        """The records a CDR told, its outcomes counted among those from CDRs."""
        self.from_cdrs += sum(isinstance(record, Settled) for record in records)
        return records

    def close_unseen(self, call_id: str, queue: str, end_ms: int) -> Refused | None:
        """A call that ended before we started, rebuilt from its CDR by the caller: closed
        unless we counted it already (offered, or closed)."""
        call = self._calls.get(call_id)
        if call is not None and (call.offered or call.phase == "closed"):
            return self._refused(Refused(call_id, "close_unseen", "counted already"))
        self._put(QueueCall(call_id, "closed", queue, ended_ms=end_ms))
        return None

    def drop_queue(self, queue: str) -> None:
        """The queue is gone from the PBX: its callers wait nowhere we can count."""
        for call in [c for c in self._calls.values() if c.phase in OPEN and c.queue == queue]:
            self._put(call._replace(phase="ended"))

    def restore(self, call: QueueCall) -> None:
        """A predecessor's record, handed over in its ledger: already counted."""
        self._put(call)

    def _refused(self, refused: Refused) -> Refused:
        # Events come late, twice or out of order, and REST runs ahead of them: expected.
        log.debug("Call %s: %s refused (%s)", refused.call_id, refused.transition, refused.reason)
        return refused

    def _put(self, call: QueueCall) -> None:
        """Store the call's new record, keep the waiting and talking indexes, bound the memory."""
        old = self._calls.get(call.call_id)
        if old is not None and (old.phase, old.queue) != (call.phase, call.queue):
            self._waiting.get(old.queue, {}).pop(call.call_id, None)
            self._talking.pop(call.call_id, None)
        self._calls[call.call_id] = call
        if call.phase == "waiting":
            self._waiting.setdefault(call.queue, {})[call.call_id] = None
        elif call.phase == "talking":
            self._talking[call.call_id] = None
        if old is None and len(self._calls) > CALL_MEMORY:
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        idle = (c for c, call in self._calls.items() if call.phase not in ("waiting", "talking"))
        oldest = next(idle, None)
        if oldest is not None:
            del self._calls[oldest]


def _left(call: QueueCall, queue: str) -> bool:
    """The call's time in another queue is over: an offer here is a new one."""
    return call.phase == "ended" and call.queue != queue


def _refuse_wait(call: QueueCall, queue: str) -> Refused | None:
    if call.phase == "closed":
        return Refused(call.call_id, "wait", "closed by its CDR: over and counted")
    if call.phase == "talking":
        return Refused(call.call_id, "wait", "talking: its talk must end first")
    if call.phase in OPEN and call.queue != queue:
        return Refused(call.call_id, "wait", f"offered in {call.queue}: no outcome there yet")
    return None


def _as_waiting(
    call: QueueCall | None, call_id: str, queue: str, caller: str, since_ms: int
) -> QueueCall:
    """A new wait; the call's earlier life (answered where, how first seen) stays on record."""
    known = call if call is not None else QueueCall(call_id, "waiting", queue)
    return known._replace(
        phase="waiting", queue=queue, caller=caller, since_ms=since_ms, offered=True, ringing=False,
        went_on=False,
    )  # fmt: skip


def _as_talking(call: QueueCall | None, call_id: str, talk: Talking) -> QueueCall:
    known = call if call is not None else QueueCall(call_id, "talking", talk.queue)
    return known._replace(phase="talking", queue=talk.queue, talk=talk)


def _sent_on_outcome(outcome: Outcome) -> Outcome:
    """A call whose caller REST saw alive after its queue was not abandoned there: sent on."""
    return "transferred" if outcome == "abandoned" else outcome


def _sent_on(told: Told) -> Told:
    return replace(
        told, settled=replace(told.settled, outcome=_sent_on_outcome(told.settled.outcome))
    )


def _left_open(call: QueueCall | None, told: Told) -> list[Record]:
    """What a CDR adds to what the call's events and REST counted."""
    if call is not None and call.went_on:
        told = _sent_on(told)
    settled = told.settled
    learned: list[Record] = []
    if call is not None and call.wait_unknown:
        learned.append(WaitLearned(settled.queue, settled.call_id, settled.wait_ms))
    if call is None or not call.offered:
        return learned + told.records()
    if call.phase in OPEN:
        return learned + told.outcome()
    if call.talk is not None and call.talk.counted and told.handled is not None:
        return [*learned, told.handled]
    return learned
