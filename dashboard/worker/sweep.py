"""The periodic REST re-read: what differs from the events is applied once a second read agrees."""

import copy
import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping

from dashboard.live.calls import reconcile_calls
from dashboard.live.confirm import CALLS, Confirmer, Verdict, differences, facts
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.pbx.replies import CallRow
from dashboard.worker.resync import QueueRead, apply_queue, read_calls, read_queue

log = logging.getLogger(__name__)

# A read that differs from the events is read again this long after, for the scopes that
# differed: the events in flight (a tenth of a second behind REST, docs/performance.md) are in
# by then, and a push the PBX really dropped is corrected this much later than at first sight.
CONFIRM_S = 1.5

Read = QueueRead | list[CallRow]


class Sweep:
    """REST re-reads of every queue and every live call, each difference confirmed by the next
    read of its scope (a queue, or call/query) before it is applied and counted."""

    def __init__(self, api: PbxApi, state: LiveState) -> None:
        self.api, self.state = api, state
        self.confirmer = Confirmer()
        self._confirm_at: float | None = None

    def forget(self) -> None:
        """A (re)connect reloaded everything: nothing earlier is still to confirm."""
        self.confirmer.forget()
        self._confirm_at = None

    def confirm_due(self, backlog: int) -> bool:
        """Whether the confirming re-read of the scopes that differed is due: its time has
        come and no frame received is still to apply (`backlog`), or REST would be ahead again."""
        if self._confirm_at is None or time.monotonic() < self._confirm_at or backlog:
            return False
        self._confirm_at = None
        return True

    async def run(
        self, queue_ids: Mapping[str, int], now_ms: int, confirming: bool = False
    ) -> tuple[Counter[str], set[str]]:
        """Read every scope (`confirming`: only those still to confirm), apply those that agree
        or are confirmed; returns the confirmed corrections and the queues whose data changed."""
        known = [*queue_ids, CALLS]
        self.confirmer.forget([s for s in self.confirmer.pending() if s not in known])  # gone
        scopes = self.confirmer.pending() if confirming else known
        reads = {scope: await self._read(scope, queue_ids) for scope in scopes}
        verdicts = self._judge(reads, now_ms)
        found: Counter[str] = Counter()
        changed: set[str] = set()
        for scope, verdict in verdicts.items():
            if verdict.apply:
                changed |= _apply(self.state, scope, reads[scope], now_ms)
                found.update(verdict.counted)
        if not confirming and self.confirmer.pending():
            self._confirm_at = time.monotonic() + CONFIRM_S
        _log(verdicts.values())
        return found, changed

    async def _read(self, scope: str, queue_ids: Mapping[str, int]) -> Read:
        return (
            await read_calls(self.api)
            if scope == CALLS
            else await read_queue(self.api, queue_ids[scope])
        )

    def _judge(self, reads: Mapping[str, Read], now_ms: int) -> dict[str, Verdict]:
        """Each read tried on a copy of the state first: what it would change is judged."""
        trial = copy.deepcopy(self.state)
        verdicts = {}
        for scope, read in reads.items():
            before = facts(trial, scope)
            _apply(trial, scope, read, now_ms)
            seen = differences(before, facts(trial, scope), scope)
            verdicts[scope] = self.confirmer.judge(scope, seen)
        return verdicts


def _apply(state: LiveState, scope: str, read: Read, now_ms: int) -> set[str]:
    """Apply one scope's read; returns the queues whose board data changed."""
    if isinstance(read, QueueRead):
        return {scope} if apply_queue(state, scope, read, now_ms) else set()
    return reconcile_calls(state, read, now_ms)[1]


def _log(verdicts: Iterable[Verdict]) -> None:
    """Which facts two reads confirmed wrong (what to report with lost pushes), and how many
    differences a later read no longer showed (REST ran ahead of events then in flight)."""
    confirmed = sorted(
        f"{d.kind} {'/'.join(d.key[1:])}: {d.old} -> {d.new}" for v in verdicts for d in v.confirmed
    )
    if confirmed:
        log.info("Confirmed by a second REST read: %s", "; ".join(confirmed)[:2000])
    told = sum(verdict.in_flight for verdict in verdicts)
    if told:
        log.debug("REST re-read: %s differences told by events in flight, not corrections", told)
