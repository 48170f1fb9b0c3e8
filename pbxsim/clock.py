"""The simulator's clock: wall time, optionally sped up, plus an offset the control API pushes."""

import time
from collections.abc import Callable


class SimClock:
    """Epoch seconds as the PBX sees them; `advance` lets tests jump over token lifetimes.

    With `speed` X, simulated time passes X times faster than wall time from the moment the
    clock is made (so token expiry, call lengths and the business day all speed up).
    """

    def __init__(self, wall: Callable[[], float] = time.time, speed: float = 1.0) -> None:
        self._wall = wall
        self._speed = speed
        self._start = wall()
        self._offset = 0.0

    def now(self) -> float:
        """Current simulated epoch time in seconds."""
        return self._start + (self._wall() - self._start) * self._speed + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back: expiries must stay monotonic) and return now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        return self.now()
