"""What the control API can make callers and agents do, beyond what the random traffic does."""

from collections.abc import Callable, Sequence

from pbxsim.control_io import BadRequest, bool_field, text_field
from pbxsim.onward import destination, key_press, time_out, transfer
from pbxsim.plain import answer_by_hand
from pbxsim.records import Call, Conflict, NotFound, Phase
from pbxsim.sim import Simulator
from pbxsim.wire import JsonObj

PRESENCE = ("available", "away", "business_trip", "do_not_disturb", "lunch", "off_work")

CallAction = Callable[[Simulator, Call, JsonObj], None]
HOLDERS = ("agent", "caller")


def _ring(sim: Simulator, call: Call, body: JsonObj) -> None:
    """Ring `agent`, or whom the queue's strategy picks (everyone available for `ring_all`)."""
    centre, now = sim.centre, sim.now()
    agent = body.get("agent")
    if agent is not None:
        if not isinstance(agent, str):
            raise BadRequest("'agent' must be an extension number")
        centre.ring(call.call_id, agent, now)
        return
    available = centre.available_agents(call.queue, now)
    picked = centre.pick_agent(call.queue, now)
    if picked is None:
        raise Conflict(f"no free agent in queue {call.queue.number}")
    ring_all = call.queue.ring_strategy == "ring_all"
    numbers = [a.defn.number for a in available] if ring_all else [picked.defn.number]
    centre.ring_all(call.call_id, numbers, now)


def _answer(sim: Simulator, call: Call, body: JsonObj) -> None:
    """Ring first if nobody rings yet; then `agent` (default: the first ringing) answers."""
    if call.phase is Phase.WAITING:
        _ring(sim, call, body)
    agent = body.get("agent")
    sim.centre.answer(call.call_id, sim.now(), by=agent if isinstance(agent, str) else None)


def _hold(sim: Simulator, call: Call, body: JsonObj) -> None:
    """Hold the call; `by` "agent" (default) or "caller" (queue/agent_status shows 2 or 5)."""
    by = body.get("by", "agent")
    if by not in HOLDERS:
        raise BadRequest("'by' must be 'agent' or 'caller'")
    sim.centre.set_held(call.call_id, str(by), sim.now())


def _time_out(sim: Simulator, call: Call) -> None:
    """The call leaves its queue as if it had waited its maximum: the failover takes it."""
    time_out(sim.centre, call.call_id, sim.now())


def _transfer(sim: Simulator, call: Call, body: JsonObj) -> None:
    """Waiting: the caller presses the key to leave the queue, for `to` (default the IVR).
    Answered: the agent transfers it to `to` (an extension, a queue, "ivr", an outside number),
    blind, or `attended` (the destination answers the agent first)."""
    to = body.get("to")
    if to is not None and not isinstance(to, str):
        raise BadRequest("'to' must be a number (or \"ivr\")")
    if call.phase is not Phase.TALKING:
        key_press(sim.centre, call.call_id, sim.now(), to)
        return
    going = destination(sim.centre, to)
    transfer(sim.centre, call.call_id, going, sim.now(), bool(body.get("attended", False)))


CALL_ACTIONS: dict[str, CallAction] = {
    "ring": _ring,
    "answer": _answer,
    "abandon": lambda sim, call, _: sim.centre.abandon(call.call_id, sim.now()),
    "hangup": lambda sim, call, _: sim.centre.hangup(call.call_id, sim.now()),
    "ring_out": lambda sim, call, _: sim.centre.ring_out(call.call_id, sim.now()),
    "timeout": lambda sim, call, _: _time_out(sim, call),
    "transfer": _transfer,
    "hold": _hold,
    "unhold": lambda sim, call, _: sim.centre.set_held(call.call_id, "", sim.now()),
}


def plain_call_action(sim: Simulator, call_id: str, action: str) -> None:
    """`answer` (the rung supervisor or callee picks up) or `hangup` on a non-queue call."""
    if action == "answer":
        answer_by_hand(sim.centre, call_id, sim.now())
    elif action == "hangup":
        sim.centre.end_plain(call_id, sim.now())
    else:
        raise NotFound(f"no action {action} for call {call_id}, which passes no queue")


def _queues(body: JsonObj) -> Sequence[str] | None:
    queues = body.get("queues")
    if queues is None:
        return None
    if not isinstance(queues, list) or not all(isinstance(q, str) for q in queues):
        raise BadRequest("'queues' must be a list of queue numbers")
    return queues


def _presence(body: JsonObj) -> str:
    status = text_field(body, "status")
    if status not in PRESENCE:
        raise BadRequest(f"'status' must be one of {', '.join(PRESENCE)}")
    return status


def agent_action(sim: Simulator, number: str, action: str, body: JsonObj) -> None:
    """Pause/unpause (`reason` text or code), login/logout (`queues`), presence, (un)register."""
    centre, now = sim.centre, sim.now()
    centre.agent(number)
    if action in ("pause", "unpause"):
        reason = str(body.get("reason", ""))
        reason = centre.directory.reason_text(reason) or reason
        centre.set_paused(number, action == "pause", reason, _queues(body), now=now)
    elif action in ("login", "logout"):
        centre.set_logged_in(number, action == "login", _queues(body), now)
    elif action == "presence":
        centre.set_presence(number, _presence(body))
    elif action in ("register", "unregister"):
        centre.set_registered(number, action == "register")
    elif action == "auto_answer":
        centre.agent(number).auto_answer = bool_field(body, "enabled")
    else:
        raise NotFound(f"no agent action {action}")
