"""What the accuracy benchmark's driver, sampler and fault injector share: the run's state,
the truth as it was read step by step, and each metric's tally."""

import argparse
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.accuracy_watch import BoardSocket, Fact, MissedCalls, SimClock
from bench.livetruth import METRICS, Tracker, View, facts, fingerprint, truth_view

BOARD = "bench"
VIEWS_KEPT = 400  # truths kept to match a board read against
BEHIND_S = 1.0  # an unequal sample is "behind" when the board shows the truth of this long ago


@dataclass
class Tally:
    """One metric over the stable samples."""

    equal: int = 0
    behind: int = 0  # unequal, but the board showed the truth of at most BEHIND_S ago
    different: int = 0
    near_fault: int = 0  # unequal within the recovery window after an injected fault
    # Stable samples outside every fault's recovery window, and how many were equal or behind.
    outside: int = 0
    outside_equal: int = 0
    outside_behind: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def samples(self) -> int:
        return self.equal + self.behind + self.different


@dataclass
class Run:
    """What the driver, the sampler and the fault injector share."""

    args: argparse.Namespace
    sim: httpx.AsyncClient
    web: httpx.AsyncClient
    clock: SimClock
    screen: BoardSocket
    missed: MissedCalls
    tracker: Tracker
    views: OrderedDict[str, View] = field(default_factory=OrderedDict)
    recent: deque[tuple[float, View]] = field(default_factory=lambda: deque(maxlen=200))
    shown: dict[Fact, Any] = field(default_factory=dict)
    changes: list[tuple[Fact, Any, float]] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in METRICS})
    counts: Counter[str] = field(default_factory=Counter)
    agent_rows: Counter[str] = field(default_factory=Counter)
    faults: list[tuple[float, str]] = field(default_factory=list)
    done: bool = False

    def recovering(self, wall: float) -> bool:
        """Whether `wall` falls in an injected fault's recovery window (`--recovery-s`)."""
        return any(0 <= wall - at <= self.args.recovery_s for at, _ in self.faults)

    async def truth(self) -> dict[str, Any]:
        return dict((await self.sim.get("/_sim/state")).raise_for_status().json())

    async def board(self) -> dict[str, Any]:
        reply = await self.web.get(f"/api/boards/{BOARD}/snapshot/")
        return dict(reply.raise_for_status().json())

    def follow(self, state: dict[str, Any]) -> View:
        """What the board should show, from a ground truth the tracker is now told of."""
        self.tracker.observe(state)
        missed = dict(self.missed.by_agent) if self.missed.known else None
        return truth_view(state, self.tracker, missed)

    def observe(self, state: dict[str, Any], wall: float, first: bool = False) -> None:
        """A ground truth read right after a clock step (or, `first`, at the start)."""
        view = self.follow(state)
        self.views[fingerprint(state)] = view
        while len(self.views) > VIEWS_KEPT:
            self.views.popitem(last=False)
        self.recent.append((wall, view))
        now = facts(view)
        for key in () if first else now.keys() | self.shown.keys():
            if now.get(key) != self.shown.get(key):
                self.changes.append((key, now.get(key), wall))
        self.shown = now
