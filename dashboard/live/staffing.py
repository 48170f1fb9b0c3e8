"""Staffing now (docs/design.md#staffing-now): each queue's last hour of arrivals and handle time,
from the 15-minute intervals, and what Erlang C makes of them against the agents staffed."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from dashboard.live.erlang import expected_wait_s, service_levels
from dashboard.live.intervals import INTERVAL_MS
from dashboard.live.today import Today

HOUR_MS = 3_600_000
# The service levels a queue's data lists run from the fewest agents that keep up to the first
# that reaches this: a board's target above it reads "more than" the last.
TOP_SERVICE_LEVEL = 0.995


@dataclass(frozen=True)
class LastHour:
    """One queue's calls in the last 60 minutes (fractions: see `last_hour`)."""

    offered: float
    handled: float
    talk_ms: float


class Level(TypedDict):
    agents: int
    service_level: float  # percent, rounded down to 0.1: "≥ the board's target" never flatters


class Staffing(TypedDict):
    """A queue's `staffing` (docs/protocol.md)."""

    arrivals_per_h: float
    aht_s: int  # talk per answered call, hold included, as the board's AHT
    wrap_up_s: int  # the queue's wrap-up: with the AHT, an agent's work per call
    erlangs: float
    staffed: int
    expected_wait_s: int | None  # None: fewer agents staffed than the traffic needs
    service_levels: list[Level]


def last_hour(intervals: Iterable[Today], queue: str, now_ms: int) -> LastHour:
    """The queue's calls in the hour before `now_ms`, from the current interval and those before
    it: the intervals that began within the hour count whole, the one that began before it for
    the share of it inside the hour (its calls taken as spread evenly over it)."""
    since = now_ms - HOUR_MS
    offered = handled = talk_ms = 0.0
    for interval in intervals:
        share = (interval.counting_since_ms + INTERVAL_MS - since) / INTERVAL_MS
        counters = interval.queues.get(queue)
        if counters is not None and share > 0:
            share = min(share, 1.0)
            offered += share * counters.offered
            handled += share * counters.handled
            talk_ms += share * counters.talk_ms
    return LastHour(offered, handled, talk_ms)


def staffing(hour: LastHour, staffed: int, wrap_up_s: int, target_s: int) -> Staffing | None:
    """Erlang C for the queue now: None with too little data (no call offered, or none whose talk
    has ended, in the last hour)."""
    if hour.offered <= 0 or hour.handled <= 0:
        return None
    aht_s = hour.talk_ms / hour.handled / 1000
    work_s = aht_s + wrap_up_s
    if work_s <= 0:
        return None
    traffic = hour.offered / (HOUR_MS / 1000) * work_s
    wait_s = expected_wait_s(staffed, traffic, work_s)
    return {
        "arrivals_per_h": round(hour.offered, 1),
        "aht_s": round(aht_s),
        "wrap_up_s": wrap_up_s,
        "erlangs": round(traffic, 2),
        "staffed": staffed,
        "expected_wait_s": None if wait_s is None else round(wait_s),
        "service_levels": levels(traffic, work_s, target_s),
    }


def levels(traffic: float, work_s: float, target_s: int) -> list[Level]:
    """The service level for each number of agents, from the fewest that keep up: a board reads
    the agents its own target needs from it (each board sets its own)."""
    rows: list[Level] = []
    for n, share in service_levels(traffic, work_s, target_s):
        rows.append({"agents": n, "service_level": _percent_down(share)})
        if share >= TOP_SERVICE_LEVEL:  # they rise with every agent and tend to 1
            break
    return rows


def _percent_down(share: float) -> float:
    return math.floor(share * 1000) / 10
