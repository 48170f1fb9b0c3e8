"""Arrival rates that vary over the day (pbxsim/arrivals.py) and the `demo` scenario's rushes."""

import random

from pbxsim.arrivals import ArrivalProfile, QueueRate
from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.directory import SMALL
from pbxsim.scenarios import scenario
from pbxsim.sim import Simulator

START = 1_800_000_000.0


def test_a_spell_starts_after_its_first_delay_and_comes_back_every_period() -> None:
    rate = QueueRate(share=0.5, spell_factor=3.0, spell_every=600, spell_first=240, spell_length=60)
    assert [rate.multiplier(t) for t in (0, 239, 240, 299, 300, 839, 840, 899)] == [
        0.5, 0.5, 1.5, 1.5, 0.5, 0.5, 1.5, 1.5
    ]  # fmt: skip
    assert rate.peak == 1.5
    assert rate.mean == 0.5 * (1 + 2.0 * 60 / 600)


def test_a_scenario_without_spells_draws_no_extra_random_numbers() -> None:
    """Flat scenarios replay exactly the days they made before spells existed."""
    profile, rng = ArrivalProfile(SMALL, START), random.Random(3)
    before = rng.getstate()
    assert profile.peak("6400") == 1.0
    assert all(profile.admits("6400", START + t, rng) for t in range(0, 3600, 7))
    assert rng.getstate() == before


def test_the_demo_rushes_each_queue_every_ten_minutes_five_minutes_apart() -> None:
    """Callers per minute over two simulated hours: about 2.5 times as many in a queue's rush
    minute as in its other minutes, Sales at minute 4, 14, 24 …, Support at 9, 19, 29 …."""
    wall = [START]
    sim = Simulator(SimConfig(scenario="demo", arrival_per_min=10), SimClock(lambda: wall[0]))
    offered = {"6400": [0], "6401": [0]}
    for _ in range(120 * 60):
        wall[0] += 1
        sim.tick()
        if int(wall[0] - START) % 60 == 0:
            for number, counts in offered.items():
                counts.append(sim.centre.stats[number].offered)
    for number, first in (("6400", 4), ("6401", 9)):
        per_minute = [b - a for a, b in zip(offered[number], offered[number][1:], strict=False)]
        rush = [n for minute, n in enumerate(per_minute) if minute % 10 == first % 10]
        calm = [n for minute, n in enumerate(per_minute) if minute % 10 != first % 10]
        share = 1.0 if number == "6400" else 0.75
        assert 0.8 * 10 * share < sum(calm) / len(calm) < 1.2 * 10 * share
        assert sum(rush) / len(rush) > 2 * sum(calm) / len(calm)


def test_the_demo_scenario_is_small_staffed_up() -> None:
    demo = scenario("demo")
    assert {e.number for e in SMALL.extensions} < {e.number for e in demo.extensions}
    assert len({e.id for e in demo.extensions}) == len(demo.extensions)
    assert [(q.number, len(q.members)) for q in demo.queues] == [("6400", 15), ("6401", 12)]
