"""Queue figures now, as defined in the design: agents by state, and who is available."""

from collections import Counter
from typing import Any

from dashboard.live.agents import Agent
from dashboard.live.state import LiveState, QueueState

AGENT_STATES = ("available", "ringing", "on_call", "wrap_up", "paused", "logged_out", "unavailable")
DO_NOT_DISTURB = "do_not_disturb"


def agent_state(state: LiveState, agent: Agent, now_ms: int) -> str:
    """One state per agent, in order of precedence. *Available* = logged in, not paused, idle,
    not in wrap-up, phone registered, presence not do-not-disturb; an idle agent failing the
    last two is *unavailable*."""
    extension = state.extensions.get(agent.number)
    phone = extension.call_state if extension else "Idle"  # 30008 also covers non-queue calls
    if not agent.logged_in:
        return "logged_out"
    if agent.call_status == "ringing" or (agent.call_status == "idle" and phone == "Ringing"):
        return "ringing"
    if agent.call_status in ("talking", "hold") or phone == "Busy":
        return "on_call"
    if agent.paused:
        return "paused"
    if state.wrap_up_until.get(agent.number, 0) > now_ms:
        return "wrap_up"
    if extension is not None and (not extension.registered or extension.presence == DO_NOT_DISTURB):
        return "unavailable"
    return "available"


def queue_figures(state: LiveState, queue: QueueState, now_ms: int) -> dict[str, Any]:
    counts = Counter(agent_state(state, agent, now_ms) for agent in queue.agents.values())
    logged_in = sum(1 for agent in queue.agents.values() if agent.logged_in)
    longest = min((caller.since_ms for caller in queue.waiting.values()), default=None)
    return {
        "waiting": len(queue.waiting),
        "logged_in": logged_in,
        **{name: counts.get(name, 0) for name in AGENT_STATES},
        "longest_wait_since": longest,  # the browser ticks the wait itself
    }
