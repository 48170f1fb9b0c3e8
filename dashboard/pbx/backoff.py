"""Jittered exponential backoff for reconnecting to the PBX."""

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """0.5 s, 1 s, 2 s … up to `cap_s`, each scaled by a random 50–150 % so that many
    installations (or processes) that lost the PBX together do not return in lockstep."""

    first_s: float = 0.5
    cap_s: float = 30.0
    attempts: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        base = min(self.cap_s, self.first_s * 2.0**self.attempts)
        self.attempts += 1
        return min(self.cap_s, base * self.rng.uniform(0.5, 1.5))

    def reset(self) -> None:
        self.attempts = 0
