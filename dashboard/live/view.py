"""What a board receives for a queue: waiting callers, agents with their state, live calls,
figures."""

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from dashboard.live.agentday import AgentToday, talking_by_agent
from dashboard.live.agents import Agent, AgentData
from dashboard.live.call import Talking
from dashboard.live.figures import AgentState, QueueFigures, agent_state, queue_figures
from dashboard.live.staffing import Staffing, last_hour, staffing
from dashboard.live.state import LiveState, QueueState
from dashboard.live.today import QueueDay, Thresholds, Today

DEFAULT_THRESHOLDS = Thresholds()


class WaitingRow(TypedDict):
    """A caller not yet answered (docs/design.md#metrics), ringing an agent or not."""

    call_id: str
    caller: str
    since: int  # when the wait began: the browser ticks it
    ringing: bool  # an agent's phone rings for it now


class AgentRow(AgentData):
    state: AgentState
    today: AgentToday
    presence: str
    registered: bool


class CallRow(TypedDict):
    call_id: str
    caller: str
    agent: str
    agent_name: str
    since: int  # answered then
    held: bool
    agent_channel_id: str  # what call/listen takes


def queue_data(
    state: LiveState,
    today: Today,
    queue: QueueState,
    now_ms: int,
    recent: Sequence[Today] = (),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, Any]:
    """The JSON-ready view of one queue, longest-waiting caller first, with today's figures and
    staffing now (from `recent`: the current 15-minute interval and those of the last hour).
    (A plain dict at the top: the publisher takes any stream's data so.)"""
    callers = sorted(state.calls.waiting_in(queue.number), key=lambda caller: caller.since_ms)
    agents = sorted(queue.agents.values(), key=lambda agent: agent.number)
    talks = state.calls.talking()  # built once: the agents' rows and the calls read it
    talking = talking_by_agent(talks.values())
    figures = queue_figures(state, queue, now_ms)
    waiting: list[WaitingRow] = [
        {"call_id": c.call_id, "caller": c.caller, "since": c.since_ms, "ringing": c.ringing}
        for c in callers
    ]
    return {
        "number": queue.number,
        "name": queue.name,
        "waiting": waiting,
        "agents": [_agent(state, today, agent, talking, now_ms) for agent in agents],
        "calls": _calls(state, queue, talks),
        "figures": figures,
        "staffing": _staffing(queue, figures, recent, now_ms, thresholds),
        "today": {
            **today.queues.get(queue.number, QueueDay()).figures(),
            "since": today.counting_since_ms,
            "partial": today.partial,
        },
    }


def _staffing(
    queue: QueueState,
    figures: QueueFigures,
    recent: Sequence[Today],
    now_ms: int,
    thresholds: Thresholds,
) -> Staffing | None:
    """Agents staffed: logged in and neither paused nor unavailable, whether free, ringing, on a
    call or wrapping up (Erlang C's N serves and wraps up in turn)."""
    staffed = figures["available"] + figures["ringing"] + figures["on_call"] + figures["wrap_up"]
    hour = last_hour(recent, queue.number, now_ms)
    return staffing(hour, staffed, queue.wrap_up_s, thresholds.service_level_s)


def _agent(
    state: LiveState, today: Today, agent: Agent, talking: dict[str, list[int]], now_ms: int
) -> AgentRow:
    extension = state.extensions.get(agent.number)
    return {
        **agent.as_data(),
        "state": agent_state(state, agent, now_ms),
        "today": today.agent_figures(agent.number, talking.get(agent.number, [])),
        # Unknown extensions (not in extension/list) are taken as reachable, as `state` does.
        "presence": extension.presence if extension else "available",
        "registered": extension.registered if extension else True,
    }


def _calls(state: LiveState, queue: QueueState, talks: Mapping[str, Talking]) -> list[CallRow]:
    """The queue's answered calls in progress (of every call's `talks`), longest first."""
    ours = sorted(
        ((call_id, t) for call_id, t in talks.items() if t.queue == queue.number),
        key=lambda item: item[1].answered_ms,
    )
    return [
        {
            "call_id": call_id,
            "caller": talk.caller,
            "agent": talk.agent,
            "agent_name": _name(state, queue, talk.agent),
            "since": talk.answered_ms,
            "held": talk.held,
            "agent_channel_id": talk.channel_id,
        }
        for call_id, talk in ours
    ]


def _name(state: LiveState, queue: QueueState, number: str) -> str:
    agent = queue.agents.get(number)
    extension = state.extensions.get(number)
    return (agent.name if agent else "") or (extension.name if extension else "")
