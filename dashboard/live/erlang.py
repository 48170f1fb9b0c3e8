"""Erlang C (docs/design.md#staffing-now): how many agents a queue needs, and how long a caller
waits, for a steady arrival rate and handle time.

The model is M/M/N: callers arrive at random (Poisson) at a steady rate, handle times are
exponential, N agents serve one queue in turn, and nobody hangs up while waiting. `traffic` is the
offered load in Erlangs (arrivals per second x seconds of work per call). With N ≤ traffic the
agents cannot keep up: the queue grows without end, and the functions below say so (None, or a
service level of 0) instead of a number."""

import math
from collections.abc import Iterator
from itertools import count


def erlang_b(agents: int, traffic: float) -> float:
    """The probability that a call finds every agent busy with no queue (Erlang B), by the
    recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)): no factorials or powers, so it stays
    exact to rounding for hundreds of agents, where A^N / N! would overflow."""
    blocked = 1.0
    for n in range(1, agents + 1):
        blocked = traffic * blocked / (n + traffic * blocked)
    return blocked


def wait_probability(agents: int, traffic: float) -> float:
    """Erlang C: the probability that a caller has to wait at all; 1 when N ≤ A (every caller
    waits, ever longer)."""
    if agents <= traffic:
        return 1.0
    return _waiting(agents, traffic, erlang_b(agents, traffic))


def _waiting(agents: int, traffic: float, blocked: float) -> float:
    """Erlang C from Erlang B for the same N > A."""
    return agents * blocked / (agents - traffic * (1 - blocked))


def service_level(agents: int, traffic: float, work_s: float, target_s: float) -> float:
    """The share of callers answered within `target_s`: 1 - C·e^(-(N - A)·T / AHT), with AHT the
    seconds of work per call; 0 when N ≤ A."""
    if agents <= traffic:
        return 0.0
    return _answered_within(agents, traffic, wait_probability(agents, traffic), work_s, target_s)


def _answered_within(
    agents: int, traffic: float, waiting: float, work_s: float, target_s: float
) -> float:
    return 1.0 - waiting * math.exp(-(agents - traffic) * target_s / work_s)


def service_levels(traffic: float, work_s: float, target_s: float) -> Iterator[tuple[int, float]]:
    """Each N from the fewest that keep up, one more each time without end, with its service
    level: Erlang B's recursion carried on from one N to the next, so a run of levels costs one
    pass, not one recursion per N (the values are `service_level`'s, to the bit)."""
    fewest = fewest_agents(traffic)
    blocked = erlang_b(fewest - 1, traffic)
    for agents in count(fewest):
        blocked = traffic * blocked / (agents + traffic * blocked)
        waiting = _waiting(agents, traffic, blocked)
        yield agents, _answered_within(agents, traffic, waiting, work_s, target_s)


def expected_wait_s(agents: int, traffic: float, work_s: float) -> float | None:
    """The mean wait of a caller who joins now (ASA = C·AHT / (N - A)), callers answered at once
    included; None when N ≤ A: no steady state, the wait only grows."""
    if agents <= traffic:
        return None
    return wait_probability(agents, traffic) * work_s / (agents - traffic)


def fewest_agents(traffic: float) -> int:
    """The fewest agents that can keep up at all: the smallest whole N > A."""
    return math.floor(traffic) + 1


def agents_needed(traffic: float, work_s: float, target_s: float, target: float) -> int:
    """The smallest N > A whose service level reaches `target` (a share, 0 < target < 1): the
    service level rises with every agent and tends to 1, so the search ends."""
    if not 0 < target < 1:
        raise ValueError(f"a service-level target is a share between 0 and 1, not {target}")
    return next(n for n, level in service_levels(traffic, work_s, target_s) if level >= target)
