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


@dataclass
class Talking:
    """An answered queue call in progress: what the board's live calls show."""

    queue: str
    agent: str
    answered_ms: int
    caller: str = ""
    channel_id: str = ""  # the agent's channel: what call/listen takes
    held: bool = False
    # False for a call first seen already answered (by REST at start-up): its offer and answer
    # were never counted, so its CDR counts the whole call and its hang-up adds nothing.
    counted: bool = True


Record = Offered | Settled | Handled | RingMissed | WaitLearned
