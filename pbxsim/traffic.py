"""Seeded random callers: Poisson arrivals per queue, patience, ring, misses, talk and hang-up."""

import random
from functools import partial

from pbxsim.arrivals import ArrivalProfile
from pbxsim.model import CallCentre
from pbxsim.onward import Onward, key_press, time_out, transfer
from pbxsim.plain import pick_up
from pbxsim.records import Call, Destination, Phase
from pbxsim.schedule import Action, Schedule

# Mean durations in simulated seconds; callers and agents of a busy but coping call centre.
MEAN_PATIENCE = 150.0
MEAN_TALK = 30.0
MIN_TALK = 5.0
RING_RANGE = (2.0, 8.0)
# Share of rung agents who let the call ring out (30026; enough misses auto-pause, 30025);
# one agent, picked at random, is far less attentive than the rest.
MISS_RATE, FLAKY_MISS_RATE = 0.05, 0.4
# Share of callers who leave the queue by a key press (transferred out, to the IVR), and when.
TRANSFER_RATE, TRANSFER_RANGE = 0.03, (10.0, 60.0)
# Share of answered calls the agent transfers at the end of its talk (to another extension, a
# queue, the IVR or an outside number), and of those to a person the share made attended.
AGENT_TRANSFER_RATE, ATTENDED_RATE = 0.05, 0.3
# How long a caller stays in the IVR or a voicemail box once sent there.
FEATURE_RANGE = (10.0, 60.0)
# Share of answered calls put on hold for a while (30011 HOLD), and of those the share the
# caller holds rather than the agent (queue/agent_status tells them apart, §5.3).
HOLD_RATE, CALLER_HOLD_RATE = 0.1, 0.3


