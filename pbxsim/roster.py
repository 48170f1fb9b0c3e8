"""Extensions and their queue memberships: availability, pause, log in, presence (no I/O)."""

import dataclasses
from collections.abc import Callable, Sequence

from pbxsim.agent_day import AgentTimes
from pbxsim.directory import Directory, QueueDef
from pbxsim.records import (
    Agent,
    AgentStatus,
    Conflict,
    Event,
    ExtensionState,
    Membership,
    NotFound,
)

EXTENSION_REGISTRATION, EXTENSION_CALL_STATE, EXTENSION_PRESENCE = 30007, 30008, 30009


def _longest_idle(agents: list[Agent]) -> Agent:
    return min(agents, key=lambda a: a.idle_since)


def _first_listed(agents: list[Agent]) -> Agent:
    return agents[0]


# Whom a queue rings first; strategies the model does not tell apart ring the longest idle
# (`ring_all` rings everyone available, see CallCentre.ring_all).
STRATEGIES: dict[str, Callable[[list[Agent]], Agent]] = {"linear": _first_listed}


def _memberships(number: str, queues: Sequence[QueueDef]) -> dict[str, Membership]:
    return {
        q.number: Membership(dynamic=number in q.dynamic_agents)
        for q in queues
        if number in q.members
    }


