"""The live picture of the PBX: queues with their waiting callers and agents, and extensions."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.live.agents import Agent, Extension
from dashboard.live.outcomes import Record, Talking

CALL_MEMORY = 10_000


@dataclass
class WaitingCaller:
    call_id: str
    caller: str
    since_ms: int


@dataclass
class QueueState:
    number: str
    name: str
    waiting: dict[str, WaitingCaller] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    wrap_up_s: int = 0
    max_wait_s: int = 0


@dataclass
class LiveState:
    zone: str = "UTC"  # the PBX's time zone: CDRs give local times
    queues: dict[str, QueueState] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    # Extension number → epoch ms at which its wrap-up after a queue call ends.
    wrap_up_until: dict[str, int] = field(default_factory=dict)
    # Answered queue calls still in progress, by call id (for talk time).
    talking: dict[str, Talking] = field(default_factory=dict)
    # Queue calls once answered, by call id, until the caller hangs up: the caller's leg may
    # still read ANSWERED after the agent leaves, which is not a new wait in that queue.
    answered_in: dict[str, str] = field(default_factory=dict)
    # What happened to queue calls since the caller last drained it (for today's figures).
    outbox: list[Record] = field(default_factory=list)
    # Calls counted as offered, by call id → the queue whose offer is still open ("" once it
    # has its outcome: waiting again, even in the same queue, is a new offer). REST may show
    # a caller before its events arrive (or when they were lost): neither way counts it twice.
    offered: dict[str, str] = field(default_factory=dict)
    # Callers REST took off a waiting list before their events said how they left: the next
    # event for the call still settles its outcome, from when it started waiting.
    unsettled: dict[str, WaitingCaller] = field(default_factory=dict)
    # Queue calls whose CDR has been counted, by call id → when the call ended by the CDR (the
    # PBX's clock): the call is over, and late 30011 events must not make it wait (or count) again.
    closed: dict[str, int] = field(default_factory=dict)
    # Calls REST first showed answered, by call id → queue: counted by their events if those
    # are still in flight, else by their CDR (which names only the agent).
    uncounted: dict[str, str] = field(default_factory=dict)
    # Calls counted answered on connecting before we knew how long they waited, by call id →
    # queue: their CDR tells the wait (WaitLearned).
    wait_unknown: dict[str, str] = field(default_factory=dict)
    # DID → the queue its callers reach, learned from CDRs (which name the DID but, once
    # answered, only the agent).
    did_queues: dict[str, str] = field(default_factory=dict)

    def remember(self, memory: dict[str, Any], call_id: str, value: Any) -> None:
        """Bounded memories: callers whose end we never see must not pile up for weeks."""
        memory[call_id] = value
        if len(memory) > CALL_MEMORY:
            del memory[next(iter(memory))]

    def set_queues(self, names_by_number: Mapping[str, str]) -> set[str]:
        """Adopt the PBX's queue list; returns the numbers whose name or existence changed."""
        changed = {number for number in self.queues if number not in names_by_number}
        for number in changed:
            del self.queues[number]
        for number, name in names_by_number.items():
            queue = self.queues.setdefault(number, QueueState(number, ""))
            if queue.name != name:
                queue.name = name
                changed.add(number)
        return changed

    def settle_offer(self, call_id: str) -> None:
        """The call's offer got its one outcome."""
        if call_id in self.offered:
            self.offered[call_id] = ""

    def newest_cdr_ms(self) -> int:
        """When the newest call closed by its CDR ended, on the PBX's clock (0 if none): CDRs
        are read back from there after a gap, whatever our clock says."""
        return max(self.closed.values(), default=0)

    def queue_holding(self, call_id: str) -> QueueState | None:
        return next((q for q in self.queues.values() if call_id in q.waiting), None)

    def extension(self, number: str) -> Extension:
        return self.extensions.setdefault(number, Extension(number))

    def memberships(self, extension: str) -> list[tuple[QueueState, Agent]]:
        """Every queue this extension is an agent of, with its membership."""
        return [(q, q.agents[extension]) for q in self.queues.values() if extension in q.agents]


def end_wrap_ups(state: LiveState, now_ms: int) -> list[str]:
    """Forget the wrap-ups that are over by now; returns those extensions (their agents' state
    changes with no event to announce it)."""
    ended = [number for number, until in state.wrap_up_until.items() if until <= now_ms]
    for number in ended:
        del state.wrap_up_until[number]
    return ended
