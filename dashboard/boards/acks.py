"""Bounds per screen: what was sent to a browser and not yet acknowledged, and what it may send.

Daphne (Twisted) buffers writes to a slow peer without limit, so the bound is kept here: the
browser acknowledges the last seq it applied per stream in its pings, and a screen too far
behind is told to reconnect (and so starts again from a fresh snapshot). What a browser sends
is rationed too, so that no client can make the server work (or buffer) without end."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    seqs: dict[str, int]  # acknowledged once the browser has applied all of these
    size: int
    at: float  # monotonic seconds
    snapshot: bool = False


class Unacked:
    def __init__(self, max_chars: int, deadline_s: float) -> None:
        self.max_chars = max_chars
        self.deadline_s = deadline_s
        self.frames: list[Sent] = []
        self.chars = 0

    def sent(self, seqs: dict[str, int], size: int, now: float, snapshot: bool = False) -> None:
        self.frames.append(Sent(seqs, size, now, snapshot))
        self.chars += size

    def snapshot_in_flight(self) -> bool:
        return any(frame.snapshot for frame in self.frames)

    def restart(self) -> None:
        """Forget everything sent: only for a new epoch, whose seqs cannot acknowledge the old."""
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


class TokenBucket:
    """At most `burst` messages at once, then `rate` a second on average."""

    def __init__(self, burst: float, rate: float, now: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = burst, now

    def take(self, now: float) -> bool:
        """Spend a token if there is one."""
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
