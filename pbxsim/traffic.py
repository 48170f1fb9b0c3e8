"""Seeded random callers: Poisson arrivals per queue, patience, ring, talk and hang-up times."""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from pbxsim.model import CallCentre, Phase

# Mean durations in seconds at speed 1; callers and agents of a busy but coping call centre.
MEAN_PATIENCE = 90.0
MEAN_TALK = 30.0
MIN_TALK = 5.0
RING_RANGE = (2.0, 8.0)


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    action: Callable[[float], None] = field(compare=False)


class Traffic:
    """Drives the random (non-scripted) calls of a `CallCentre` along a schedule of actions."""

    def __init__(
        self, centre: CallCentre, rng: random.Random, per_min: float, speed: float, start: float
    ) -> None:
        self._centre = centre
        self._rng = rng
        self._speed = speed
        self._arrivals_per_s = per_min / 60
        self._heap: list[_Due] = []
        self._seq = 0
        if self._arrivals_per_s > 0:
            for number in centre.queues:
                self._schedule_arrival(number, start)

    def run_until(self, now: float) -> None:
        """Perform every action due by `now` at its own time, dispatching agents after each."""
        while self._heap and self._heap[0].at <= now:
            due = heapq.heappop(self._heap)
            due.action(due.at)
            self._dispatch(due.at)
        self._dispatch(now)

    def _after(self, seconds: float, at: float, action: Callable[[float], None]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, _Due(at + seconds / self._speed, self._seq, action))

    def _schedule_arrival(self, queue_number: str, now: float) -> None:
        gap = self._rng.expovariate(self._arrivals_per_s)
        self._after(gap, now, partial(self._arrive, queue_number))

    def _arrive(self, queue_number: str, now: float) -> None:
        caller = "08" + "".join(self._rng.choice("0123456789") for _ in range(8))
        call = self._centre.arrive(queue_number, caller, now, scripted=False)
        patience = self._rng.expovariate(1 / MEAN_PATIENCE)
        self._after(patience, now, partial(self._give_up, call.call_id))
        self._schedule_arrival(queue_number, now)

    def _dispatch(self, now: float) -> None:
        for queue in self._centre.queues.values():
            for call in self._centre.calls_in(queue, Phase.WAITING):
                if call.scripted:
                    continue
                agent = self._centre.pick_agent(queue)
                if agent is None:
                    break
                self._centre.ring(call.call_id, agent.defn.number, now)
                ring = self._rng.uniform(*RING_RANGE)
                self._after(ring, now, partial(self._answer, call.call_id))

    def _ours(self, call_id: str, *phases: Phase) -> bool:
        call = self._centre.calls.get(call_id)
        return call is not None and not call.scripted and call.phase in phases

    def _give_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.WAITING, Phase.RINGING):
            self._centre.abandon(call_id, now)

    def _answer(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.RINGING):
            self._centre.answer(call_id, now)
            talk = MIN_TALK + self._rng.expovariate(1 / MEAN_TALK)
            self._after(talk, now, partial(self._hang_up, call_id))

    def _hang_up(self, call_id: str, now: float) -> None:
        if self._ours(call_id, Phase.TALKING):
            self._centre.hangup(call_id, now)
