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


@dataclass
class Talking:
    queue: str
    agent: str
    answered_ms: int


Record = Offered | Settled | Handled | RingMissed
