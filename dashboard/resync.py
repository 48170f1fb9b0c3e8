"""REST is the truth: read queues, agents, waiting callers and extensions into the live state."""

import logging
from collections import Counter
from typing import Any

from dashboard.live.agents import load_agent_status, load_extension
from dashboard.live.queues import load_waiting
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi

log = logging.getLogger(__name__)

PAGE_SIZE = 100


async def pages(api: PbxApi, endpoint: str, key: str) -> list[dict[str, Any]]:
    """Every item of a paged list endpoint (`total_number` counts all pages)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = await api.get(endpoint, empty_ok=True, page=page, page_size=PAGE_SIZE)
        listed = body.get(key) or []
        items += listed
        if not listed or len(items) >= int(body.get("total_number", 0)):
            return items
        page += 1


async def load_directory(api: PbxApi, state: LiveState) -> dict[str, int]:
    """Queues (names, wrap-up) and extensions (names, presence, registration); returns the
    queue IDs by number, which the per-queue REST calls take."""
    queues = await pages(api, "queue/list", "queue_list")
    state.set_queues({str(q["number"]): str(q.get("name", "")) for q in queues})
    ids = {str(q["number"]): int(q["id"]) for q in queues}
    if ids:
        details = await api.get("queue/query", empty_ok=True, ids=",".join(map(str, ids.values())))
        for detail in details.get("data") or []:
            queue = state.queues.get(str(detail.get("number")))
            if queue is not None:
                queue.wrap_up_s = int(detail.get("wrap_up_time") or 0)
    for entry in await pages(api, "extension/list", "data"):
        load_extension(state.extension(str(entry.get("number", ""))), entry)
    return ids


async def reconcile_queue(
    api: PbxApi, state: LiveState, number: str, queue_id: int, now_ms: int
) -> list[str]:
    """Make one queue's waiting callers and agents match the PBX; returns the corrections."""
    queue = state.queues[number]
    calls = await api.get("queue/call_status", empty_ok=True, id=queue_id)
    # A caller whose call rings an agent is still waiting to be answered: count both lists.
    unanswered = (calls.get("waiting_list") or []) + (calls.get("ringing_list") or [])
    corrections = ["waiting"] if load_waiting(state, queue, unanswered, now_ms) else []
    agents = await api.get("queue/agent_status", empty_ok=True, id=queue_id)
    return corrections + load_agent_status(queue.agents, agents.get("data") or [], now_ms)


def log_corrections(corrections: Counter[str]) -> None:
    """Corrections after the first sync reveal events we missed or misread: log them by kind."""
    if corrections:
        summary = ", ".join(f"{kind} x{count}" for kind, count in sorted(corrections.items()))
        log.warning("REST resync corrected the live state: %s", summary)
