"""Erlang C (docs/design.md#staffing-now): how many agents a queue needs, and how long a caller
waits, for a steady arrival rate and handle time.

The model is M/M/N: callers arrive at random (Poisson) at a steady rate, handle times are
exponential, N agents serve one queue in turn, and nobody hangs up while waiting. `traffic` is the
offered load in Erlangs (arrivals per second x seconds of work per call). With N ≤ traffic the
agents cannot keep up: the queue grows without end, and the functions below say so (None, or a
service level of 0) instead of a number."""

import math


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
    blocked = erlang_b(agents, traffic)
    return agents * blocked / (agents - traffic * (1 - blocked))


def service_level(agents: int, traffic: float, work_s: float, target_s: float) -> float:
    """The share of callers answered within `target_s`: 1 - C·e^(-(N - A)·T / AHT), with AHT the
    seconds of work per call; 0 when N ≤ A."""
    if agents <= traffic:
        return 0.0
    waiting = wait_probability(agents, traffic)
    return 1.0 - waiting * math.exp(-(agents - traffic) * target_s / work_s)


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
    agents = fewest_agents(traffic)
    while service_level(agents, traffic, work_s, target_s) < target:
        agents += 1
    return agents
