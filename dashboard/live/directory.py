"""Reference data from `queue/list`, `queue/query` and `extension/list`: the live state's
queues and extensions, and the number↔ID directory every process reads from Redis. Rows
without the number or ID they are about are skipped; other fields may be missing."""

from collections.abc import Mapping
from typing import Any

from dashboard.live.agents import AGENT_KINDS, Extension, load_extension
from dashboard.live.fields import integer, rows, seconds, text
from dashboard.live.state import LiveState

# queue/list's member `type` (§5.1); a member of another type is no agent.
EXTENSION_MEMBER = "extension"


def directory_data(queue_list: object, extension_list: object) -> dict[str, Any]:
    """`{"queues": {number: {"id", "name", "agents": {ext: {"kind"}}}}, "extensions": {number:
    {"id", "name"}}}`. Queue members carry their extension's ID too (`value`), which covers an
    extension the list has not paged to yet."""
    queues: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    for queue in rows(queue_list):
        number, queue_id = text(queue.get("number")), integer(queue.get("id"))
        if not number or queue_id is None:
            continue
        agents: dict[str, Any] = {}
        for kind in AGENT_KINDS:
            for member in _agents(queue.get(f"{kind}_agent_list")):
                agents[member["number"]] = {"kind": kind}
                extensions[member["number"]] = {"id": member["id"], "name": member["name"]}
        queues[number] = {"id": queue_id, "name": text(queue.get("name")), "agents": agents}
    for entry in rows(extension_list):
        number, extension_id = text(entry.get("number")), integer(entry.get("id"))
        if number and extension_id is not None:
            extensions[number] = {"id": extension_id, "name": text(entry.get("caller_id_name"))}
    return {"queues": queues, "extensions": extensions}


def _agents(members: object) -> list[dict[str, Any]]:
    """A queue's static or dynamic agents: extension members with a number and an ID."""
    agents = (
        {"number": text(m.get("text2")), "id": integer(m.get("value")), "name": text(m.get("text"))}
        for m in rows(members)
        if text(m.get("type") or EXTENSION_MEMBER).lower() == EXTENSION_MEMBER
    )
    return [agent for agent in agents if agent["number"] and agent["id"] is not None]


def apply_queue_details(state: LiveState, details: object) -> set[str]:
    """`queue/query`: wrap-up, maximum wait and failover destination, which decide *available*
    and *timed out*."""
    changed: set[str] = set()
    for detail in rows(details):
        queue = state.queues.get(text(detail.get("number")))
        if queue is None:
            continue
        timings = (
            seconds(detail.get("wrap_up_time")) or 0,
            seconds(detail.get("max_wait_time")) or 0,
        )
        if timings != (queue.wrap_up_s, queue.max_wait_s):
            queue.wrap_up_s, queue.max_wait_s = timings
            changed.add(queue.number)
        ends = (text(detail.get("fail_dest")) or "end_call") == "end_call"
        queue.failover = "" if ends else text(detail.get("fail_dest_value"))
    return changed


def apply_extensions(state: LiveState, entries: object) -> set[str]:
    """`extension/list`: names, presence and registration; returns the queues showing an
    extension whose row changed."""
    changed: set[str] = set()
    for entry in rows(entries):
        number = text(entry.get("number"))
        if not number:
            continue
        extension = state.extension(number)
        before = _row(extension)
        load_extension(extension, entry)
        if _row(extension) != before:
            changed |= {queue.number for queue, _ in state.memberships(extension.number)}
    return changed


def _row(extension: Extension) -> tuple[str, str, frozenset[str]]:
    return extension.name, extension.presence, frozenset(extension.registered_kinds)


def moved_agents(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """Queues whose member list changed between two directories (their agents need a re-read)."""
    old_queues, new_queues = old.get("queues", {}), new.get("queues", {})
    return {
        number
        for number, queue in new_queues.items()
        if old_queues.get(number, {}).get("agents") != queue["agents"]
    }
