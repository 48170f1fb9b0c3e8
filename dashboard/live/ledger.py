"""What the active worker has counted of calls in progress and lately ended: kept beside today's
figures and handed to the next leader, so a leader change counts no call twice and, with the
CDRs read back from when it was kept, misses none."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from dashboard.live.call import OPEN, Phase, QueueCall, Talking
from dashboard.live.outcomes import Record, RingMissed
from dashboard.live.state import LiveState, QueueState

# Calls counted this recently (our clock) are remembered by id: those whose CDR had not come
# when the ledger was kept ended at most this long before it (the PBX sends CDRs at once).
RECENT_MS = 3 * 60_000
# A successor reads the CDRs back from a minute before where its predecessor had read cdr/list
# to (cdrsync.MARGIN_MS, on the PBX's clock, whatever ours says): calls closed by CDRs ending
# up to this long before that point are handed over as already counted.
CLOSED_KEPT_MS = 2 * 60_000
# The format is the one kept before calls had one record each (a map per fact): leaders of
# either kind read each other's ledgers.
VERSION = 3


class CallerData(TypedDict):
    call_id: str
    caller: str
    since_ms: int


class TalkData(TypedDict):
    queue: str
    agent: str
    answered_ms: int
    caller: str
    channel_id: str
    held: bool
    counted: bool


class LedgerData(TypedDict):
    version: int
    saved_ms: int
    read_back_ms: int
    closed: dict[str, int]  # call id → when it ended, by its CDR
    waiting: dict[str, list[CallerData]]  # by queue
    unsettled: list[CallerData]  # set aside
    talking: dict[str, TalkData]
    open_offers: dict[str, str]  # call id → queue: waiting or set aside there
    uncounted: dict[str, str]  # talking calls first seen answered, → their queue
    wait_unknown: dict[str, str]
    answered_in: dict[str, str]
    recent: dict[str, tuple[str, int]]  # call id → (queue, when a figure last counted it)
    did_queues: dict[str, str]


@dataclass
class Ledger:
    saved_ms: int = 0
    # Where a successor reads the PBX's CDRs back from (less a margin): where cdr/list was read
    # to (the PBX's clock), else the newest CDR's end, else when the ledger was kept.
    read_back_ms: int = 0
    # Call id → (queue, when a figure last counted it), oldest first.
    recent: dict[str, tuple[str, int]] = field(default_factory=dict)

    def note(self, records: list[Record], now_ms: int) -> None:
        """Remember the calls these records counted, and forget those counted long ago."""
        for record in records:
            if not isinstance(record, RingMissed):
                self.recent.pop(record.call_id, None)  # re-inserted last: kept oldest first
                self.recent[record.call_id] = (record.queue, now_ms)
        # Only the oldest are looked at: this runs for every event, and a busy PBX counts
        # thousands of calls in three minutes (copying them all each time cost O(calls²)).
        while self.recent:
            call_id, (_, counted_ms) = next(iter(self.recent.items()))
            if counted_ms >= now_ms - RECENT_MS:
                break
            del self.recent[call_id]


def ledger_json(ledger: Ledger, state: LiveState, now_ms: int) -> LedgerData:
    """The counting memory a successor needs: who waits, who talks, whose offer is open, which
    callers were set aside, and which calls were counted lately."""
    calls = list(state.calls.records())
    talking = state.calls.talking()
    live = talking.keys() | ledger.recent.keys()
    read_back_ms = state.read_back_point(now_ms)
    return {
        "version": VERSION,
        "saved_ms": now_ms,
        "read_back_ms": read_back_ms,
        "closed": {
            c.call_id: c.ended_ms
            for c in calls
            if c.phase == "closed" and c.ended_ms >= read_back_ms - CLOSED_KEPT_MS
        },
        "waiting": _waiting(state),
        "unsettled": [_caller_data(c) for c in calls if c.phase == "aside"],
        "talking": {call_id: _talk_data(talk) for call_id, talk in talking.items()},
        "open_offers": {c.call_id: c.queue for c in calls if c.phase in OPEN},
        "uncounted": {c.call_id: c.queue for c in calls if c.first_seen_answered and c.talk},
        "wait_unknown": {c.call_id: c.queue for c in calls if c.wait_unknown and c.call_id in live},
        "answered_in": {
            c.call_id: c.answered_in for c in calls if c.answered_in and c.call_id in live
        },
        "recent": dict(ledger.recent),
        "did_queues": dict(state.did_queues),
    }


def _waiting(state: LiveState) -> dict[str, list[CallerData]]:
    by_queue = {q: [_caller_data(c) for c in state.calls.waiting_in(q)] for q in state.queues}
    return {queue: callers for queue, callers in by_queue.items() if callers}


def _caller_data(call: QueueCall) -> CallerData:
    return {"call_id": call.call_id, "caller": call.caller, "since_ms": call.since_ms}


def _talk_data(talk: Talking) -> TalkData:
    return {
        "queue": talk.queue,
        "agent": talk.agent,
        "answered_ms": talk.answered_ms,
        "caller": talk.caller,
        "channel_id": talk.channel_id,
        "held": talk.held,
        "counted": talk.counted,
    }


def restore(state: LiveState, data: Mapping[str, Any]) -> Ledger:
    """Take over a predecessor's counting memory (raises KeyError/TypeError when malformed)."""
    if data.get("version") != VERSION:
        raise KeyError(f"ledger version {data.get('version')!r}")
    for number in data["waiting"]:
        state.queues.setdefault(number, QueueState(number, ""))
    recent = {c: (q, ms) for c, (q, ms) in data["recent"].items()}
    kept = _Kept(data, recent)
    for call_id in kept.call_ids():
        state.calls.restore(kept.call(call_id))
    state.did_queues.update(data["did_queues"])
    state.cdrs_read([data["read_back_ms"]])
    return Ledger(data["saved_ms"], data["read_back_ms"], recent)


