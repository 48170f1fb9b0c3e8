"""The call-centre state machine: callers queue, agents ring, answer and hang up (no I/O)."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pbxsim.directory import AgentDef, Directory, QueueDef


class Phase(StrEnum):
    """Where a queue call is; `ENDED` is only ever seen in the final update."""

    WAITING = "waiting"
    RINGING = "ringing"
    TALKING = "talking"
    ENDED = "ended"


@dataclass
class Call:
    """An external caller who dialled a queue's DID."""

    call_id: str
    queue: QueueDef
    caller: str
    trunk_channel: str
    waiting_since: float
    # Scripted calls move only when the control API says so.
    scripted: bool
    phase: Phase = Phase.WAITING
    agent: str | None = None
    agent_channel: str | None = None
    ring_since: float | None = None
    answered_at: float | None = None

    def phase_since(self) -> float:
        """When the call entered its current phase (ended calls keep their last one)."""
        if self.answered_at is not None:
            return self.answered_at
        return self.waiting_since if self.ring_since is None else self.ring_since


@dataclass
class Agent:
    """An agent extension and what it is doing."""

    defn: AgentDef
    idle_since: float
    call_id: str | None = None
    paused: bool = False
    pause_reason: str = ""


@dataclass
class QueueStats:
    """Outcomes so far, the ground truth a wallboard's counters are checked against."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class CallUpdate:
    """A call changed; `call` is a copy taken at that moment."""

    call: Call


@dataclass(frozen=True)
class AgentStatus:
    """An agent's status in one queue changed (pause/unpause)."""

    queue_number: str
    agent_number: str
    status: str
    reason: str


Event = CallUpdate | AgentStatus


class NotFound(LookupError):
    """No such call, queue or agent."""


class Conflict(Exception):
    """The call or agent is not in a state that allows the operation."""


def _longest_idle(agents: list[Agent]) -> Agent:
    return min(agents, key=lambda a: a.idle_since)


def _first_listed(agents: list[Agent]) -> Agent:
    return agents[0]


STRATEGIES: dict[str, Callable[[list[Agent]], Agent]] = {
    "least_recent": _longest_idle,
    "linear": _first_listed,
}


class CallCentre:
    """Queues, agents and live calls; every change is queued as an `Event` for `drain`."""

    def __init__(self, directory: Directory, now: float) -> None:
        self.directory = directory
        self.queues = {q.number: q for q in directory.queues}
        self.agents = {a.number: Agent(a, idle_since=now) for a in directory.agents}
        self.calls: dict[str, Call] = {}
        self.stats = {q.number: QueueStats() for q in directory.queues}
        self._events: list[Event] = []
        self._call_seq = 0
        self._channel_seq = 0

    def drain(self) -> list[Event]:
        """Hand over the events since the last drain, oldest first."""
        events, self._events = self._events, []
        return events

    def queue(self, number: str) -> QueueDef:
        """The queue with this number."""
        if number not in self.queues:
            raise NotFound(f"no queue {number}")
        return self.queues[number]

    def call(self, call_id: str) -> Call:
        """The live call with this ID."""
        if call_id not in self.calls:
            raise NotFound(f"no live call {call_id}")
        return self.calls[call_id]

    def agent(self, number: str) -> Agent:
        """The agent with this extension number."""
        if number not in self.agents:
            raise NotFound(f"no extension {number}")
        return self.agents[number]

    def calls_in(self, queue: QueueDef, phase: Phase) -> list[Call]:
        """The queue's calls in one phase, in arrival order."""
        return [c for c in self.calls.values() if c.queue is queue and c.phase is phase]

    def arrive(self, queue_number: str, caller: str, now: float, scripted: bool) -> Call:
        """A caller reaches the queue and hears ringback."""
        queue = self.queue(queue_number)
        self._call_seq += 1
        call = Call(
            call_id=f"{int(now)}.{self._call_seq}",
            queue=queue,
            caller=caller,
            trunk_channel=self._channel(f"trunk-{self.directory.trunk_name}"),
            waiting_since=now,
            scripted=scripted,
        )
        self.calls[call.call_id] = call
        self.stats[queue.number].offered += 1
        self._emit(call)
        return call

    def pick_agent(self, queue: QueueDef) -> Agent | None:
        """The agent the queue's ring strategy would ring now, if any is free."""
        free = [self.agents[n] for n in queue.members if self._available(self.agents[n])]
        return STRATEGIES[queue.ring_strategy](free) if free else None

    def ring(self, call_id: str, agent_number: str, now: float) -> None:
        """Offer a waiting call to an agent's phone."""
        call, agent = self._in_phase(call_id, Phase.WAITING), self.agent(agent_number)
        if not self._available(agent):
            raise Conflict(f"extension {agent_number} is busy or paused")
        agent.call_id = call.call_id
        call.phase, call.agent, call.ring_since = Phase.RINGING, agent_number, now
        call.agent_channel = self._channel(agent_number)
        self._emit(call)

    def answer(self, call_id: str, now: float) -> None:
        """The ringing agent picks up."""
        call = self._in_phase(call_id, Phase.RINGING)
        call.phase, call.answered_at = Phase.TALKING, now
        self.stats[call.queue.number].answered += 1
        self._emit(call)

    def abandon(self, call_id: str, now: float) -> None:
        """The caller hangs up before anyone answered."""
        call = self.call(call_id)
        if call.phase is Phase.TALKING:
            raise Conflict(f"call {call_id} was answered; hang it up instead")
        self.stats[call.queue.number].abandoned += 1
        self._end(call, now)

    def hangup(self, call_id: str, now: float) -> None:
        """Either side ends an answered call."""
        self._end(self._in_phase(call_id, Phase.TALKING), now)

    def set_paused(self, agent_number: str, paused: bool, reason: str) -> None:
        """Pause or unpause an agent in every queue it belongs to."""
        agent = self.agent(agent_number)
        agent.paused, agent.pause_reason = paused, reason if paused else ""
        status = "Paused" if paused else "Unpaused"
        for queue in self.queues.values():
            if agent_number in queue.members:
                self._events.append(
                    AgentStatus(queue.number, agent_number, status, agent.pause_reason)
                )

    def _available(self, agent: Agent) -> bool:
        return agent.call_id is None and not agent.paused

    def _in_phase(self, call_id: str, phase: Phase) -> Call:
        call = self.call(call_id)
        if call.phase is not phase:
            raise Conflict(f"call {call_id} is {call.phase}, not {phase}")
        return call

    def _end(self, call: Call, now: float) -> None:
        call.phase = Phase.ENDED
        if call.agent is not None:
            agent = self.agents[call.agent]
            agent.call_id, agent.idle_since = None, now
        del self.calls[call.call_id]
        self._emit(call)

    def _channel(self, endpoint: str) -> str:
        self._channel_seq += 1
        return f"PJSIP/{endpoint}-{self._channel_seq:08x}"

    def _emit(self, call: Call) -> None:
        self._events.append(CallUpdate(dataclasses.replace(call)))
