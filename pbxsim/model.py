"""The call-centre state machine: callers queue, agents ring, answer, pause and log in (no I/O)."""

import dataclasses
from collections import deque
from collections.abc import Sequence
from typing import TypeVar

from pbxsim.cdr import plain_cdr, queue_cdr
from pbxsim.directory import Directory, QueueDef
from pbxsim.records import (
    Agent,
    AutoPause,
    Call,
    CallUpdate,
    Cdr,
    Conflict,
    Leg,
    NewCdr,
    NotFound,
    Outcome,
    Phase,
    PlainCall,
    PlainUpdate,
    QueueStats,
    RingTimeout,
)
from pbxsim.roster import Roster

# CDRs kept for cdr/list; older ones are forgotten so a demo can run for weeks in bounded memory.
CDRS_KEPT = 10_000
# Simulated seconds: callers who hang up within this of arriving are short abandons (the
# wallboard's SHORT_ABANDON_SECONDS default), counted apart in the ground truth.
SHORT_ABANDON_S = 5.0

C = TypeVar("C", bound=Call | PlainCall)


def snapshot(call: C) -> C:
    """A deep enough copy of a call for an event: later changes to the live call do not show."""
    listeners = [dataclasses.replace(listener) for listener in call.listeners]
    if isinstance(call, Call):
        return dataclasses.replace(call, listeners=listeners, others=dict(call.others))
    legs = [dataclasses.replace(leg) for leg in call.legs]
    return dataclasses.replace(call, legs=legs, listeners=listeners)