class _Kept:
    """A ledger's facts (a map per fact), read back as one record per call."""

    def __init__(self, data: Mapping[str, Any], recent: Mapping[str, tuple[str, int]]) -> None:
        self.data, self.recent = data, recent
        self.closed: dict[str, int] = data["closed"]
        self.offers: dict[str, str] = data["open_offers"]
        self.waiting = {c["call_id"]: (q, c) for q, cs in data["waiting"].items() for c in cs}
        self.aside = {c["call_id"]: c for c in data["unsettled"]}
        self.talking = {c: Talking(**t) for c, t in data["talking"].items()}

    def call_ids(self) -> list[str]:
        named = [*self.closed, *self.waiting, *self.aside, *self.talking, *self.offers]
        return list(dict.fromkeys([*named, *self.recent]))

    def call(self, call_id: str) -> QueueCall:
        if call_id in self.closed:
            return QueueCall(call_id, "closed", "", offered=True, ended_ms=self.closed[call_id])
        known = self._ended(call_id)
        if call_id in self.waiting:
            queue, caller = self.waiting[call_id]
            return _waits(known, "waiting", queue, caller)
        if call_id in self.aside and call_id in self.offers:
            return _waits(known, "aside", self.offers[call_id], self.aside[call_id])
        if call_id in self.talking:
            talk = self.talking[call_id]
            # A counted talk was offered, however long ago (then no longer in `recent`).
            offered = known.offered or talk.counted
            return known._replace(phase="talking", queue=talk.queue, talk=talk, offered=offered)
        return known

    def _ended(self, call_id: str) -> QueueCall:
        """What the ledger says of the call besides its phase."""
        unknown: dict[str, str] = self.data["wait_unknown"]
        uncounted: dict[str, str] = self.data["uncounted"]
        return QueueCall(
            call_id,
            "ended",
            unknown.get(call_id) or uncounted.get(call_id) or "",
            offered=call_id in self.recent or call_id in self.offers,
            answered_in=self.data["answered_in"].get(call_id, ""),
            first_seen_answered=call_id in uncounted,
            wait_unknown=call_id in unknown,
        )


def _waits(call: QueueCall, phase: Phase, queue: str, caller: Mapping[str, Any]) -> QueueCall:
    since_ms = caller["since_ms"]
    return call._replace(
        phase=phase, queue=queue, caller=caller["caller"], since_ms=since_ms, offered=True
    )
