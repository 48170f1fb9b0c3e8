"""REST is the truth: read queues, agents, calls, extensions and CDRs into the live state."""

import logging
from collections import Counter
from typing import Any, cast

from dashboard.live.agents import load_agent_status
from dashboard.live.calls import load_active, reconcile_calls
from dashboard.live.cdr import Cdr, parse_cdr
from dashboard.live.directory import apply_extensions, apply_queue_details, directory_data
from dashboard.live.queues import load_waiting
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.pbx.replies import CallRow
from dashboard.streams import DIRECTORY_KEY, DirectoryData, compact
from dashboard.worker.leader import Leadership

log = logging.getLogger(__name__)

CALL_TYPES = ("inbound", "outbound", "internal")
# Reading a day's CDRs back stops here (the reference: cdr/list pages hold up to 10,000).
CDR_PAGE_SIZE = 1000
CDR_MAX_PAGES = 50


async def load_directory(api: PbxApi, state: LiveState) -> tuple[DirectoryData, set[str]]:
    """Queues (names, members, wrap-up, maximum wait) and extensions (names, presence,
    registration): returns the number↔ID directory and the queues whose board data changed."""
    queues = await api.queue_list()
    changed = state.set_queues({str(q["number"]): str(q.get("name", "")) for q in queues})
    if queues:
        ids = ",".join(str(q["id"]) for q in queues)
        details = await api.get("queue/query", empty_ok=True, ids=ids)
        changed |= apply_queue_details(state, details.get("data") or [])
    extensions = await api.extension_list()
    changed |= apply_extensions(state, extensions)
    # live/directory.py builds it untyped: DirectoryData names its shape.
    return cast(DirectoryData, directory_data(queues, extensions)), changed


async def store_directory(leadership: Leadership, directory: DirectoryData) -> None:
    """For every process (actions need IDs): fenced like every other worker write."""
    await leadership.fenced_set(DIRECTORY_KEY, compact(directory))


async def reconcile_queue(
    api: PbxApi, state: LiveState, number: str, queue_id: int, now_ms: int, connecting: bool = False
) -> list[str]:
    """Make one queue's waiting callers, answered calls and agents match the PBX; returns the
    corrections. `connecting`: right after subscribing (calls/load_active)."""
    queue = state.queues[number]
    calls = await api.get("queue/call_status", empty_ok=True, id=queue_id)
    # A caller whose call rings an agent is still waiting to be answered: count both lists.
    unanswered = (calls.get("waiting_list") or []) + (calls.get("ringing_list") or [])
    corrections = ["waiting"] if load_waiting(state, queue, unanswered, now_ms) else []
    corrections += load_active(state, queue, calls.get("active_list") or [], now_ms, connecting)
    agents = await api.get("queue/agent_status", empty_ok=True, id=queue_id)
    return corrections + load_agent_status(queue.agents, agents.get("data") or [], now_ms)


async def reconcile_calls_now(
    api: PbxApi, state: LiveState, now_ms: int
) -> tuple[list[str], set[str]]:
    """`call/query` once per selector (it takes exactly one): every live call on the PBX."""
    calls: list[CallRow] = []
    for call_type in CALL_TYPES:
        calls += (await api.get("call/query", empty_ok=True, type=call_type)).get("data") or []
    return reconcile_calls(state, calls, now_ms)


async def cdrs_since(api: PbxApi, since_ms: int, zone: str) -> list[Cdr]:
    """The CDRs of calls that ended since `since_ms`, read newest first until an older one."""
    cdrs: list[Cdr] = []
    for page in range(1, CDR_MAX_PAGES + 1):
        body = await api.get(
            "cdr/list", empty_ok=True, page=page, page_size=CDR_PAGE_SIZE, order_by="desc"
        )
        listed = [c for c in (parse_cdr(e, zone) for e in body.get("data") or []) if c]
        cdrs += [cdr for cdr in listed if cdr.end_ms >= since_ms]
        if not listed or listed[-1].end_ms < since_ms or page * CDR_PAGE_SIZE >= _total(body):
            return cdrs
    log.warning("Read back only the last %s CDRs", len(cdrs))
    return cdrs


def _total(body: dict[str, Any]) -> int:
    """A list reply's `total_number` (all pages), from its body as it came."""
    return int(body.get("total_number") or 0)


def log_corrections(corrections: Counter[str]) -> None:
    """Corrections after the first sync reveal events we missed or misread: log them by kind."""
    if corrections:
        summary = ", ".join(f"{kind} x{count}" for kind, count in sorted(corrections.items()))
        log.warning("REST resync corrected the live state: %s", summary)
