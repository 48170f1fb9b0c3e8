"""Seeded agent behaviour between queue calls: breaks, log out/in, presence, phones, own calls."""

import random
from functools import partial

from pbxsim.model import CallCentre
from pbxsim.plain import dial, progress
from pbxsim.schedule import Action, Schedule

# Simulated seconds: mean gap between two things one agent does, and how long each lasts.
MEAN_GAP = 1800.0
AWAY_RANGE = (120.0, 900.0)
MEAN_OWN_CALL = 90.0
# Cumulative shares of what an agent does when it is idle: a break, a log-out, presence away,
# a phone that drops its registration; the rest are calls of its own (internal or outbound).
BREAK, LOG_OUT, AWAY, UNREGISTER = 0.35, 0.5, 0.6, 0.65


class AgentLife:
    """Gives every extension a seeded life of its own next to the queue traffic."""

    def __init__(
        self, centre: CallCentre, schedule: Schedule, rng: random.Random, start: float
    ) -> None:
        self._centre, self._schedule, self._rng = centre, schedule, rng
        for number in centre.agents:
            self._next(number, start)

    def _next(self, number: str, now: float) -> None:
        gap = self._rng.expovariate(1 / MEAN_GAP)
        self._schedule.at(now + gap, partial(self._act, number))

    def _later(self, now: float, action: Action) -> None:
        self._schedule.at(now + self._rng.uniform(*AWAY_RANGE), action)

    def _act(self, number: str, now: float) -> None:
        self._next(number, now)
        agent = self._centre.agents[number]
        if agent.paused and agent.pause_reason == "":
            # Auto-paused (30025, no reason): the agent notices and comes back.
            self._centre.set_paused(number, False, "", now=now)
            return
        if not self._centre.free(agent, now) or agent.paused:
            return
        roll, queued = self._rng.random(), bool(agent.memberships)
        if roll < BREAK and queued:
            self._take_break(number, now)
        elif roll < LOG_OUT and any(m.dynamic and m.logged_in for m in agent.memberships.values()):
            self._centre.set_logged_in(number, False, None, now)
            self._later(now, partial(self._log_in, number))
        elif roll < AWAY:
            self._centre.set_presence(number, "away")
            self._later(now, partial(self._back, number))
        elif roll < UNREGISTER:
            self._centre.set_registered(number, False)
            self._later(now, partial(self._reregister, number))
        else:
            self._call(number, now)

    def _take_break(self, number: str, now: float) -> None:
        reasons = self._centre.directory.pause_reasons
        if not reasons:
            # queue_pause_reason/update may have emptied the list.
            return
        _, reason = self._rng.choice(reasons)
        self._centre.set_paused(number, True, reason, now=now)
        self._later(now, partial(self._back_from_break, number, reason))

    def _back_from_break(self, number: str, reason: str, now: float) -> None:
        # Someone else (the API, a supervisor) may have changed the pause meanwhile.
        if self._centre.agents[number].pause_reason == reason:
            self._centre.set_paused(number, False, "", now=now)

    def _back(self, number: str, now: float) -> None:
        self._centre.set_presence(number, "available")

    def _reregister(self, number: str, now: float) -> None:
        self._centre.set_registered(number, True)

    def _log_in(self, number: str, now: float) -> None:
        if any(m.dynamic for m in self._centre.agents[number].memberships.values()):
            # Its dynamic queues may have been taken away meanwhile (control API).
            self._centre.set_logged_in(number, True, None, now)

    def _call(self, number: str, now: float) -> None:
        others = [n for n, a in self._centre.agents.items() if n != number and a.call_id is None]
        internal = others and self._rng.random() < 0.5
        callee = self._rng.choice(others) if internal else "08" + str(self._rng.randrange(10**8))
        call = dial(self._centre, number, callee, now)
        talk = self._rng.expovariate(1 / MEAN_OWN_CALL)
        progress(self._centre, self._schedule, call.call_id, now, talk, auto=True)
