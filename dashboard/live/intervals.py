"""The 15-minute history: when an interval starts, and intervals recomputed from the PBX's CDRs
by the live path's own functions (docs/operations.md#history)."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from dashboard.live.cdr import Cdr, rebuilt_calls
from dashboard.live.outcomes import Record, Told
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds, Today

INTERVAL_MS = 15 * 60 * 1000
# An interval of one queue: (queue number, its start in epoch ms).
Key = tuple[str, int]


def interval_start(at_ms: int) -> int:
    return at_ms - at_ms % INTERVAL_MS


def timed(cdr: Cdr, told: Told) -> list[tuple[int, Record]]:
    """When the live path counts each of the call's records: offered as it starts waiting, its
    outcome as it leaves the queue (answered: once it waited; else as it ends), its talk as it
    ends."""
    timeline: list[tuple[int, Record]] = [
        (cdr.start_ms, told.offered),
        (cdr.start_ms + told.settled.wait_ms, told.settled),
    ]
    return timeline + ([(cdr.end_ms, told.handled)] if told.handled else [])


def recount(
    state: LiveState, cdrs: Iterable[Cdr], span: tuple[int, int], thresholds: Thresholds
) -> dict[Key, QueueDay]:
    """The intervals of `span` (epoch ms, start included, end not) as the live path would have
    counted them had it seen every call: each call as its CDR tells it (`rebuilt_calls`), each of
    its records in the interval it happened in. Only queues with a call in an interval have it."""
    intervals: dict[int, Today] = {}
    for cdr, told in rebuilt_calls(state, cdrs, 0):
        for at_ms, record in timed(cdr, told):
            if span[0] <= at_ms < span[1]:
                start = interval_start(at_ms)
                intervals.setdefault(start, Today("", start)).record(record, thresholds)
    return {
        (queue, start): counters
        for start, interval in intervals.items()
        for queue, counters in interval.queues.items()
    }


@dataclass(frozen=True)
class Change:
    """One figure of one interval that the recount changed."""

    queue: str
    start_ms: int
    figure: str
    old: int
    new: int


def changes(stored: Mapping[Key, QueueDay], recounted: Mapping[Key, QueueDay]) -> list[Change]:
    """Every figure that differs, in time order; an interval missing on one side counts as all
    zeros (the live path writes no row for a queue without calls)."""
    found: list[Change] = []
    for queue, start in sorted(set(stored) | set(recounted), key=lambda key: (key[1], key[0])):
        old = asdict(stored.get((queue, start), QueueDay()))
        new = asdict(recounted.get((queue, start), QueueDay()))
        found += [Change(queue, start, f, old[f], new[f]) for f in new if old[f] != new[f]]
    return found
