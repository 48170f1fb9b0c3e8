"""The live picture of the PBX: queues with their agents, extensions, and the calls we follow."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dashboard.live.agents import Agent, Extension
from dashboard.live.callbook import CallBook
from dashboard.live.fields import Unusable
from dashboard.live.outcomes import Record
from dashboard.live.system_events import PbxWarnings


@dataclass
class QueueState:
    number: str
    name: str
    agents: dict[str, Agent] = field(default_factory=dict)
    wrap_up_s: int = 0
    max_wait_s: int = 0
    # Where a caller goes once the maximum wait runs out (queue/query `fail_dest_value`), unless
    # the failover ends the call: a caller going on there timed out.
    failover: str = ""


@dataclass
class LiveState:
    zone: str = "UTC"  # the PBX's time zone: CDRs give local times
    queues: dict[str, QueueState] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    # Extension number → epoch ms at which its wrap-up after a queue call ends.
    wrap_up_until: dict[str, int] = field(default_factory=dict)
    # Every queue call we follow (waiting, talking, lately ended), one record each.
    calls: CallBook = field(default_factory=CallBook)
    # DID → the queue its callers reach, learned from CDRs (which name the DID but, once
    # answered, only the agent).
    did_queues: dict[str, str] = field(default_factory=dict)
    # What the PBX's events held that we could not use, by event type (at /healthz).
    unusable: Unusable = field(default_factory=Unusable)
    # The PBX's latest warning-level system events (30035), for the admin's PBX health page.
    pbx_warnings: PbxWarnings = field(default_factory=PbxWarnings)
    # Every CDR of a call that ended before this (the PBX's clock) has been read from cdr/list:
    # where the next read-back starts (less a margin), here after a gap or at a successor.
    # Not the newest 30012 taken in: pushes dropped before it may have cost earlier ones.
    cdrs_read_to_ms: int = 0
    # The newest end the last read of cdr/list showed, applied or held back (events in flight).
    cdrs_listed_to_ms: int = 0

    @property
    def outbox(self) -> list[Record]:
        """What happened to queue calls since the caller last drained it (for today's figures)."""
        return self.calls.outbox

    def set_queues(self, names_by_number: Mapping[str, str]) -> set[str]:
        """Adopt the PBX's queue list; returns the numbers whose name or existence changed."""
        changed = {number for number in self.queues if number not in names_by_number}
        for number in changed:
            del self.queues[number]
            self.calls.drop_queue(number)
        for number, name in names_by_number.items():
            queue = self.queues.setdefault(number, QueueState(number, ""))
            if queue.name != name:
                queue.name = name
                changed.add(number)
        return changed

    def cdrs_read(self, ended_ms: Iterable[int]) -> None:
        """CDRs were read from cdr/list up to the newest of these ends (none: no further)."""
        self.cdrs_read_to_ms = max(self.cdrs_read_to_ms, *ended_ms, 0)

    def read_back_point(self, now_ms: int) -> int:
        """Where CDRs missed from now on start: where cdr/list was last read to, else after
        the newest CDR taken in, else now."""
        return self.cdrs_read_to_ms or self.newest_cdr_ms() or now_ms

    def newest_cdr_ms(self) -> int:
        """When the newest call closed by its CDR ended, on the PBX's clock (0 if none): CDRs
        are read back from there after a gap, whatever our clock says."""
        return self.calls.newest_closed_ms()

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
