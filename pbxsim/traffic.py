"""Seeded random callers: Poisson arrivals per queue, patience, ring, misses, talk and hang-up."""

import random
from functools import partial

from pbxsim.arrivals import ArrivalProfile
from pbxsim.model import CallCentre
from pbxsim.records import Call, Phase
from pbxsim.schedule import Action, Schedule

# Mean durations in simulated seconds; callers and agents of a busy but coping call centre.
MEAN_PATIENCE = 150.0
MEAN_TALK = 30.0
MIN_TALK = 5.0
RING_RANGE = (2.0, 8.0)
# Share of rung agents who let the call ring out (30026; enough misses auto-pause, 30025);
# one agent, picked at random, is far less attentive than the rest.
MISS_RATE, FLAKY_MISS_RATE = 0.05, 0.4
# Share of callers who leave the queue by a key press (transferred out), and when they do.
TRANSFER_RATE, TRANSFER_RANGE = 0.03, (10.0, 60.0)
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
        patience = self._rng.expovariate(1 / MEAN_PATIENCE)
        self._after(patience, now, partial(self._give_up, call.call_id))
        self._after(call.queue.max_wait_time, now, partial(self._time_out, call.call_id))
        if self._rng.random() < TRANSFER_RATE:
            leave = self._rng.uniform(*TRANSFER_RANGE)
            self._after(leave, now, partial(self._transfer, call.call_id))
        self._schedule_arrival(queue_number, now)

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
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._centre.time_out(call_id, now)

    def _transfer(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING):
            self._centre.transfer_out(call_id, now)

    def _ring_out(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.ring_out(call_id, now)

    def _answer(self, call_id: str, by: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.answer(call_id, now, by)
            talk = MIN_TALK + self._rng.expovariate(1 / MEAN_TALK)
            self._after(talk, now, partial(self._hang_up, call_id))
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
            self._centre.set_held(call_id, by)

    def _hang_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.TALKING):
            self._centre.hangup(call_id, now)
