"""Arrival rates that change with the time of day: each queue's share of `--arrival-per-min` and
its busy spells, as a scenario declares them (a flat rate for scenarios that declare none)."""

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from pbxsim.directory import Directory


@dataclass(frozen=True)
class QueueRate:
    """One queue's callers per minute, as multiples of `--arrival-per-min`: `share` between
    spells, `share * spell_factor` during a spell. Spells last `spell_length` simulated seconds
    and start `spell_first` seconds after the simulator started, then every `spell_every`."""

    share: float = 1.0
    spell_factor: float = 1.0
    spell_every: float = 600.0
    spell_first: float = 240.0
    spell_length: float = 150.0

    def in_spell(self, elapsed: float) -> bool:
        """Whether `elapsed` seconds after the start fall within a busy spell."""
        if self.spell_factor == 1.0 or elapsed < self.spell_first:
            return False
        return (elapsed - self.spell_first) % self.spell_every < self.spell_length

    def multiplier(self, elapsed: float) -> float:
        return self.share * (self.spell_factor if self.in_spell(elapsed) else 1.0)

    @property
    def peak(self) -> float:
        return self.share * max(1.0, self.spell_factor)

    @property
    def mean(self) -> float:
        """The multiplier averaged over a whole cycle of spells."""
        busy = min(self.spell_length, self.spell_every) / self.spell_every
        return self.share * (1.0 + (self.spell_factor - 1.0) * busy)


@dataclass(frozen=True)
class Scenario(Directory):
    """A directory whose queues' arrival rates vary over the day (queues it does not name keep
    the flat `--arrival-per-min`)."""

    arrivals: Mapping[str, QueueRate] = field(default_factory=dict)


class ArrivalProfile:
    """What the random traffic asks: how fast callers may come to a queue at most, and whether
    a caller drawn at that peak rate comes at a given time (thinning a Poisson process, which
    keeps it Poisson at the time-varying rate). A flat profile draws no random numbers, so
    scenarios without spells replay exactly as before."""

    def __init__(self, directory: Directory, start: float) -> None:
        self._rates = directory.arrivals if isinstance(directory, Scenario) else {}
        self._start = start

    def peak(self, queue_number: str) -> float:
        """The highest multiplier of `--arrival-per-min` this queue ever has."""
        rate = self._rates.get(queue_number)
        return rate.peak if rate else 1.0

    def admits(self, queue_number: str, now: float, rng: random.Random) -> bool:
        """Whether a caller drawn at the peak rate arrives at `now`."""
        rate = self._rates.get(queue_number)
        if rate is None:
            return True
        multiplier = rate.multiplier(now - self._start)
        return multiplier >= rate.peak or rng.random() * rate.peak < multiplier
