"""REST is the truth: read queues, agents, calls, extensions and CDRs into the live state."""

import json
import logging
from collections import Counter
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, cast

from dashboard.live.agents import load_agent_status
from dashboard.live.calls import load_active, reconcile_calls
from dashboard.live.cdr import Cdr, parse_cdr_row
from dashboard.live.directory import apply_extensions, apply_queue_details, directory_data
from dashboard.live.fields import integer, rows, seconds, text
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
    # Rows without a number or an ID name no queue we could show or act on.
    listed = rows(await api.queue_list())
    queues = [q for q in listed if text(q.get("number")) and integer(q.get("id")) is not None]
    changed = state.set_queues({text(q["number"]): text(q.get("name")) for q in queues})
    if queues:
        ids = ",".join(text(q["id"]) for q in queues)
        details = await api.get("queue/query", empty_ok=True, ids=ids)
        changed |= apply_queue_details(state, details.get("data") or [])
    extensions = await api.extension_list()
    changed |= apply_extensions(state, extensions)
    # live/directory.py builds it untyped: DirectoryData names its shape.
    return cast(DirectoryData, directory_data(queues, extensions)), changed


async def store_directory(leadership: Leadership, directory: DirectoryData) -> None:
    """For every process (actions need IDs): fenced like every other worker write."""
    await leadership.fenced_set(DIRECTORY_KEY, compact(directory))


@dataclass(frozen=True)
class QueueRead:
    """One queue's REST replies: `queue/call_status` and `queue/agent_status`."""

    calls: dict[str, Any]
    agents: dict[str, Any]


async def read_queue(api: PbxApi, queue_id: int) -> QueueRead:
    calls = await api.get("queue/call_status", empty_ok=True, id=queue_id)
    return QueueRead(calls, await api.get("queue/agent_status", empty_ok=True, id=queue_id))


def apply_queue(
    state: LiveState, number: str, read: QueueRead, now_ms: int, connecting: bool = False
) -> list[str]:
    """Make one queue's waiting callers, answered calls and agents match the PBX; returns the
    corrections. `connecting`: right after subscribing (calls/load_active)."""
    queue = state.queues[number]
    # A caller whose call rings an agent is still waiting to be answered: count both lists.
    unanswered = [*rows(read.calls.get("waiting_list")), *rows(read.calls.get("ringing_list"))]
    corrections = ["waiting"] if load_waiting(state, queue, unanswered, now_ms) else []
    active = read.calls.get("active_list") or []
    corrections += load_active(state, queue, active, now_ms, connecting)
    return corrections + load_agent_status(queue.agents, read.agents.get("data") or [], now_ms)


async def reconcile_queue(
    api: PbxApi, state: LiveState, number: str, queue_id: int, now_ms: int, connecting: bool = False
) -> list[str]:
    """Read one queue from REST and apply it at once (see apply_queue)."""
    return apply_queue(state, number, await read_queue(api, queue_id), now_ms, connecting)


async def read_calls(api: PbxApi) -> list[CallRow]:
    """`call/query` once per selector (it takes exactly one): every live call on the PBX."""
    calls: list[CallRow] = []
    for call_type in CALL_TYPES:
        calls += (await api.get("call/query", empty_ok=True, type=call_type)).get("data") or []
    return calls


async def reconcile_calls_now(
    api: PbxApi, state: LiveState, now_ms: int
) -> tuple[list[str], set[str]]:
    """Every live call on the PBX, read and applied at once (calls/reconcile_calls)."""
    return reconcile_calls(state, await read_calls(api), now_ms)


async def cdrs_since(api: PbxApi, since_ms: int, zone: str) -> list[Cdr]:
    """The CDRs of calls that ended since `since_ms` (cdr/list rows, §5.6b), read newest
    first until one ended before. Rows we cannot read are counted, logged and skipped."""
    read = _CdrPages(since_ms, zone)
    async with aclosing(_newest_first(api)) as pages:
        async for rows in pages:
            if read.take(rows):
                break
    return read.done()


async def _newest_first(api: PbxApi) -> AsyncGenerator[list[Any]]:
    """cdr/list's pages, newest rows first. Sorted by `id`, "the sequence number of the
    record": a CDR is written when its call ends, so calls that ended later come first (sorted
    by `time`, the start, a long call could come after a short one that ended before it, and
    be missed). A PBX that ignores `order_by` is read from its last page back."""
    body = await _cdr_page(api, 1)
    rows, total = _rows(body), _total(body)
    last = -(-total // CDR_PAGE_SIZE) if total else CDR_MAX_PAGES
    if _ascending(rows):
        log.warning("cdr/list came oldest first: reading it from its last page (%s) back", last)
        for page in range(last, max(0, last - CDR_MAX_PAGES), -1):
            yield list(reversed(rows if page == 1 else _rows(await _cdr_page(api, page))))
        return
    page = 1
    while rows:
        yield rows
        if len(rows) < CDR_PAGE_SIZE or page >= last:
            return
        if page == CDR_MAX_PAGES:
            log.warning("Read back only the last %s CDRs", page * CDR_PAGE_SIZE)
            return
        page += 1
        rows = _rows(await _cdr_page(api, page))


async def _cdr_page(api: PbxApi, page: int) -> dict[str, Any]:
    return await api.get(
        "cdr/list", empty_ok=True, page=page, page_size=CDR_PAGE_SIZE, sort_by="id",
        order_by="desc",
    )  # fmt: skip


def _rows(body: dict[str, Any]) -> list[Any]:
    rows = body.get("data")
    return rows if isinstance(rows, list) else []


def _ascending(rows: list[Any]) -> bool:
    """Whether a page's rows run oldest first (by their `id`, when both ends have one)."""
    ids = [row.get("id") for row in (rows[0], rows[-1]) if isinstance(row, dict)] if rows else []
    numbers = [n for n in (seconds(i) for i in ids) if n is not None]
    return len(numbers) == 2 and numbers[0] < numbers[1]


class _CdrPages:
    """What a read-back of cdr/list has taken in so far."""

    def __init__(self, since_ms: int, zone: str) -> None:
        self.since_ms, self.zone = since_ms, zone
        self.cdrs: list[Cdr] = []
        self._seen: set[tuple[str, int, int]] = set()
        self._unusable = 0
        self._example: Any = None

    def take(self, rows: list[Any]) -> bool:
        """Take one page's rows (newest first); returns whether it reached calls that ended
        before `since_ms` (nothing older is needed)."""
        older = False
        for row in rows:
            cdr = parse_cdr_row(row, self.zone)
            if cdr is None:
                self._unusable += 1
                self._example = row if self._unusable == 1 else self._example
                continue
            older = older or cdr.end_ms < self.since_ms
            key = (cdr.call_id, cdr.start_ms, cdr.end_ms)  # pages shift as CDRs are written
            if cdr.end_ms >= self.since_ms and key not in self._seen:
                self._seen.add(key)
                self.cdrs.append(cdr)
        return older

    def done(self) -> list[Cdr]:
        if self._unusable:
            example = json.dumps(self._example, default=str)[:300]
            log.warning("Skipped %s cdr/list rows we could not read: %s", self._unusable, example)
        return self.cdrs


def _total(body: dict[str, Any]) -> int:
    """A list reply's `total_number` (all pages), from its body as it came."""
    return seconds(body.get("total_number")) or 0


def log_corrections(corrections: Counter[str]) -> None:
    """Corrections after the first sync reveal events we missed or misread: log them by kind."""
    if corrections:
        summary = ", ".join(f"{kind} x{count}" for kind, count in sorted(corrections.items()))
        log.warning("REST resync corrected the live state: %s", summary)
