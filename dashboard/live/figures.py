"""Queue figures now (docs/design.md#metrics): agents by state, and who is available."""

from collections import Counter
from typing import Literal, TypedDict, get_args

from dashboard.live.agents import ON_A_CALL, Agent
from dashboard.live.state import LiveState, QueueState

AgentState = Literal[
    "available", "ringing", "on_call", "wrap_up", "paused", "logged_out", "unavailable"
]
AGENT_STATES: tuple[AgentState, ...] = get_args(AgentState)
DO_NOT_DISTURB = "do_not_disturb"


class QueueFigures(TypedDict):
    waiting: int  # every caller not yet answered, those ringing an agent included
    waiting_ringing: int  # of those, the callers an agent's phone rings for now
    logged_in: int
    available: int
    ringing: int
    on_call: int
    wrap_up: int
    paused: int
    logged_out: int
    unavailable: int
    longest_wait_since: int | None  # the browser ticks the wait itself


def agent_state(state: LiveState, agent: Agent, now_ms: int) -> AgentState:
    """One state per agent, in order of precedence. *Available* = logged in, not paused, idle,
    not in wrap-up, phone registered, presence not do-not-disturb; an idle agent failing the
    last two is *unavailable*."""
    extension = state.extensions.get(agent.number)
    phone = extension.call_state if extension else "Idle"  # 30008 also covers non-queue calls
    if not agent.logged_in:
        return "logged_out"
    if agent.call_status == "ringing" or (agent.call_status == "idle" and phone == "Ringing"):
        return "ringing"
    if agent.call_status in ON_A_CALL or phone == "Busy":
        return "on_call"
    if agent.paused:
        return "paused"
    if state.wrap_up_until.get(agent.number, 0) > now_ms:
        return "wrap_up"
    if extension is not None and (not extension.registered or extension.presence == DO_NOT_DISTURB):
        return "unavailable"
    return "available"


def queue_figures(state: LiveState, queue: QueueState, now_ms: int) -> QueueFigures:
    counts = Counter(agent_state(state, agent, now_ms) for agent in queue.agents.values())
    waiting = state.calls.waiting_in(queue.number)
    return {
        "waiting": len(waiting),
        "waiting_ringing": sum(1 for caller in waiting if caller.ringing),
        "logged_in": sum(1 for agent in queue.agents.values() if agent.logged_in),
        "available": counts["available"],
        "ringing": counts["ringing"],
        "on_call": counts["on_call"],
        "wrap_up": counts["wrap_up"],
        "paused": counts["paused"],
        "logged_out": counts["logged_out"],
        "unavailable": counts["unavailable"],
        "longest_wait_since": min((caller.since_ms for caller in waiting), default=None),
    }
