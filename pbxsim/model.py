"""The call-centre state machine: callers queue, agents ring, answer, pause and log in (no I/O)."""

import dataclasses
from collections.abc import Callable, Sequence

from pbxsim.cdr import plain_cdr, queue_cdr
from pbxsim.directory import Directory, QueueDef
from pbxsim.records import (
    Agent,
    AgentStatus,
    AutoPause,
    Call,
    CallUpdate,
    Cdr,
    Conflict,
    Event,
    ExtensionState,
    Membership,
    NewCdr,
    NotFound,
    Outcome,
    Phase,
    PlainCall,
    PlainUpdate,
    QueueStats,
    RingTimeout,
)

EXTENSION_REGISTRATION, EXTENSION_CALL_STATE, EXTENSION_PRESENCE = 30007, 30008, 30009


def _longest_idle(agents: list[Agent]) -> Agent:
    return min(agents, key=lambda a: a.idle_since)


def _first_listed(agents: list[Agent]) -> Agent:
    return agents[0]


# The model rings one agent at a time; strategies it does not tell apart ring the longest idle.
STRATEGIES: dict[str, Callable[[list[Agent]], Agent]] = {"linear": _first_listed}


def _memberships(number: str, queues: Sequence[QueueDef]) -> dict[str, Membership]:
    return {
        q.number: Membership(dynamic=number in q.dynamic_agents)
        for q in queues
        if number in q.members
    }


