"""Endpoints that change the PBX: agent login/pause (§5.5) and call control (§6)."""

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from pbxsim.api_core import (
    ApiRequest,
    agent_by_id,
    choice,
    id_list,
    need,
    number,
    queue_by_id,
    text,
)
from pbxsim.plain import (
    LISTEN_TYPES,
    PICK_UP_DELAY,
    connected_at,
    dial,
    listen,
    pick_up,
    progress,
)
from pbxsim.records import Agent, Call, Conflict, NotFound, Phase
from pbxsim.sim import Simulator
from pbxsim.wire import (
    CHANNEL_NOT_FOUND,
    FAILURE,
    SUCCESS,
    ApiError,
    JsonObj,
    envelope,
    invalid,
    required,
)

# Simulated seconds a call placed through call/dial lasts once answered.
DIALLED_TALK = 60.0
OPERATION_NOT_SUPPORTED = 70132


def _pause_reason(sim: Simulator, params: Mapping[str, Any]) -> str:
    """The text of the `reason` feature code ("" if absent); 40002 for an unknown code."""
    code = text(params, "reason")
    if code is None:
        return ""
    reason = sim.centre.directory.reason_text(code)
    if reason is None:
        raise invalid("reason", code)
    return reason


def _threshold(params: Mapping[str, Any]) -> int:
    """`max_threshold_for_pause_time`: 0 (until unpaused) or at least 10 seconds."""
    seconds = number(params, "max_threshold_for_pause_time", 0)
    if 0 < seconds < 10:
        raise invalid("max_threshold_for_pause_time", str(seconds))
    return seconds


def _queue_numbers(
    sim: Simulator, agent: Agent, ids: list[int] | None, field: str
) -> list[str] | None:
    if ids is None:
        return None
    numbers = [queue_by_id(sim, field, i).number for i in ids]
    if any(n not in agent.memberships for n in numbers):
        raise invalid(field, ",".join(map(str, ids)))
    return numbers


def _pause(
    sim: Simulator, agent: Agent, queues: Sequence[str] | None, params: Mapping[str, Any]
) -> None:
    paused = choice(params, "operation", ("pause", "unpause")) == "pause"
    reason, threshold = _pause_reason(sim, params), _threshold(params)
    _set_paused(sim, agent, paused, reason, queues, threshold)


def _set_paused(
    sim: Simulator,
    agent: Agent,
    paused: bool,
    reason: str,
    queues: Sequence[str] | None,
    threshold: int,
) -> None:
    """Pause or unpause; a timed pause (threshold seconds) ends by itself."""
    sim.centre.set_paused(agent.defn.number, paused, reason, queues, threshold, sim.now())
    if paused and threshold:
        sim.after(threshold, sim.centre.expire_pauses)


def _login(
    sim: Simulator,
    agent: Agent,
    queues: Sequence[str] | None,
    params: Mapping[str, Any],
    field: str,
) -> None:
    logged_in = choice(params, "operation", ("login", "logout")) == "login"
    paused = logged_in and number(params, "is_paused", 0) == 1
    reason, threshold = _pause_reason(sim, params), _threshold(params)
    try:
        targets = sim.centre.set_logged_in(agent.defn.number, logged_in, queues, sim.now())
    except Conflict:
        # Only dynamic agents can be logged in or out.
        raise invalid(field, str(agent.defn.id)) from None
    was_paused = [q for q in targets if agent.memberships[q].paused]
    if paused or (logged_in and was_paused):
        # Logging in takes `is_paused` literally: paused with the reason, or not paused.
        queues = targets if paused else was_paused
        _set_paused(sim, agent, paused, reason, queues, threshold)


