"""Bounded buffering per screen: what was sent to a browser and not yet acknowledged by it.

Daphne (Twisted) buffers writes to a slow peer without limit, so the bound is kept here: the
browser acknowledges the last seq it applied per stream in its pings, and a screen too far
behind is told to reconnect (and so starts again from a fresh snapshot)."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    seqs: dict[str, int]  # acknowledged once the browser has applied all of these
    size: int
    at: float  # monotonic seconds


class Unacked:
    def __init__(self, max_chars: int, deadline_s: float) -> None:
        self.max_chars = max_chars
        self.deadline_s = deadline_s
        self.frames: list[Sent] = []
        self.chars = 0

    def sent(self, seqs: dict[str, int], size: int, now: float) -> None:
        self.frames.append(Sent(seqs, size, now))
        self.chars += size

    def restart(self) -> None:
        """A snapshot replaces everything sent before it, acknowledged or not."""
        self.frames, self.chars = [], 0

    def ack(self, acks: Mapping[str, int]) -> None:
        def applied(frame: Sent) -> bool:
            # A stream left out has nothing applied: that acknowledges a snapshot's empty streams.
            return all(acks.get(stream, 0) >= seq for stream, seq in frame.seqs.items())

        self.frames = [frame for frame in self.frames if not applied(frame)]
        self.chars = sum(frame.size for frame in self.frames)

    def too_far_behind(self, now: float) -> bool:
        """Too much unacknowledged, or the oldest unacknowledged frame is too old."""
        if self.chars > self.max_chars:
            return True
        return bool(self.frames) and now - self.frames[0].at > self.deadline_s
