"""What a board receives for a queue: waiting callers, agents with their state, figures."""

from typing import Any

from dashboard.live.figures import agent_state, queue_figures
from dashboard.live.state import LiveState, QueueState
from dashboard.live.today import QueueDay, Today


def queue_data(state: LiveState, today: Today, queue: QueueState, now_ms: int) -> dict[str, Any]:
    """The JSON-ready view of one queue, longest-waiting caller first, with today's figures."""
    callers = sorted(queue.waiting.values(), key=lambda caller: caller.since_ms)
    agents = sorted(queue.agents.values(), key=lambda agent: agent.number)
    return {
        "number": queue.number,
        "name": queue.name,
        "waiting": [
            {"call_id": c.call_id, "caller": c.caller, "since": c.since_ms} for c in callers
        ],
        "agents": [
            {
                **agent.as_data(),
                "state": agent_state(state, agent, now_ms),
                "today": today.agent_figures(agent.number, now_ms),
            }
            for agent in agents
        ],
        "figures": queue_figures(state, queue, now_ms),
        "today": {
            **today.queues.get(queue.number, QueueDay()).figures(),
            "since": today.counting_since_ms,
            "partial": today.partial,
        },
    }
