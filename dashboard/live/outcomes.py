"""A call's way through a queue: offered, exactly one outcome, then (if answered) handled."""

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["answered", "abandoned", "timed_out", "transferred"]


@dataclass(frozen=True)
class Offered:
    queue: str
    call_id: str


@dataclass(frozen=True)
class Settled:
    """The call left the queue's waiting set with this outcome after waiting `wait_ms`."""

    queue: str
    call_id: str
    outcome: Outcome
    wait_ms: int
    agent: str = ""
    # False for a call first seen already answered (by REST, on connecting): counted at once,
    # its wait follows with its CDR (WaitLearned).
    wait_known: bool = True


@dataclass(frozen=True)
class WaitLearned:
    """The CDR of a call counted answered before we knew its wait: how long it waited."""

    queue: str
    call_id: str
    wait_ms: int


@dataclass(frozen=True)
class Handled:
    """An answered queue call ended after `talk_ms` of talk."""

    queue: str
    call_id: str
    agent: str
    talk_ms: int


@dataclass(frozen=True)
class RingMissed:
    """30026: the agent let a queue call ring out."""

    queue: str
    agent: str


Record = Offered | Settled | Handled | RingMissed | WaitLearned


@dataclass(frozen=True)
class Told:
    """A whole queue call as its CDR tells it."""

    offered: Offered
    settled: Settled
    handled: Handled | None  # answered calls only

    def records(self) -> list[Record]:
        return [self.offered, *self.outcome()]

    def outcome(self) -> list[Record]:
        """Its outcome and, if answered, its talk."""
        return [self.settled, *([self.handled] if self.handled else [])]
