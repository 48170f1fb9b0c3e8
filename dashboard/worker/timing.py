"""How often the worker does what no event asks for: keep-alives, REST re-reads, read-backs."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    heartbeat_s: float  # event socket keep-alive
    resync_s: float  # per-queue REST and call/query re-reads
    directory_s: float  # queue/list, queue/query, extension/list re-reads
    cdr_s: float = 60.0  # cdr/list read-backs for calls whose pushes were lost (0: none)


class Every:
    """A deadline that comes round every `seconds` (checked between event frames)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.next = time.monotonic() + seconds

    def due(self) -> bool:
        if time.monotonic() < self.next:
            return False
        self.next = time.monotonic() + self.seconds
        return True
