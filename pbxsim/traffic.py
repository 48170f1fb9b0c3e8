"""Seeded random callers: Poisson arrivals per queue, patience, ring, misses, talk and hang-up."""

import random
from functools import partial

from pbxsim.model import CallCentre
from pbxsim.records import Phase
from pbxsim.schedule import Action, Schedule

# Mean durations in simulated seconds; callers and agents of a busy but coping call centre.
MEAN_PATIENCE = 90.0
MEAN_TALK = 30.0
MIN_TALK = 5.0
RING_RANGE = (2.0, 8.0)
# Share of rung agents who let the call ring out (30026; enough misses auto-pause, 30025).
MISS_RATE = 0.05


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
        if self._arrivals_per_s > 0:
            for number in centre.queues:
                self._schedule_arrival(number, start)

    def _after(self, seconds: float, at: float, action: Action) -> None:
        self._schedule.at(at + seconds, action)

    def _schedule_arrival(self, queue_number: str, now: float) -> None:
        gap = self._rng.expovariate(self._arrivals_per_s)
        self._after(gap, now, partial(self._arrive, queue_number))

    def _arrive(self, queue_number: str, now: float) -> None:
        caller = "08" + "".join(self._rng.choice("0123456789") for _ in range(8))
        call = self._centre.arrive(queue_number, caller, now, scripted=False)
        patience = self._rng.expovariate(1 / MEAN_PATIENCE)
        self._after(patience, now, partial(self._give_up, call.call_id))
        self._after(call.queue.max_wait_time, now, partial(self._time_out, call.call_id))
        self._schedule_arrival(queue_number, now)

    def dispatch(self, now: float) -> None:
        """Ring an available agent for every waiting random caller that can have one."""
        for queue in self._centre.queues.values():
            for call in self._centre.calls_in(queue, Phase.WAITING):
                if call.scripted:
                    continue
                agent = self._centre.pick_agent(queue, now)
                if agent is None:
                    break
                self._centre.ring(call.call_id, agent.defn.number, now)
                if self._rng.random() < MISS_RATE:
                    self._after(queue.agent_timeout, now, partial(self._ring_out, call.call_id))
                else:
                    ring = self._rng.uniform(*RING_RANGE)
                    self._after(ring, now, partial(self._answer, call.call_id))

    def _ours(self, call_id: str, *phases: Phase) -> bool:
        call = self._centre.calls.get(call_id)
        return call is not None and not call.scripted and call.phase in phases

    def _give_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._centre.abandon(call_id, now)

    def _time_out(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._centre.time_out(call_id, now)

    def _ring_out(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.ring_out(call_id, now)

    def _answer(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.answer(call_id, now)
            talk = MIN_TALK + self._rng.expovariate(1 / MEAN_TALK)
            self._after(talk, now, partial(self._hang_up, call_id))

    def _hang_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.TALKING):
            self._centre.hangup(call_id, now)
