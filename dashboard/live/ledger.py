"""What the active worker has counted of calls in progress and lately ended: kept beside today's
figures and handed to the next leader, so a leader change counts no call twice and, with the
CDRs read back from when it was kept, misses none."""

from dataclasses import asdict, dataclass, field
from typing import Any

from dashboard.live.outcomes import Record, RingMissed, Talking
from dashboard.live.state import LiveState, QueueState, WaitingCaller

# Calls counted this recently (our clock) are remembered by id: those whose CDR had not come
# when the ledger was kept ended at most this long before it (the PBX sends CDRs at once).
RECENT_MS = 3 * 60_000
# A successor reads the CDRs back from a minute before the newest one its predecessor took in
# (worker.CATCH_UP_MARGIN_MS, on the PBX's clock, whatever ours says): those ending up to
# this long before that one are handed over as already counted.
CLOSED_KEPT_MS = 2 * 60_000
VERSION = 3


@dataclass
class Ledger:
    saved_ms: int = 0
    # Where a successor reads the PBX's CDRs back from (less a margin): the newest CDR's end
    # (the PBX's clock), or when the ledger was kept if it had none.
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


def ledger_json(ledger: Ledger, state: LiveState, now_ms: int) -> dict[str, Any]:
    """The counting memory a successor needs: who waits, who talks, whose offer is open, which
    callers left unsettled, and which calls were counted lately."""
    live = set(state.talking) | set(ledger.recent)
    newest_cdr = state.newest_cdr_ms()
    return {
        "version": VERSION,
        "saved_ms": now_ms,
        "read_back_ms": newest_cdr or now_ms,
        "closed": {c: end for c, end in state.closed.items() if end >= newest_cdr - CLOSED_KEPT_MS},
        "waiting": {
            q.number: [asdict(c) for c in q.waiting.values()]
            for q in state.queues.values()
            if q.waiting
        },
        "unsettled": [asdict(c) for c in state.unsettled.values()],
        "talking": {call_id: asdict(t) for call_id, t in state.talking.items()},
        "open_offers": {call_id: q for call_id, q in state.offered.items() if q},
        "uncounted": {c: q for c, q in state.uncounted.items() if c in state.talking},
        "wait_unknown": {c: q for c, q in state.wait_unknown.items() if c in live},
        "answered_in": {c: q for c, q in state.answered_in.items() if c in live},
        "recent": {call_id: list(entry) for call_id, entry in ledger.recent.items()},
        "did_queues": state.did_queues,
    }


def restore(state: LiveState, data: dict[str, Any]) -> Ledger:
    """Take over a predecessor's counting memory (raises KeyError/TypeError when malformed)."""
    if data.get("version") != VERSION:
        raise KeyError(f"ledger version {data.get('version')!r}")
    for number, callers in data["waiting"].items():
        queue = state.queues.setdefault(number, QueueState(number, ""))
        queue.waiting = {c["call_id"]: WaitingCaller(**c) for c in callers}
    for caller in data["unsettled"]:
        state.remember(state.unsettled, caller["call_id"], WaitingCaller(**caller))
    state.talking.update({c: Talking(**t) for c, t in data["talking"].items()})
    recent = {c: (q, ms) for c, (q, ms) in data["recent"].items()}
    ledger = Ledger(data["saved_ms"], data["read_back_ms"], recent)
    for call_id, end_ms in data["closed"].items():
        state.remember(state.closed, call_id, end_ms)
    for call_id in [*data["closed"], *recent]:
        state.remember(state.offered, call_id, "")  # counted: its offer had its outcome
    for call_id, queue in data["open_offers"].items():
        state.remember(state.offered, call_id, queue)
    state.uncounted.update(data["uncounted"])
    state.wait_unknown.update(data["wait_unknown"])
    state.answered_in.update(data["answered_in"])
    state.did_queues.update(data["did_queues"])
    return ledger
