"""The simulator's ground truth as `GET /_sim/state` reports it (pure: reads, never changes)."""

import dataclasses

from pbxsim.api_live import (
    CALL_WAITING,
    CALLER_HOLD,
    IDLE,
    IN_CALL,
    RINGING,
    call_status_code,
    live_calls,
)
from pbxsim.directory import QueueDef
from pbxsim.records import Agent, Call, Phase, PlainCall
from pbxsim.sim import Simulator
from pbxsim.wire import JsonObj


def epoch_ms(seconds: float) -> int:
    """Epoch seconds as whole epoch milliseconds, the unit of every `time` the control API shows."""
    return round(seconds * 1000)


def _served(calls: list[Call]) -> list[JsonObj]:
    """Calls ringing agents, or answered: who rings (or talks), and who rings along."""
    return [
        {
            "call_id": c.call_id,
            "caller_number": c.caller,
            "agent_number": c.agent,
            "also_ringing": list(c.others),
        }
        for c in calls
    ]


def _queue_state(sim: Simulator, queue: QueueDef) -> JsonObj:
    waiting = sim.centre.calls_in(queue, Phase.WAITING)
    ringing = sim.centre.calls_in(queue, Phase.RINGING)
    today = dataclasses.asdict(sim.centre.stats[queue.number])
    return {
        "id": queue.id,
        "number": queue.number,
        "name": queue.name,
        "unanswered": _unanswered(waiting + ringing),
        "waiting": [_waiting(c) for c in waiting],
        "ringing": _served(ringing),
        "active": _served(sim.centre.calls_in(queue, Phase.TALKING)),
        "agents": [_member_state(sim, sim.centre.agents[n], queue) for n in queue.members],
        "today": today,
        # The original name of `today`.
        "stats": today,
    }


def _unanswered(calls: list[Call]) -> list[JsonObj]:
    """Every caller not yet answered, ringing an agent or not, longest waiting first: what a
    wallboard calls waiting (docs/design.md#metrics)."""
    ordered = sorted(calls, key=lambda call: call.waiting_since)
    return [
        {
            "call_id": call.call_id,
            "caller": call.caller,
            "since": epoch_ms(call.waiting_since),
            "ringing": call.phase is Phase.RINGING,
        }
        for call in ordered
    ]


def _waiting(call: Call) -> JsonObj:
    return {
        "call_id": call.call_id,
        "caller": call.caller,
        "since": epoch_ms(call.waiting_since),
        # The original names: `caller_number`, and `waiting_since` in epoch seconds.
        "caller_number": call.caller,
        "waiting_since": call.waiting_since,
    }


def _member_state(sim: Simulator, agent: Agent, queue: QueueDef) -> JsonObj:
    """An agent as one queue sees it; `call_status` is queue/agent_status's code (§5.3)."""
    member = agent.memberships[queue.number]
    return {
        "number": agent.defn.number,
        "type": "dynamic" if member.dynamic else "static",
        "logged_in": member.logged_in,
        "paused": member.paused,
        "pause_reason": member.reason,
        "call_status": call_status_code(sim, agent),
    }


# The agent's `state` for each queue/agent_status `call_status` (§5.3): a call waiting on a
# busy phone is still "talking"; "hold" only when the caller holds, as the PBX reports it.
STATES = {
    IDLE: "idle",
    IN_CALL: "talking",
    RINGING: "ringing",
    CALL_WAITING: "talking",
    CALLER_HOLD: "hold",
}


def _agent_state(sim: Simulator, agent: Agent) -> JsonObj:
    now = sim.now()
    return {
        "id": agent.defn.id,
        "number": agent.defn.number,
        "name": agent.defn.name,
        "state": STATES[call_status_code(sim, agent)],
        # The call it is in is on hold, whoever holds it (what 30011's HOLD shows).
        "held": _holding(sim, agent),
        "call_id": agent.call_id,
        "paused": agent.paused,
        "pause_reason": agent.pause_reason,
        "wrap_up_until": epoch_ms(agent.wrap_until) if agent.wrap_until > now else None,
        "presence": agent.presence,
        "registered": agent.registered,
        "today": {"answered": agent.answered, "missed": agent.missed},
        # Talk and hold of the queue calls it answered, pause by reason (in a queue it is
        # logged in to; "" for none), so far, since the simulator started.
        "times": sim.centre.times.as_json(agent.defn.number, now),
        "queues": _memberships(agent),
    }


def _memberships(agent: Agent) -> list[JsonObj]:
    return [
        {
            "number": number,
            "type": "dynamic" if m.dynamic else "static",
            "logged_in": m.logged_in,
            "paused": m.paused,
            "pause_reason": m.reason,
        }
        for number, m in agent.memberships.items()
    ]


def _holding(sim: Simulator, agent: Agent) -> bool:
    call = sim.centre.calls.get(agent.call_id) if agent.call_id else None
    return call is not None and call.held


def _plain_state(call: PlainCall) -> JsonObj:
    legs = [{"kind": g.kind, "number": g.number, "status": g.status} for g in call.legs]
    return {"call_id": call.call_id, "type": call.type, "monitors": call.monitors, "legs": legs}


def _token_state(sim: Simulator, now: float) -> JsonObj:
    live = sim.tokens.live_access(now)
    return {
        "live": live,
        # The original name, kept for callers written before `live`.
        "live_access": live,
        "peak_live": sim.tokens.peak_live,
        "failed_logins_in_a_row_peak": sim.guard.peak_run,
    }


def ground_truth(sim: Simulator) -> JsonObj:
    """Clock, queues with their calls, agents, other calls, tokens, faults, subscribers, and
    the REST requests answered so far."""
    now, centre = sim.now(), sim.centre
    return {
        "time": epoch_ms(now),
        "sn": sim.config.sn,
        "queues": [_queue_state(sim, q) for q in centre.directory.queues],
        "calls": [{"type": kind, **entry} for kind, entry in live_calls(sim)],
        "agents": [_agent_state(sim, a) for a in centre.agents.values()],
        "other_calls": [_plain_state(c) for c in centre.plain.values()],
        "cdrs": centre.cdr_count,
        "shared_wrap_up": centre.shared_wrap_up,
        "tokens": _token_state(sim, now),
        "faults": sim.faults.as_json(),
        "blocked_addresses": sorted(sim.guard.blocked),
        "subscribers": len(sim.hub),
        "api_requests": dict(sim.requests),
    }