class CallCentre(Roster):
    """Queues, agents and live calls; every change is queued as an `Event` for `drain`."""

    def __init__(self, directory: Directory, now: float) -> None:
        super().__init__(directory, now)
        self.calls: dict[str, Call] = {}
        self.plain: dict[str, PlainCall] = {}
        self.stats = {q.number: QueueStats() for q in directory.queues}
        self.cdrs: deque[Cdr] = deque(maxlen=CDRS_KEPT)
        # Every CDR ever written, also the last CDR's ID.
        self.cdr_count = 0
        # Set when callers pass an IVR before the queue and events show that stage first.
        self.ivr_stage = False
        self._call_seq = 0
        self._channel_seq = 0

    def call(self, call_id: str) -> Call:
        """The live queue call with this ID."""
        if call_id not in self.calls:
            raise NotFound(f"no live call {call_id}")
        return self.calls[call_id]

    def reconfigure(self, queue: QueueDef) -> None:
        """Replace a queue's settings (same number); its live calls follow the new ones."""
        old = self.queue(queue.number)
        super().reconfigure(queue)
        for call in self.calls.values():
            if call.queue is old:
                call.queue = queue

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
        """A caller reaches the queue through its DID and hears ringback."""
        call = Call(
            call_id=self.new_call_id(now),
            queue=self.queue(queue_number),
            caller=caller,
            caller_channel=self.channel(f"trunk-{self.directory.trunk_name}"),
            waiting_since=now,
            scripted=scripted,
        )
        self._enqueue(call, self.ivr_stage)
        return call

    def enter_queue(self, plain_id: str, now: float) -> Call:
        """A call/dial call whose callee is a queue: once the calling extension answered its
        own ring, it waits in that queue as an internal caller (same call ID and channel)."""
        plain = self.plain.pop(plain_id)
        leg = plain.legs[0]
        call = Call(
            call_id=plain.call_id,
            queue=self.queue(plain.callee),
            caller=leg.number,
            caller_channel=leg.channel,
            waiting_since=now,
            scripted=False,
            internal=True,
        )
        self.extension_state(leg.number, "Busy")
        self._enqueue(call, ivr=False)
        return call

    def requeue(self, call: Call, queue: QueueDef, now: float, parting: Sequence[Leg]) -> Call:
        """A call sent on to another queue (a transfer, a failover) waits there from now, under
        the same call ID; `parting` legs show hung up in its first update."""
        again = Call(
            call_id=call.call_id,
            queue=queue,
            caller=call.caller,
            caller_channel=call.caller_channel,
            waiting_since=now,
            scripted=call.scripted,
            internal=call.internal,
            came_from=call.as_left(),
            parting=tuple((leg.number, leg.channel) for leg in parting),
        )
        self._enqueue(again, ivr=False)
        again.parting = ()
        return again

    def _enqueue(self, call: Call, ivr: bool) -> None:
        self.calls[call.call_id] = call
        self.stats[call.queue.number].offered += 1
        if ivr:
            call.in_ivr = True
            self.emit_call(call)
            call.in_ivr = False
        self.emit_call(call)

    def ring(self, call_id: str, agent_number: str, now: float) -> None:
        """Offer a waiting call to one agent's phone."""
        self.ring_all(call_id, [agent_number], now)

    def ring_all(self, call_id: str, numbers: Sequence[str], now: float) -> None:
        """Offer a waiting call to several phones at once (`ring_all`); the first is primary."""
        call = self._in_phase(call_id, Phase.WAITING)
        agents = [self.agent(n) for n in numbers]
        for agent in agents:
            member = agent.memberships.get(call.queue.number)
            if agent.call_id is not None or (member is not None and member.paused):
                raise Conflict(f"extension {agent.defn.number} is busy or paused")
        call.phase, call.ring_since = Phase.RINGING, now
        for agent in agents:
            agent.call_id = call.call_id
            call.others[agent.defn.number] = self.channel(agent.defn.number)
            self.extension_state(agent.defn.number, "Ringing")
        call.agent = next(iter(call.others))
        call.agent_channel = call.others.pop(call.agent)
        self.emit_call(call)

    def answer(self, call_id: str, now: float, by: str | None = None) -> None:
        """A ringing agent (`by`, default the primary) picks up; the other phones stop."""
        call = self._in_phase(call_id, Phase.RINGING)
        if by is not None and by != call.agent:
            self._promote(call, by)
        self._release_others(call)
        call.phase, call.answered_at, call.outcome = Phase.TALKING, now, Outcome.ANSWERED
        self.stats[call.queue.number].answered += 1
        agent = self._agent_of(call)
        agent.answered += 1
        self.times.talk.start(call.call_id, agent.defn.number, "", now)
        member = agent.memberships.get(call.queue.number)
        if member is not None:
            member.misses.clear()
        self.extension_state(agent.defn.number, "Busy")
        self.emit_call(call)

    def _promote(self, call: Call, by: str) -> None:
        """Make another ringing agent the primary one (the one who answers)."""
        if by not in call.others or call.agent is None or call.agent_channel is None:
            raise Conflict(f"extension {by} is not ringing for call {call.call_id}")
        call.others[call.agent] = call.agent_channel
        call.agent, call.agent_channel = by, call.others.pop(by)

    def ring_out(self, call_id: str, now: float) -> None:
        """Nobody answered in time: 30026 per rung agent, the caller waits again."""
        call = self._in_phase(call_id, Phase.RINGING)
        missed = [self._agent_of(call).defn.number, *self._release_others(call)]
        self._release(call, now)
        call.phase, call.agent, call.agent_channel, call.ring_since = (
            Phase.WAITING,
            None,
            None,
            None,
        )
        self.emit_call(call)
        for number in missed:
            self._missed(call, self.agents[number], now)

    def decline(self, call_id: str, number: str, now: float) -> None:
        """One ringing agent rejects the call: a miss for it; the others (if any) ring on."""
        call = self._in_phase(call_id, Phase.RINGING)
        if not call.others:
            self.ring_out(call_id, now)
            return
        if number == call.agent:
            self._promote(call, next(iter(call.others)))
        if call.others.pop(number, None) is None:
            raise Conflict(f"extension {number} is not ringing for call {call_id}")
        agent = self.agents[number]
        agent.call_id = None
        self.extension_state(number, "Idle")
        self.emit_call(call)
        self._missed(call, agent, now)

    def _missed(self, call: Call, agent: Agent, now: float) -> None:
        queue = call.queue
        self.emit(RingTimeout(queue.number, agent.defn.number, call.caller, call.call_id))
        agent.missed += 1
        member = agent.memberships.get(queue.number)
        if member is not None:
            member.misses.append((call.caller, call.call_id))
            if queue.auto_pause_misses and len(member.misses) >= queue.auto_pause_misses:
                self.emit(AutoPause(queue.number, agent.defn.number, tuple(member.misses)))
                self.set_paused(agent.defn.number, True, "", [queue.number], now=now)

    def abandon(self, call_id: str, now: float) -> None:
        """The caller hangs up before anyone answered."""
        self.end_unanswered(call_id, Outcome.ABANDONED, now)

    def hangup(self, call_id: str, now: float) -> None:
        """Either side ends an answered call; the agent then wraps up."""
        call = self._in_phase(call_id, Phase.TALKING)
        self._end(call, now)
        self._wrap_up(call, now)

    def _wrap_up(self, call: Call, now: float) -> None:
        if call.agent is not None:
            agent = self.agents[call.agent]
            agent.wrap_until, agent.wrap_queue = now + call.queue.wrap_up_time, call.queue.number

    def set_held(self, call_id: str, by: str, now: float) -> None:
        """Put an answered call on hold (`by` "agent" or "caller") or take it off (`by` "")."""
        call = self._in_phase(call_id, Phase.TALKING)
        call.held_by = by
        if by:
            self.times.hold.start(call_id, call.agent or "", "", now)
        else:
            self.times.hold.stop(call_id, now)
        self.emit_call(call)

    def end_unanswered(self, call_id: str, outcome: Outcome, now: float) -> None:
        """A call nobody answered leaves its queue with this outcome and ends (its caller's leg
        hangs up: the caller did, or the failover ends the call)."""
        self._end(self.settle(call_id, outcome, now), now)

    def settle(self, call_id: str, outcome: Outcome, now: float) -> Call:
        """Count an unanswered call's one outcome in its queue's ground truth."""
        call = self.call(call_id)
        if call.phase is Phase.TALKING:
            raise Conflict(f"call {call_id} was answered; hang it up instead")
        call.outcome = outcome
        stats = self.stats[call.queue.number]
        setattr(stats, outcome.value, getattr(stats, outcome.value) + 1)
        short = outcome is Outcome.ABANDONED and now - call.waiting_since < SHORT_ABANDON_S
        stats.short_abandoned += short
        return call

    def leave_queue(self, call: Call, now: float) -> None:
        """The call goes on from its queue (its caller stays on the line): phones that rang for
        it stop, an agent who talked on it wraps up, monitoring of that agent ends."""
        self._let_go(call, now)
        if call.phase is Phase.TALKING:
            self._wrap_up(call, now)
        self._end_listeners(call, now)

    def _let_go(self, call: Call, now: float) -> None:
        """The call is no longer the queue's: the phones that rang for it, or its agent's, are
        put down, and it leaves the live calls."""
        self._release_others(call)
        if call.agent is not None:
            self._release(call, now)
        self.times.talk.stop(call.call_id, now)
        self.times.hold.stop(call.call_id, now)
        del self.calls[call.call_id]

    def _end_listeners(self, call: Call | PlainCall, now: float) -> None:
        for listener in call.listeners:
            self.end_plain(listener.call_id, now)

    def _in_phase(self, call_id: str, phase: Phase) -> Call:
        call = self.call(call_id)
        if call.phase is not phase:
            raise Conflict(f"call {call_id} is {call.phase}, not {phase}")
        return call

    def _agent_of(self, call: Call) -> Agent:
        """The primary agent of a call that is ringing or answered."""
        if call.agent is None:
            raise Conflict(f"call {call.call_id} has no agent")
        return self.agents[call.agent]

    def _release(self, call: Call, now: float) -> Agent:
        agent = self._agent_of(call)
        self.put_down(agent, now)
        return agent

    def _release_others(self, call: Call) -> list[str]:
        """Stop the phones that rang along with the primary one (they stay as idle as they were)."""
        numbers = list(call.others)
        for number in numbers:
            self.put_down(self.agents[number], None)
        call.others.clear()
        return numbers

    def put_down(self, agent: Agent, now: float | None) -> None:
        """The extension's call is over (idle since `now`, if given); a call waiting rings now."""
        agent.call_id, agent.waiting_call = agent.waiting_call, None
        if now is not None:
            agent.idle_since = now
        self.extension_state(agent.defn.number, "Idle" if agent.call_id is None else "Ringing")

    def _end(self, call: Call, now: float) -> None:
        call.phase = Phase.ENDED
        self._let_go(call, now)
        if call.internal:
            self.put_down(self.agents[call.caller], now)
        self.emit_call(call)
        self._end_listeners(call, now)
        self.record_queue_call(call, now)

    def find_channel(self, channel: str) -> Call | PlainCall | None:
        """The live call one of whose members has this channel ID."""
        for call in self.calls.values():
            if channel in (call.caller_channel, call.agent_channel, *call.others.values()):
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
        self._end_listeners(call, now)
        for leg in call.legs:
            leg.status = "BYE"
            agent = self.agents.get(leg.number) if leg.kind == "extension" else None
            if agent is not None and agent.call_id == call_id:
                self.put_down(agent, now)
            elif agent is not None and agent.waiting_call == call_id:
                agent.waiting_call = None
        self.emit_plain(call)
        # A queue call that went on from its queue left its CDR then (record_queue_call).
        if call.origin is None:
            self._record(plain_cdr(call, self.cdr_count + 1, now, self.directory.trunk_name))

    def record_queue_call(self, call: Call, now: float) -> None:
        """A queue call's one CDR (GUESS), once it is over for the queues: hung up, or gone on
        to a destination that is no queue (what it does there is in no CDR)."""
        self._record(queue_cdr(call.whole(), self.cdr_count + 1, now, self.directory.trunk_name))

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
        """Queue a 30011 for a non-queue call (a snapshot of it)."""
        self.emit(PlainUpdate(snapshot(call)))

    def _record(self, cdr: Cdr) -> None:
        self.cdr_count = cdr.id
        self.cdrs.append(cdr)
        self.emit(NewCdr(cdr))

    def emit_call(self, call: Call) -> None:
        """Queue a 30011 for a queue call (a snapshot of it)."""
        self.emit(CallUpdate(snapshot(call)))
