"""Reconnect delays: quick first retry, exponential growth, a cap, jitter, and a reset."""

import random

from dashboard.pbx.backoff import Backoff


def test_it_retries_quickly_then_backs_off_to_the_cap() -> None:
    backoff = Backoff(rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    assert delays[0] < 1.0
    assert all(0 < delay <= 30.0 for delay in delays)
    assert delays[-1] >= 15.0  # the cap scaled by at least 50 % jitter


def test_it_starts_over_after_a_good_connection() -> None:
    backoff = Backoff(rng=random.Random(2))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() < 1.0