class CallCentre:
    """Queues, agents and live calls; every change is queued as an `Event` for `drain`."""

    def __init__(self, directory: Directory, now: float) -> None:
        self.directory = directory
        self.queues = {q.number: q for q in directory.queues}
        self.agents = {
            e.number: Agent(e, now, _memberships(e.number, directory.queues))
            for e in directory.extensions
        }
        self.calls: dict[str, Call] = {}
        self.plain: dict[str, PlainCall] = {}
        self.stats = {q.number: QueueStats() for q in directory.queues}
        self.cdrs: list[Cdr] = []
        self._events: list[Event] = []
        # Set when callers pass an IVR before the queue and events show that stage first.
        self.ivr_stage = False
        self._call_seq = 0
        self._channel_seq = 0

    def drain(self) -> list[Event]:
        """Hand over the events since the last drain, oldest first."""
        events, self._events = self._events, []
        return events

    def emit(self, event: Event) -> None:
        """Queue an event for the next drain."""
        self._events.append(event)

    def queue(self, number: str) -> QueueDef:
        """The queue with this number."""
        if number not in self.queues:
            raise NotFound(f"no queue {number}")
        return self.queues[number]

    def call(self, call_id: str) -> Call:
        """The live queue call with this ID."""
        if call_id not in self.calls:
            raise NotFound(f"no live call {call_id}")
        return self.calls[call_id]

    def agent(self, number: str) -> Agent:
        """The extension with this number."""
        if number not in self.agents:
            raise NotFound(f"no extension {number}")
        return self.agents[number]

    def calls_in(self, queue: QueueDef, phase: Phase) -> list[Call]:
        """The queue's calls in one phase, in arrival order."""
        return [c for c in self.calls.values() if c.queue is queue and c.phase is phase]

    def new_call_id(self, now: float) -> str:
        """`"<unix seconds>.<sequence>"`, the documented call ID form."""
        self._call_seq += 1
        return f"{int(now)}.{self._call_seq}"

    def channel(self, endpoint: str) -> str:
        """A fresh channel ID `PJSIP/<endpoint>-<8 hex>`."""
        self._channel_seq += 1
        return f"PJSIP/{endpoint}-{self._channel_seq:08x}"

    def arrive(self, queue_number: str, caller: str, now: float, scripted: bool) -> Call:
        """A caller reaches the queue and hears ringback."""
        queue = self.queue(queue_number)
        call = Call(
            call_id=self.new_call_id(now),
            queue=queue,
            caller=caller,
            trunk_channel=self.channel(f"trunk-{self.directory.trunk_name}"),
            waiting_since=now,
            scripted=scripted,
        )
        self.calls[call.call_id] = call
        self.stats[queue.number].offered += 1
        if self.ivr_stage:
            call.in_ivr = True
            self.emit_call(call)
            call.in_ivr = False
        self.emit_call(call)
        return call

    def free(self, agent: Agent, now: float) -> bool:
        """Not in a call or wrap-up, registered and not on do-not-disturb."""
        return (
            agent.call_id is None
            and now >= agent.wrap_until
            and agent.registered
            and agent.presence != "do_not_disturb"
        )

    def available(self, agent: Agent, queue_number: str, now: float) -> bool:
        """Whether the queue may ring this agent now."""
        member = agent.memberships.get(queue_number)
        ready = member is not None and member.logged_in and not member.paused
        return ready and self.free(agent, now)

    def pick_agent(self, queue: QueueDef, now: float) -> Agent | None:
        """The agent the queue's ring strategy would ring now, if any is available."""
        free = [
            self.agents[n]
            for n in queue.members
            if self.available(self.agents[n], queue.number, now)
        ]
        return STRATEGIES.get(queue.ring_strategy, _longest_idle)(free) if free else None

    def ring(self, call_id: str, agent_number: str, now: float) -> None:
        """Offer a waiting call to an agent's phone."""
        call, agent = self._in_phase(call_id, Phase.WAITING), self.agent(agent_number)
        member = agent.memberships.get(call.queue.number)
        if agent.call_id is not None or (member is not None and member.paused):
            raise Conflict(f"extension {agent_number} is busy or paused")
        agent.call_id = call.call_id
        call.phase, call.agent, call.ring_since = Phase.RINGING, agent_number, now
        call.agent_channel = self.channel(agent_number)
        self.emit_call(call)
        self.extension_state(agent_number, "Ringing")

    def answer(self, call_id: str, now: float) -> None:
        """The ringing agent picks up."""
        call = self._in_phase(call_id, Phase.RINGING)
        call.phase, call.answered_at, call.outcome = Phase.TALKING, now, Outcome.ANSWERED
        self.stats[call.queue.number].answered += 1
        if call.agent is not None:
            member = self.agents[call.agent].memberships.get(call.queue.number)
            if member is not None:
                member.misses.clear()
            self.extension_state(call.agent, "Busy")
        self.emit_call(call)

    def ring_out(self, call_id: str, now: float) -> None:
        """The ringing agent did not answer in time: 30026, the caller waits again."""
        call = self._in_phase(call_id, Phase.RINGING)
        agent = self._release(call, now)
        call.phase, call.agent, call.agent_channel, call.ring_since = (
            Phase.WAITING,
            None,
            None,
            None,
        )
        self.emit_call(call)
        queue = call.queue
        self.emit(RingTimeout(queue.number, agent.defn.number, call.caller, call.call_id))
        member = agent.memberships.get(queue.number)
        if member is not None:
            member.misses.append((call.caller, call.call_id))
            if queue.auto_pause_misses and len(member.misses) >= queue.auto_pause_misses:
                self.emit(AutoPause(queue.number, agent.defn.number, tuple(member.misses)))
                self.set_paused(agent.defn.number, True, "", [queue.number], now=now)

    def abandon(self, call_id: str, now: float) -> None:
        """The caller hangs up before anyone answered."""
        self._finish_unanswered(call_id, Outcome.ABANDONED, now)

    def time_out(self, call_id: str, now: float) -> None:
        """The caller waited the queue's maximum: the call fails over out of the queue."""
        self._finish_unanswered(call_id, Outcome.TIMED_OUT, now)

    def transfer_out(self, call_id: str, now: float) -> None:
        """A waiting caller is sent elsewhere (e.g. pressed a key for voicemail)."""
        self._finish_unanswered(call_id, Outcome.TRANSFERRED, now)

    def hangup(self, call_id: str, now: float) -> None:
        """Either side ends an answered call; the agent then wraps up."""
        call = self._in_phase(call_id, Phase.TALKING)
        self._end(call, now)
        if call.agent is not None:
            self.agents[call.agent].wrap_until = now + call.queue.wrap_up_time

    def set_held(self, call_id: str, held: bool) -> None:
        """Put an answered call on hold or take it off."""
        call = self._in_phase(call_id, Phase.TALKING)
        call.held = held
        self.emit_call(call)

    def _finish_unanswered(self, call_id: str, outcome: Outcome, now: float) -> None:
        call = self.call(call_id)
        if call.phase is Phase.TALKING:
            raise Conflict(f"call {call_id} was answered; hang it up instead")
        call.outcome = outcome
        stats = self.stats[call.queue.number]
        setattr(stats, outcome.value, getattr(stats, outcome.value) + 1)
        self._end(call, now)

    def _in_phase(self, call_id: str, phase: Phase) -> Call:
        call = self.call(call_id)
        if call.phase is not phase:
            raise Conflict(f"call {call_id} is {call.phase}, not {phase}")
        return call

    def _release(self, call: Call, now: float) -> Agent:
        assert call.agent is not None
        agent = self.agents[call.agent]
        agent.call_id, agent.idle_since = None, now
        self.extension_state(agent.defn.number, "Idle")
        return agent

    def _end(self, call: Call, now: float) -> None:
        call.phase = Phase.ENDED
        if call.agent is not None:
            self._release(call, now)
        del self.calls[call.call_id]
        self.emit_call(call)
        for listener in call.listeners:
            self.end_plain(listener.call_id, now)
        self._record(queue_cdr(call, len(self.cdrs) + 1, now, self.directory.trunk_name))

    def find_channel(self, channel: str) -> Call | PlainCall | None:
        """The live call one of whose members has this channel ID."""
        for call in self.calls.values():
            if channel in (call.trunk_channel, call.agent_channel):
                return call
        return next(
            (p for p in self.plain.values() if channel in {g.channel for g in p.legs}), None
        )

    def end_plain(self, call_id: str, now: float) -> None:
        """A non-queue call ends: every leg says BYE and its extensions are free again."""
        call = self.plain.pop(call_id, None)
        if call is None:
            raise NotFound(f"no live call {call_id}")
        self._detach(call)
        for listener in call.listeners:
            self.end_plain(listener.call_id, now)
        for leg in call.legs:
            leg.status = "BYE"
            agent = self.agents.get(leg.number) if leg.kind == "extension" else None
            if agent is not None and agent.call_id == call_id:
                agent.call_id, agent.idle_since = None, now
                self.extension_state(leg.number, "Idle")
        self.emit_plain(call)
        self._record(plain_cdr(call, len(self.cdrs) + 1, now, self.directory.trunk_name))

    def _detach(self, monitor: PlainCall) -> None:
        target = self.find_channel(monitor.monitors) if monitor.monitors else None
        if target is not None:
            target.listeners = [x for x in target.listeners if x.call_id != monitor.call_id]
            self.emit_any(target)

    def emit_any(self, call: Call | PlainCall) -> None:
        """Queue a 30011 for either kind of call."""
        if isinstance(call, Call):
            self.emit_call(call)
        else:
            self.emit_plain(call)

    def emit_plain(self, call: PlainCall) -> None:
        """Queue a 30011 for a non-queue call (a deep enough copy of it)."""
        legs = [dataclasses.replace(leg) for leg in call.legs]
        listeners = [dataclasses.replace(listener) for listener in call.listeners]
        self.emit(PlainUpdate(dataclasses.replace(call, legs=legs, listeners=listeners)))

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

    def _record(self, cdr: Cdr) -> None:
        self.cdrs.append(cdr)
        self.emit(NewCdr(cdr))

    def emit_call(self, call: Call) -> None:
        """Queue a 30011 for a queue call (a deep enough copy of it)."""
        listeners = [dataclasses.replace(listener) for listener in call.listeners]
        self.emit(CallUpdate(dataclasses.replace(call, listeners=listeners)))

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

    def set_logged_in(
        self, agent_number: str, logged_in: bool, queues: Sequence[str] | None
    ) -> list[str]:
        """Log a dynamic agent in or out of some (default: all its dynamic) queues; 30029 each."""
        agent = self.agent(agent_number)
        targets = [q for q in self._targets(agent, queues) if agent.memberships[q].dynamic]
        if not targets or (queues is not None and len(targets) < len(queues)):
            raise Conflict(f"extension {agent_number} is not a dynamic agent of those queues")
        for number in targets:
            member = agent.memberships[number]
            member.logged_in, member.paused, member.reason = logged_in, False, ""
            status = "login" if logged_in else "logout"
            self.emit(AgentStatus(number, agent_number, status, ""))
        return targets

    def expire_pauses(self, now: float) -> None:
        """Unpause every agent whose timed pause (max_threshold_for_pause_time) has run out."""
        for agent in self.agents.values():
            for number, member in agent.memberships.items():
                if member.pause_until is not None and member.pause_until <= now:
                    self.set_paused(agent.defn.number, False, "", [number], now=now)

    def _targets(self, agent: Agent, queues: Sequence[str] | None) -> list[str]:
        if queues is None:
            return list(agent.memberships)
        missing = [q for q in queues if q not in agent.memberships]
        if missing:
            raise NotFound(f"extension {agent.defn.number} is not in queue {missing[0]}")
        return list(queues)