class Traffic:
    """Drives the random (non-scripted) calls of a `CallCentre` along a shared schedule."""

    def __init__(
        self,
        centre: CallCentre,
        schedule: Schedule,
        rng: random.Random,
        per_min: float,
        start: float,
    ) -> None:
        self._centre = centre
        self._schedule = schedule
        self._rng = rng
        self._arrivals_per_s = per_min / 60
        # The scenario's busy spells and shares of the rate per queue (flat if it has none).
        self._profile = ArrivalProfile(centre.directory, start)
        self._flaky = rng.choice(sorted(centre.agents))
        if self._arrivals_per_s > 0:
            for number in centre.queues:
                self._schedule_arrival(number, start)

    def _after(self, seconds: float, at: float, action: Action) -> None:
        self._schedule.at(at + seconds, action)

    def _schedule_arrival(self, queue_number: str, now: float) -> None:
        peak = self._arrivals_per_s * self._profile.peak(queue_number)
        gap = self._rng.expovariate(peak)
        self._after(gap, now, partial(self._arrive, queue_number))

    def _arrive(self, queue_number: str, now: float) -> None:
        if not self._profile.admits(queue_number, now, self._rng):
            self._schedule_arrival(queue_number, now)  # thinned: no caller this time
            return
        caller = "08" + "".join(self._rng.choice("0123456789") for _ in range(8))
        call = self._centre.arrive(queue_number, caller, now, scripted=False)
        self._wait_out(call, now)
        if self._rng.random() < TRANSFER_RATE:
            leave = self._rng.uniform(*TRANSFER_RANGE)
            self._after(leave, now, partial(self._transfer, call.call_id))
        self._schedule_arrival(queue_number, now)

    def _wait_out(self, call: Call, now: float) -> None:
        """A random caller's patience, and the queue's maximum wait."""
        patience = self._rng.expovariate(1 / MEAN_PATIENCE)
        self._after(patience, now, partial(self._give_up, call.call_id))
        self._after(call.queue.max_wait_time, now, partial(self._time_out, call.call_id))

    def dispatch(self, now: float) -> None:
        """Ring an available agent for every waiting random caller that can have one."""
        # One pass over the live calls in arrival order; a queue with nobody free is skipped.
        exhausted: set[str] = set()
        for call in list(self._centre.calls.values()):
            if call.phase is not Phase.WAITING or call.scripted or call.queue.number in exhausted:
                continue
            if not self._ring(call, now):
                exhausted.add(call.queue.number)

    def _ring(self, call: Call, now: float) -> bool:
        """Ring the strategy's pick (everyone available for ring_all); False if nobody is."""
        queue = call.queue
        picked = self._centre.pick_agent(queue, now)
        if picked is None:
            return False
        ringing = [picked]
        if queue.ring_strategy == "ring_all":
            ringing = self._centre.available_agents(queue, now)
        self._centre.ring_all(call.call_id, [a.defn.number for a in ringing], now)
        miss_rate = (
            FLAKY_MISS_RATE if self._flaky in (a.defn.number for a in ringing) else MISS_RATE
        )
        if self._rng.random() < miss_rate:
            self._after(queue.agent_timeout, now, partial(self._ring_out, call.call_id))
        else:
            by = self._rng.choice(ringing).defn.number
            ring = self._rng.uniform(*RING_RANGE)
            self._after(ring, now, partial(self._answer, call.call_id, by))
        return True

    def _ours(self, call_id: str, *phases: Phase) -> bool:
        call = self._centre.calls.get(call_id)
        return call is not None and not call.scripted and call.phase in phases

    def _give_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._centre.abandon(call_id, now)

    def _time_out(self, call_id: str, now: float) -> None:
        """Its own maximum wait: a call sent on from another queue waits a new one here."""
        call = self._centre.calls.get(call_id)
        if call is None or now < call.waiting_since + call.queue.max_wait_time:
            return
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._carry_on(time_out(self._centre, call_id, now), now)

    def _transfer(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING):
            self._carry_on(key_press(self._centre, call_id, now), now)

    def _carry_on(self, onward: Onward | None, now: float) -> None:
        """A call that went on from its queue: it waits in the next one, or the phone it rings
        answers and they talk, or it stays a while in the feature it reached; then it ends."""
        if isinstance(onward, Call):
            self._wait_out(onward, now)
        elif onward is not None:
            ringing = len(onward.legs) > 1 and onward.legs[1].status == "RING"
            ring = self._rng.uniform(*RING_RANGE) if ringing else 0.0
            if ringing:
                self._after(ring, now, partial(pick_up, self._centre, onward.call_id))
            stay = self._rng.uniform(*FEATURE_RANGE) if onward.feature is not None else self._talk()
            self._after(ring + stay, now, partial(self._end_onward, onward.call_id))

    def _end_onward(self, call_id: str, now: float) -> None:
        if call_id in self._centre.plain:
            self._centre.end_plain(call_id, now)

    def _talk(self) -> float:
        return MIN_TALK + self._rng.expovariate(1 / MEAN_TALK)

    def _ring_out(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.ring_out(call_id, now)

    def _answer(self, call_id: str, by: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.answer(call_id, now, by)
            talk = self._talk()
            transfers = self._rng.random() < AGENT_TRANSFER_RATE
            self._after(talk, now, partial(self._pass_on if transfers else self._hang_up, call_id))
            if self._rng.random() < HOLD_RATE:
                by = "caller" if self._rng.random() < CALLER_HOLD_RATE else "agent"
                self._after(talk / 3, now, partial(self._hold, call_id, by))
                self._after(talk * 2 / 3, now, partial(self._hold, call_id, ""))

    def follow(self, call: Call, now: float) -> None:
        """Take over a caller that dialled the queue through the API: agents ring for it as
        for any random caller; it waits up to the queue's maximum wait."""
        self._after(call.queue.max_wait_time, now, partial(self._time_out, call.call_id))

    def _hold(self, call_id: str, by: str, now: float) -> None:
        if self._ours(call_id, Phase.TALKING):
            self._centre.set_held(call_id, by, now)

    def _hang_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.TALKING):
            self._centre.hangup(call_id, now)

    def _pass_on(self, call_id: str, now: float) -> None:
        """The agent transfers the caller at the end of its talk, blind or attended."""
        if self._ours(call_id, Phase.TALKING):
            call = self._centre.calls[call_id]
            going = self._destination(call, now)
            attended = going.kind != "queue" and self._rng.random() < ATTENDED_RATE
            self._carry_on(transfer(self._centre, call_id, going, now, attended), now)

    def _destination(self, call: Call, now: float) -> Destination:
        """Another free phone, another queue, the IVR, or an outside number."""
        roll, centre = self._rng.random(), self._centre
        phones = [n for n, a in centre.agents.items() if n != call.agent and centre.free(a, now)]
        queues = [n for n in centre.queues if n != call.queue.number]
        if roll < 0.4 and phones:
            return Destination("extension", self._rng.choice(phones))
        if roll < 0.6 and queues:
            return Destination("queue", self._rng.choice(queues))
        if roll < 0.8:
            return Destination("feature", "")
        return Destination("external", "08" + str(self._rng.randrange(10**8)))