def agent_login(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Log one dynamic agent in/out of some (default all its dynamic) queues."""
    agent = agent_by_id(sim, "ext_id", number(req.query, "ext_id"))
    queues = _queue_numbers(sim, agent, id_list(req.query, "queue_ids"), "queue_ids")
    _login(sim, agent, queues, req.query, "ext_id")
    return envelope(SUCCESS)


def agent_pause(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Pause/unpause one agent in some (default all) of its queues."""
    agent = agent_by_id(sim, "ext_id", number(req.query, "ext_id"))
    queues = _queue_numbers(sim, agent, id_list(req.query, "queue_ids"), "queue_ids")
    _pause(sim, agent, queues, req.query)
    return envelope(SUCCESS)


def _queue_agents(sim: Simulator, req: ApiRequest) -> tuple[list[Agent], list[str]]:
    queue = queue_by_id(sim, "queue_id", number(req.query, "queue_id"))
    ext_ids = id_list(req.query, "ext_ids")
    if ext_ids is None:
        raise required("ext_ids")
    agents = [agent_by_id(sim, "ext_ids", i) for i in ext_ids]
    if any(queue.number not in a.memberships for a in agents):
        raise invalid("ext_ids", ",".join(map(str, ext_ids)))
    return agents, [queue.number]


def queue_agent_pause(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Pause/unpause several agents of one queue."""
    agents, queues = _queue_agents(sim, req)
    for agent in agents:
        _pause(sim, agent, queues, req.query)
    return envelope(SUCCESS)


def queue_agent_login(sim: Simulator, req: ApiRequest) -> JsonObj:
    """GUESS form: `ext_ids`, `queue_id`, `operation=login|logout` (by analogy, §5.5)."""
    agents, queues = _queue_agents(sim, req)
    for agent in agents:
        _login(sim, agent, queues, req.query, "ext_ids")
    return envelope(SUCCESS)


def _known_extension(sim: Simulator, params: Mapping[str, Any], name: str) -> str:
    extension = need(params, name)
    if extension not in sim.centre.agents:
        raise invalid(name, extension)
    return extension


def call_listen(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Ring the supervisor's extension; once it answers it monitors the channel (70130 if none)."""
    params = req.body
    supervisor = _known_extension(sim, params, "monitor")
    channel = need(params, "channel_id")
    choice(params, "type", LISTEN_TYPES)
    try:
        monitor = listen(sim.centre, supervisor, channel, sim.now())
    except NotFound:
        raise ApiError(CHANNEL_NOT_FOUND) from None
    except Conflict:
        raise ApiError(FAILURE) from None
    sim.after(PICK_UP_DELAY, partial(pick_up, sim.centre, monitor.call_id))
    return envelope(SUCCESS, call_id=monitor.call_id)


def _hang_up_queue_leg(sim: Simulator, call: Call, channel: str) -> None:
    centre, now = sim.centre, sim.now()
    call.scripted = True
    if call.phase is Phase.TALKING:
        centre.hangup(call.call_id, now)
    elif channel == call.caller_channel:
        centre.abandon(call.call_id, now)
    else:
        # A ringing agent who rejects the call misses it, as if it rang out (30026).
        ringing = {c: n for n, c in call.others.items()}
        centre.decline(call.call_id, ringing.get(channel, call.agent or ""), now)


def call_hangup(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Hang up the member with `channel_id` (70130 if no live call has it)."""
    if text(req.body, "paging_number") is not None:
        raise ApiError(OPERATION_NOT_SUPPORTED)
    channel = need(req.body, "channel_id")
    call = sim.centre.find_channel(channel)
    if call is None:
        raise ApiError(CHANNEL_NOT_FOUND)
    if isinstance(call, Call):
        _hang_up_queue_leg(sim, call, channel)
    else:
        sim.centre.end_plain(call.call_id, sim.now())
    return envelope(SUCCESS, call_id=call.call_id)


def call_dial(sim: Simulator, req: ApiRequest) -> JsonObj:
    """Ring the caller's extension, then dial the callee (an extension, a queue or an external
    number)."""
    caller, callee = need(req.body, "caller"), need(req.body, "callee")
    if caller not in sim.centre.agents:
        # Observed on a real PBX: an external caller is accepted and nothing happens (§6.4).
        return envelope(SUCCESS)
    try:
        call = dial(sim.centre, caller, callee, sim.now())
    except Conflict:
        raise ApiError(FAILURE) from None
    auto = text(req.body, "auto_answer") == "yes"
    if callee in sim.centre.queues:
        at = connected_at(sim.now(), auto)
        sim.schedule.at(at, partial(_enter_queue, sim, call.call_id))
    else:
        progress(sim.centre, sim.schedule, call.call_id, sim.now(), DIALLED_TALK, auto)
    return envelope(SUCCESS, call_id=call.call_id)


def _enter_queue(sim: Simulator, call_id: str, now: float) -> None:
    """The caller answered its own ring: it now waits in the queue it dialled."""
    if call_id in sim.centre.plain:
        sim.traffic.follow(sim.centre.enter_queue(call_id, now), now)


def honor_wrapup_time(sim: Simulator, req: ApiRequest) -> JsonObj:
    """`enb_honor_wrapup_time` 1: wrap-up after a queue call keeps every queue's calls away;
    0: only the calls of that queue (from the official page; the reference lacks it)."""
    enabled = choice(req.params(), "enb_honor_wrapup_time", ("0", "1"))
    sim.centre.shared_wrap_up = enabled == "1"
    return envelope(SUCCESS)
