"""Reference data from `queue/list`, `queue/query` and `extension/list`: the live state's
queues and extensions, and the number↔ID directory every process reads from Redis."""

from collections.abc import Iterable, Mapping
from typing import Any

from dashboard.live.agents import Extension, load_extension
from dashboard.live.calls import whole_seconds
from dashboard.live.state import LiveState

AGENT_KINDS = ("static", "dynamic")


def directory_data(
    queue_list: Iterable[Mapping[str, Any]], extension_list: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """`{"queues": {number: {"id", "name", "agents": {ext: {"kind"}}}}, "extensions": {number:
    {"id", "name"}}}`. Queue members carry their extension's ID too (`value`), which covers an
    extension the list has not paged to yet."""
    queues: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    for queue in queue_list:
        agents: dict[str, Any] = {}
        for kind in AGENT_KINDS:
            for member in queue.get(f"{kind}_agent_list") or []:
                number = str(member.get("text2", ""))
                agents[number] = {"kind": kind}
                extensions[number] = {"id": int(member["value"]), "name": str(member.get("text"))}
        queues[str(queue["number"])] = {
            "id": int(queue["id"]),
            "name": str(queue.get("name", "")),
            "agents": agents,
        }
    for entry in extension_list:
        extensions[str(entry["number"])] = {
            "id": int(entry["id"]),
            "name": str(entry.get("caller_id_name", "")),
        }
    return {"queues": queues, "extensions": extensions}


def apply_queue_details(state: LiveState, details: Iterable[Mapping[str, Any]]) -> set[str]:
    """`queue/query`: wrap-up, maximum wait and failover destination, which decide *available*
    and *timed out*."""
    changed: set[str] = set()
    for detail in details:
        queue = state.queues.get(str(detail.get("number")))
        if queue is None:
            continue
        timings = (
            whole_seconds(detail.get("wrap_up_time")),
            whole_seconds(detail.get("max_wait_time")),
        )
        if timings != (queue.wrap_up_s, queue.max_wait_s):
            queue.wrap_up_s, queue.max_wait_s = timings
            changed.add(queue.number)
        ends = str(detail.get("fail_dest") or "end_call") == "end_call"
        queue.failover = "" if ends else str(detail.get("fail_dest_value") or "")
    return changed


def apply_extensions(state: LiveState, entries: Iterable[Mapping[str, Any]]) -> set[str]:
    """`extension/list`: names, presence and registration; returns the queues showing an
    extension whose row changed."""
    changed: set[str] = set()
    for entry in entries:
        extension = state.extension(str(entry.get("number", "")))
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