class Roster:
    """The PBX's extensions and what they are doing; changes are queued as events for `drain`."""

    def __init__(self, directory: Directory, now: float) -> None:
        self.directory = directory
        self.queues = {q.number: q for q in directory.queues}
        self.agents = {
            e.number: Agent(e, now, _memberships(e.number, directory.queues))
            for e in directory.extensions
        }
        self._events: list[Event] = []
        # queue/honor_wrapup_time: wrap-up after a queue call keeps every queue's calls away
        # (True), or only that queue's (False).
        self.shared_wrap_up = True
        self.times = AgentTimes()  # talk, hold, pause and logged-in time: /_sim/state's truth
        for agent in self.agents.values():
            self._note_login(agent, now)

    def free(self, agent: Agent, now: float, queue_number: str = "") -> bool:
        """Not in a call or wrap-up (for `queue_number`, or for any queue), registered and not
        on do-not-disturb."""
        wrapping = now < agent.wrap_until and (
            self.shared_wrap_up or queue_number in ("", agent.wrap_queue)
        )
        return (
            agent.call_id is None
            and not wrapping
            and agent.registered
            and agent.presence != "do_not_disturb"
        )

    def available(self, agent: Agent, queue_number: str, now: float) -> bool:
        """Whether the queue may ring this agent now."""
        member = agent.memberships.get(queue_number)
        ready = member is not None and member.logged_in and not member.paused
        return ready and self.free(agent, now, queue_number)

    def available_agents(self, queue: QueueDef, now: float) -> list[Agent]:
        """Every agent the queue may ring now, in its listed order."""
        return [
            self.agents[n]
            for n in queue.members
            if self.available(self.agents[n], queue.number, now)
        ]

    def pick_agent(self, queue: QueueDef, now: float) -> Agent | None:
        """The agent the queue's ring strategy would ring now, if any is available."""
        free = self.available_agents(queue, now)
        return STRATEGIES.get(queue.ring_strategy, _longest_idle)(free) if free else None

    def extension_state(self, number: str, status: str) -> None:
        """30008: an extension is `Ringing`, `Busy` or `Idle`."""
        self.emit(ExtensionState(EXTENSION_CALL_STATE, number, status))

    def set_presence(self, number: str, presence: str) -> None:
        """30009: an extension's presence changes (`do_not_disturb` keeps queue calls away)."""
        self.agent(number).presence = presence
        self.emit(ExtensionState(EXTENSION_PRESENCE, number, presence))

    def set_registered(self, number: str, registered: bool) -> None:
        """30007: an extension's SIP phone registers or unregisters (unregistered: not rung)."""
        self.agent(number).registered = registered
        status = "Registered" if registered else "Unregistered"
        self.emit(ExtensionState(EXTENSION_REGISTRATION, number, status))

    def set_paused(
        self,
        agent_number: str,
        paused: bool,
        reason: str,
        queues: Sequence[str] | None = None,
        threshold: int = 0,
        now: float = 0.0,
    ) -> None:
        """Pause or unpause an agent in some (default: all) of its queues; 30029 for each."""
        agent = self.agent(agent_number)
        for number in self._targets(agent, queues):
            member = agent.memberships[number]
            member.paused, member.reason = paused, reason if paused else ""
            member.pause_threshold = threshold if paused else 0
            member.pause_until = now + threshold if paused and threshold else None
            if not paused:
                member.misses.clear()
            status = "pause" if paused else "unpause"
            self.emit(AgentStatus(number, agent_number, status, member.reason))
        self._note_pause(agent, now)

    def set_logged_in(
        self, agent_number: str, logged_in: bool, queues: Sequence[str] | None, now: float
    ) -> list[str]:
        """Log a dynamic agent in or out of some (default: all its dynamic) queues; 30029 each."""
        agent = self.agent(agent_number)
        targets = [q for q in self._targets(agent, queues) if agent.memberships[q].dynamic]
        if not targets or (queues is not None and len(targets) < len(queues)):
            raise Conflict(f"extension {agent_number} is not a dynamic agent of those queues")
        for number in targets:
            member = agent.memberships[number]
            # A pause outlives logging out and in; 30029 reports each change on its own.
            member.logged_in = logged_in
            status = "login" if logged_in else "logout"
            self.emit(AgentStatus(number, agent_number, status, ""))
        self._note_pause(agent, now)
        self._note_login(agent, now)
        return targets

    def _note_login(self, agent: Agent, now: float) -> None:
        logged_in = any(m.logged_in for m in agent.memberships.values())
        self.times.logged_in(agent.defn.number, logged_in, now)

    def _note_pause(self, agent: Agent, now: float) -> None:
        """Pause time runs while the agent is paused in a queue it is logged in to, under the
        reason of the first such queue."""
        reasons = (m.reason for m in agent.memberships.values() if m.paused and m.logged_in)
        self.times.paused(agent.defn.number, next(reasons, None), now)

    def expire_pauses(self, now: float) -> None:
        """Unpause every agent whose timed pause (max_threshold_for_pause_time) has run out."""
        for agent in self.agents.values():
            for number, member in agent.memberships.items():
                if member.pause_until is not None and member.pause_until <= now:
                    self.set_paused(agent.defn.number, False, "", [number], now=now)

    def reconfigure(self, queue: QueueDef) -> None:
        """Replace a queue's settings (same number), as an administrator editing it would."""
        old = self.queue(queue.number)
        queues = tuple(queue if q is old else q for q in self.directory.queues)
        self.directory = dataclasses.replace(self.directory, queues=queues)
        self.queues[queue.number] = queue

    def add_member(self, queue_number: str, agent_number: str, dynamic: bool) -> None:
        """Make an extension an agent of a queue (logged in, GUESS for a new dynamic agent)."""
        queue, agent = self.queue(queue_number), self.agent(agent_number)
        if queue_number in agent.memberships:
            raise Conflict(f"extension {agent_number} is already in queue {queue_number}")
        if dynamic:
            queue = dataclasses.replace(queue, dynamic_agents=(*queue.dynamic_agents, agent_number))
        else:
            queue = dataclasses.replace(queue, static_agents=(*queue.static_agents, agent_number))
        self.reconfigure(queue)
        agent.memberships[queue_number] = Membership(dynamic=dynamic)

    def remove_member(self, queue_number: str, agent_number: str) -> None:
        """Take an agent out of a queue; a call it is on goes on to its end."""
        queue, agent = self.queue(queue_number), self.agent(agent_number)
        if agent.memberships.pop(queue_number, None) is None:
            raise NotFound(f"extension {agent_number} is not in queue {queue_number}")
        static = tuple(n for n in queue.static_agents if n != agent_number)
        dynamic = tuple(n for n in queue.dynamic_agents if n != agent_number)
        self.reconfigure(dataclasses.replace(queue, static_agents=static, dynamic_agents=dynamic))

    def _targets(self, agent: Agent, queues: Sequence[str] | None) -> list[str]:
        if queues is None:
            return list(agent.memberships)
        missing = [q for q in queues if q not in agent.memberships]
        if missing:
            raise NotFound(f"extension {agent.defn.number} is not in queue {missing[0]}")
        return list(queues)

    def emit(self, event: Event) -> None:
        """Queue an event for the next drain."""
        self._events.append(event)

    def drain(self) -> list[Event]:
        """Hand over the events since the last drain, oldest first."""
        events, self._events = self._events, []
        return events

    def queue(self, number: str) -> QueueDef:
        """The queue with this number."""
        if number not in self.queues:
            raise NotFound(f"no queue {number}")
        return self.queues[number]

    def agent(self, number: str) -> Agent:
        """The extension with this number."""
        if number not in self.agents:
            raise NotFound(f"no extension {number}")
        return self.agents[number]
