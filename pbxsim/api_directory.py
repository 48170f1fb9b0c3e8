"""Configuration endpoints: system, extensions, queues and pause reasons (reference §5, §7, §8)."""

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from pbxsim.api_core import ApiRequest, found, id_list, number, page, text
from pbxsim.cdr import ROW_TIME_FORMAT
from pbxsim.directory import ExtensionDef, QueueDef
from pbxsim.records import Agent
from pbxsim.sim import Simulator
from pbxsim.wire import SUCCESS, JsonObj, envelope, invalid, required

# GUESS (reference §9): users / concurrent calls per model; unknown models get the P570's.
CAPACITY = {"P550": (50, 25), "P560": (100, 30), "P570": (300, 60)}


def system_information(sim: Simulator, req: ApiRequest) -> JsonObj:
    """The guide's Device_Info ("Query PBX Information", reference §8): model, firmware and
    serial, and the PBX's wall clock (`system_time`, local in --time-zone) beside `timestamp`
    (the same instant in epoch seconds), from which a client reads the PBX's UTC offset."""
    config, now = sim.config, sim.now()
    local = datetime.fromtimestamp(now, ZoneInfo(config.time_zone))
    data = {
        "device_name": "PBX",
        "model_name": f"Yeastar {config.model}",
        "sn": config.sn,
        "hardware_version": "V1.00 0000-0000",
        "firmware_version": config.firmware,
        # In the display format announced below, the one this simulator's CDR times use.
        "system_time": local.strftime(ROW_TIME_FORMAT),
        "up_time": int(now - sim.started),
        "system_date_format": "YYYY-MM-DD",
        "system_time_format": "hh:mm:ss",
        "timestamp": int(now),
    }
    return envelope(SUCCESS, data=data)


