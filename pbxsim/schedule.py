"""A queue of actions due at simulated times; the simulator runs what is due on every tick."""

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

Action = Callable[[float], None]


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    action: Action = field(compare=False)


class Schedule:
    """Timed actions in order of their time (ties: order of scheduling)."""

    def __init__(self) -> None:
        self._heap: list[_Due] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def at(self, when: float, action: Action) -> None:
        """Run `action(when)` once the clock reaches `when`."""
        self._seq += 1
        heapq.heappush(self._heap, _Due(when, self._seq, action))

    def run_until(self, now: float, after_each: Action) -> None:
        """Run every action due by `now`, each at its own time, calling `after_each` after it."""
        while self._heap and self._heap[0].at <= now:
            due = heapq.heappop(self._heap)
            due.action(due.at)
            after_each(due.at)
