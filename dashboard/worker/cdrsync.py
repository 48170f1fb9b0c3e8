"""Today's counters survive pushes the PBX dropped: cdr/list is read back now and then, and a
call whose events never came is counted from its CDR (each call once: live/cdr.py)."""

from dashboard.live.cdr import Cdr, apply_cdrs
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.worker.resync import cdrs_since

# A call that ended this recently (by the newest CDR read) may still have events in flight:
# its CDR waits for the next read, or its events would be overtaken. At the next read it is
# applied whatever came since (a read-back later its events are no longer in flight, and the
# PBX may have had no call end since: the day's last calls would wait for ever).
SETTLE_MS = 10_000
# Rows are read from a minute before the newest one applied (here, and after a gap): their
# times have whole seconds and a CDR may be written a little after a later one. Reading a call
# twice is harmless.
MARGIN_MS = 60_000


async def read_back(api: PbxApi, state: LiveState) -> set[str]:
    """Apply the CDRs of calls that ended since cdr/list was last read to (but the last few
    seconds', unless the previous read listed them already): returns the queues whose data
    changed."""
    if not state.cdrs_read_to_ms:  # not connected yet: the catch-up comes first
        return set()
    rows = await cdrs_since(api, state.cdrs_read_to_ms - MARGIN_MS, state.zone)
    ready = settled(rows, state.cdrs_listed_to_ms)
    state.cdrs_listed_to_ms = max([state.cdrs_listed_to_ms, *(cdr.end_ms for cdr in rows)])
    state.cdrs_read(cdr.end_ms for cdr in ready)
    return apply_cdrs(state, ready) if ready else set()


def settled(cdrs: list[Cdr], listed_before_ms: int = 0) -> list[Cdr]:
    """The CDRs of calls that ended `SETTLE_MS` before the newest one read, or that a previous
    read listed already (ended by `listed_before_ms`)."""
    newest = max((cdr.end_ms for cdr in cdrs), default=0)
    ready_to = max(newest - SETTLE_MS, listed_before_ms)
    return [cdr for cdr in cdrs if cdr.end_ms <= ready_to]
