"""The simulator's clock: wall time plus an offset that the control API can push forward."""

import time
from collections.abc import Callable


class SimClock:
    """Epoch seconds as the PBX sees them; `advance` lets tests jump over token lifetimes."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0

    def now(self) -> float:
        """Current simulated epoch time in seconds."""
        return self._wall() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back: expiries must stay monotonic) and return now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        return self.now()