def system_capacity(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Licensed and used extensions and concurrent calls."""
    extensions, calls = CAPACITY.get(sim.config.model, CAPACITY["P570"])
    live = len(sim.centre.calls) + len(sim.centre.plain)
    data = {
        "extension_capacity": extensions,
        "extension_used": len(sim.centre.agents),
        "cc_capacity": calls,
        "cc_used": live,
    }
    return envelope(SUCCESS, data=data)


def _extension_info(agent: Agent) -> JsonObj:
    # Simulated extensions have one SIP desk phone and no Linkus client.
    sip_status = 1 if agent.registered else 0
    sip = {"status": sip_status, "ext_dev_type": "sip", "status_list": [{"status": sip_status}]}
    offline = {"status": 0}
    return {
        "id": agent.defn.id,
        "number": agent.defn.number,
        "caller_id_name": agent.defn.name,
        "role_name": "Employee",
        "email_addr": "",
        "mobile_number": "",
        "presence_status": agent.presence,
        "custom_presence_status": "",
        "online_status": {
            "sip_phone": sip,
            "linkus_desktop": offline,
            "linkus_mobile": offline,
            "linkus_web": offline,
        },
    }


def _extension_page(agents: list[Agent], req: ApiRequest) -> JsonObj:
    data = [_extension_info(a) for a in page(agents, req.query)]
    return envelope(SUCCESS, total_number=len(agents), data=data)


def extension_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Extensions with presence and online status."""
    return _extension_page(list(sim.centre.agents.values()), req)


def _matches(req: ApiRequest, number: str, name: str) -> bool:
    """Whether `search_value` (none: everything) is in the number or, ignoring case, the name."""
    wanted = (text(req.query, "search_value") or "").casefold()
    return wanted in number or wanted in name.casefold()


def extension_search(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Extensions whose number or name contains `search_value` (case-insensitive)."""
    agents = sim.centre.agents.values()
    return _extension_page([a for a in agents if _matches(req, a.defn.number, a.defn.name)], req)


def _member(extension: ExtensionDef) -> JsonObj:
    return {
        "text": extension.name,
        "text2": extension.number,
        "value": str(extension.id),
        "type": "extension",
    }


def queue_info(sim: Simulator, queue: QueueDef) -> JsonObj:
    """A queue as queue/list shows it."""
    agents = sim.centre.agents
    return {
        "id": queue.id,
        "number": queue.number,
        "name": queue.name,
        "ring_strategy": queue.ring_strategy,
        "static_agent_list": [_member(agents[n].defn) for n in queue.static_agents],
        "dynamic_agent_list": [_member(agents[n].defn) for n in queue.dynamic_agents],
        "manager_list": [],
    }


def queue_detail(sim: Simulator, queue: QueueDef) -> JsonObj:
    """A queue as queue/get and queue/query show it (Queue_DetailInfo)."""
    return {
        **queue_info(sim, queue),
        "moh": "default",
        "max_wait_time": queue.max_wait_time,
        "fail_dest": queue.fail_dest,
        "fail_dest_prefix": "",
        "fail_dest_value": queue.fail_dest_value,
        "agent_timeout": queue.agent_timeout,
        "retry_time": queue.retry_time,
        "wrap_up_time": queue.wrap_up_time,
    }


def _queue_page(sim: Simulator, queues: list[QueueDef], req: ApiRequest) -> JsonObj:
    data = [queue_info(sim, q) for q in page(queues, req.query)]
    return envelope(SUCCESS, total_number=len(queues), queue_list=data)


def queue_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Configured queues with their agents; the list key is `queue_list`, not `data`."""
    return _queue_page(sim, list(sim.centre.directory.queues), req)


def queue_search(sim: Simulator, req: ApiRequest) -> JsonObj:
    """GUESS (§5.2): queues whose number or name contains `search_value`, as queue/list."""
    queues = sim.centre.directory.queues
    return _queue_page(sim, [q for q in queues if _matches(req, q.number, q.name)], req)


def queue_get(sim: Simulator, req: ApiRequest) -> JsonObj:
    """One queue's details under `data`; 60001 for an unknown ID."""
    queue_id = number(req.query, "id")
    queues = [q for q in sim.centre.directory.queues if q.id == queue_id]
    return envelope(SUCCESS, data=queue_detail(sim, found(queues)[0]))


def queue_query(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Details of the queues in `ids` (unknown IDs skipped; 60001 if none is known)."""
    ids = id_list(req.query, "ids")
    if ids is None:
        raise required("ids")
    queues = [q for q in sim.centre.directory.queues if q.id in ids]
    return envelope(SUCCESS, data=[queue_detail(sim, q) for q in found(queues)])


def _pause_reason(item: object) -> tuple[str, str]:
    """One `{code, reason}` of an update: a `*` or `#` feature code and a text (§5.6)."""
    code = item.get("code") if isinstance(item, dict) else None
    reason = item.get("reason") if isinstance(item, dict) else None
    if not isinstance(code, str) or code[:1] not in ("*", "#") or len(code) < 2:
        raise invalid("code", str(code))
    if not isinstance(reason, str) or not reason.strip():
        raise invalid("reason", str(reason))
    return code, reason


def pause_reason_update(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Replace the whole pause reason list (`pause_reason_list`); pauses keep their text."""
    items = req.body.get("pause_reason_list")
    if not isinstance(items, list):
        raise required("pause_reason_list")
    reasons = tuple(_pause_reason(item) for item in items)
    codes = [code for code, _ in reasons]
    if len(set(codes)) < len(codes):
        raise invalid("code", ",".join(codes))
    centre = sim.centre
    centre.directory = dataclasses.replace(centre.directory, pause_reasons=reasons)
    return envelope(SUCCESS)


def pause_reason_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """The configured pause reasons: feature code and text."""
    reasons = [{"code": c, "reason": r} for c, r in sim.centre.directory.pause_reasons]
    return envelope(SUCCESS, data=page(reasons, req.query))
