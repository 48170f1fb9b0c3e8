"""Real-time and history endpoints: queue call/agent status, call/query, cdr/list (§5, §6)."""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from pbxsim.api_core import ApiRequest, choice, found, need, number, page, queue_by_id, text
from pbxsim.cdr import SORT_FIELDS, cdr_row
from pbxsim.directory import QueueDef
from pbxsim.frames import call_state
from pbxsim.records import Agent, Call, Phase
from pbxsim.sim import Simulator
from pbxsim.wire import PARAMETER_ERROR, SUCCESS, ApiError, JsonObj, envelope, invalid

CALL_TYPES = ("inbound", "outbound", "internal")
CALL_SELECTORS = ("call_id", "type", "extension")
# queue/agent_status `call_status` codes (reference §5.3): 4 = a new call rings while in a
# call (call waiting); 5 = on hold, only when the caller holds (an agent's hold reports 2).
IDLE, IN_CALL, RINGING, CALL_WAITING, CALLER_HOLD = 1, 2, 3, 4, 5
# cdr/list `page_size`: "Maximum value: 10,000", and 10,000 when left blank (§5.6b).
CDR_PAGE_MAX = 10_000


def _queue(sim: Simulator, req: ApiRequest) -> QueueDef:
    return queue_by_id(sim, "id", number(req.query, "id"))


def _callees(sim: Simulator, call: Call) -> list[tuple[str, str]]:
    """Who a queue call is with: the queue itself (by ID, §5.4) until an agent rings, then
    each ringing agent (all of them with `ring_all`) or the answering one."""
    if call.agent is None:
        return [(str(call.queue.id), call.queue.name)]
    numbers = [call.agent, *call.others]
    return [(n, sim.centre.agents[n].defn.name) for n in numbers]


def _entries(sim: Simulator, queue: QueueDef, phase: Phase, now: float) -> list[JsonObj]:
    entries = []
    for call in sim.centre.calls_in(queue, phase):
        entry = {"call_id": call.call_id, "caller_number": call.caller, "caller_display_name": ""}
        since = int(now - call.phase_since())
        entries += [
            {**entry, "callee_number": number, "callee_display_name": name, "duration": since}
            for number, name in _callees(sim, call)
        ]
    return entries


def queue_call_status(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Waiting, ringing and answered calls of one queue; 60001 when it has none."""
    queue, now = _queue(sim, req), sim.now()
    waiting, ringing, active = (
        _entries(sim, queue, phase, now) for phase in (Phase.WAITING, Phase.RINGING, Phase.TALKING)
    )
    found(waiting + ringing + active)
    return envelope(
        SUCCESS,
        waiting_list=waiting,
        active_list=active,
        ringing_list=ringing,
        waiting_calls=len(waiting),
        active_calls=len(active),
        ringing_calls=len(ringing),
    )


def call_status_code(sim: Simulator, agent: Agent) -> int:
    """An agent's `call_status` (§5.3): idle, in a call, ringing, call waiting, caller's hold."""
    if agent.call_id is None:
        return IDLE
    if agent.waiting_call is not None:
        return CALL_WAITING
    call = sim.centre.calls.get(agent.call_id)
    if call is not None and call.caller == agent.defn.number and call.internal:
        # The extension that dialled a queue is in that call as its caller.
        return IN_CALL
    if call is not None and call.phase is Phase.RINGING:
        return RINGING
    if call is not None:
        return CALLER_HOLD if call.held_by == "caller" else IN_CALL
    plain = sim.centre.plain.get(agent.call_id)
    legs = plain.legs if plain is not None else []
    ringing = any(g.number == agent.defn.number and g.status == "RING" for g in legs)
    return RINGING if ringing else IN_CALL


def _agent_entry(sim: Simulator, agent: Agent, queue: QueueDef) -> JsonObj:
    member = agent.memberships[queue.number]
    return {
        "name": agent.defn.name,
        "number": agent.defn.number,
        "is_login": int(member.logged_in),
        "is_pause": int(member.paused),
        "call_status": call_status_code(sim, agent),
        "pause_reason": member.reason,
        "agent_type": "dynamic" if member.dynamic else "static",
        "max_threshold_for_pause_time": member.pause_threshold,
        "max_threshold_for_logout_time": 0,
    }


def queue_agent_status(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Every agent of one queue; 60001 when none of them is logged in (GUESS: "nothing")."""
    queue = _queue(sim, req)
    agents = [sim.centre.agents[n] for n in queue.members]
    found([a for a in agents if a.memberships[queue.number].logged_in])
    data = [_agent_entry(sim, a, queue) for a in agents]
    return envelope(SUCCESS, total_number=len(data), data=data)


def live_calls(sim: Simulator) -> Iterator[tuple[str, JsonObj]]:
    """Every live call as `(type, {call_id, members})`."""
    trunk, config = sim.centre.directory.trunk_name, sim.config
    for call in sim.centre.calls.values():
        yield "internal" if call.internal else "inbound", call_state(call, trunk, config)
    for plain in sim.centre.plain.values():
        yield plain.type, call_state(plain, trunk, config)


def _involves(entry: JsonObj, extension: str) -> bool:
    return any(m.get("extension", {}).get("number") == extension for m in entry["members"])


def call_query(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Live calls picked by exactly one of `call_id`, `type` or `extension`; 60001 if none."""
    given = [name for name in CALL_SELECTORS if text(req.query, name) is not None]
    if len(given) != 1:
        raise ApiError(
            PARAMETER_ERROR, [{"field": "call_id|type|extension", "validation_type": "one_of"}]
        )
    (selector,) = given
    value = (
        choice(req.query, "type", CALL_TYPES) if selector == "type" else need(req.query, selector)
    )
    calls = [
        entry
        for kind, entry in live_calls(sim)
        if (selector == "type" and kind == value)
        or (selector == "call_id" and entry["call_id"] == value)
        or (selector == "extension" and _involves(entry, value))
    ]
    return envelope(SUCCESS, data=found(calls))


def cdr_list(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Recent CDRs as the guide's rows (§5.6b, not 30012's shape): `sort_by` one of its
    fields (default `id`, the order they were written), newest first unless `order_by=asc`;
    `page_size` up to 10,000, and 10,000 when not given (the guide's default)."""
    order = text(req.query, "order_by") or "desc"
    if order not in ("asc", "desc"):
        raise invalid("order_by", order)
    sort_by = text(req.query, "sort_by") or "id"
    if sort_by not in SORT_FIELDS:
        raise invalid("sort_by", sort_by)
    if number(req.query, "page_size", CDR_PAGE_MAX) > CDR_PAGE_MAX:
        raise invalid("page_size", str(req.query["page_size"]))
    zone, centre = ZoneInfo(sim.config.time_zone), sim.centre
    rows = [cdr_row(c, centre, zone, sim.config) for c in centre.cdrs]
    rows.sort(key=lambda row: (row[sort_by], row["id"]), reverse=order == "desc")
    data = page(rows, req.query, CDR_PAGE_MAX)
    return envelope(SUCCESS, total_number=len(rows), data=data)
