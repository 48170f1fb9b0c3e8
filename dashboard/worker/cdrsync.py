"""Today's counters survive pushes the PBX dropped: cdr/list is read back now and then, and a
call whose events never came is counted from its CDR (each call once: live/cdr.py)."""

from dashboard.live.cdr import Cdr, apply_cdrs
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.worker.resync import cdrs_since

# A call that ended this recently (by the newest CDR read) may still have events in flight:
# its CDR waits for the next read, or its events would be overtaken.
SETTLE_MS = 10_000
# Rows are read from a minute before the newest one applied (here, and after a gap): their
# times have whole seconds and a CDR may be written a little after a later one. Reading a call
# twice is harmless.
MARGIN_MS = 60_000


async def read_back(api: PbxApi, state: LiveState) -> set[str]:
    """Apply the CDRs of calls that ended since cdr/list was last read to (but the last few
    seconds'): returns the queues whose data changed."""
    if not state.cdrs_read_to_ms:  # not connected yet: the catch-up comes first
        return set()
    ready = settled(await cdrs_since(api, state.cdrs_read_to_ms - MARGIN_MS, state.zone))
    state.cdrs_read(cdr.end_ms for cdr in ready)
    return apply_cdrs(state, ready) if ready else set()


def settled(cdrs: list[Cdr]) -> list[Cdr]:
    """The CDRs of calls that ended `SETTLE_MS` before the newest one read."""
    newest = max((cdr.end_ms for cdr in cdrs), default=0)
    return [cdr for cdr in cdrs if cdr.end_ms <= newest - SETTLE_MS]
