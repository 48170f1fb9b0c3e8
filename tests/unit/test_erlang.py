"""Erlang C against published worked examples, and the properties a staffing figure relies on."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.live.erlang import (
    agents_needed,
    erlang_b,
    expected_wait_s,
    service_level,
    wait_probability,
)


def test_the_call_centre_helper_example_of_ten_erlangs() -> None:
    """The classic example (Call Centre Helper's "Erlang C Formula - Made Simple"): 100 calls in
    30 minutes, 180 s handling time, 80 % within 20 s: A = 10 Erlangs, 14 agents. The figures
    for 14 agents as pyworkforce 0.1.0 publishes them (pypi.org/project/pyworkforce/0.1.0):
    service level 0.8883500191794669, waiting probability 0.1741319335950498."""
    traffic = 200 / 3600 * 180
    assert traffic == pytest.approx(10)
    assert agents_needed(traffic, 180, 20, 0.80) == 14
    assert service_level(14, traffic, 180, 20) == pytest.approx(0.8883500191794669, abs=1e-9)
    assert wait_probability(14, traffic) == pytest.approx(0.1741319335950498, abs=1e-9)
    # 13 agents fall short of 80 %: 14 is the smallest that meets it.
    assert service_level(13, traffic, 180, 20) < 0.80


@pytest.mark.parametrize(("agents", "published_wq"), [(5, 0.0629), (6, 0.0172), (7, 0.0047)])
def test_a_published_m_m_c_worked_table(agents: int, published_wq: float) -> None:
    """An M/M/c worked table (studylib.net/doc/26058623, "OPRE assignment 5"): arrivals 3.7 and
    service 1.33 an hour; Wq, the mean wait in queue in hours, for 5, 6 and 7 servers, to four
    places."""
    traffic = 3.7 / 1.33
    assert expected_wait_s(agents, traffic, 1 / 1.33) == pytest.approx(published_wq, abs=5e-5)


def test_the_closed_form_for_three_agents_and_two_erlangs() -> None:
    """C(3, 2) = (8/6 · 3) / (1 + 2 + 2 + 8/6 · 3) = 4/9, by hand from the textbook formula."""
    assert wait_probability(3, 2.0) == pytest.approx(4 / 9, abs=1e-12)


def test_too_few_agents_have_no_steady_state() -> None:
    assert wait_probability(10, 10.0) == 1.0
    assert service_level(9, 10.0, 180, 20) == 0.0
    assert expected_wait_s(10, 10.0, 180) is None
    assert expected_wait_s(0, 0.5, 180) is None


def test_a_target_must_be_a_share_below_one() -> None:
    with pytest.raises(ValueError, match="share"):
        agents_needed(10, 180, 20, 1.0)


def test_hundreds_of_agents_stay_finite() -> None:
    """A^N / N! overflows a float from N = 171 on; the recursion does not."""
    needed = agents_needed(300.0, 180, 20, 0.9)
    assert 300 < needed < 340
    assert 0 < wait_probability(needed, 300.0) < 1
    assert math.isfinite(erlang_b(1000, 900.0))


traffic = st.floats(min_value=0.01, max_value=400)
work = st.floats(min_value=5, max_value=1200)
target = st.floats(min_value=1, max_value=120)


@given(traffic, work, target, st.integers(min_value=1, max_value=30))
def test_more_agents_never_serve_worse(a: float, work_s: float, t: float, extra: int) -> None:
    n = math.floor(a) + 1
    assert service_level(n + extra, a, work_s, t) >= service_level(n, a, work_s, t)
    assert wait_probability(n + extra, a) <= wait_probability(n, a)
    assert expected_wait_s(n + extra, a, work_s) <= expected_wait_s(n, a, work_s)  # type: ignore[operator]


@given(traffic, work, target)
def test_the_service_level_tends_to_one(a: float, work_s: float, t: float) -> None:
    assert service_level(math.floor(a) + 1 + 400, a, work_s, t) == pytest.approx(1.0, abs=1e-6)


@given(traffic, work, target, st.floats(min_value=0.05, max_value=0.99))
def test_the_agents_needed_are_the_fewest_that_meet_the_target(
    a: float, work_s: float, t: float, share: float
) -> None:
    needed = agents_needed(a, work_s, t, share)
    assert needed > a
    assert service_level(needed, a, work_s, t) >= share
    assert needed - 1 <= a or service_level(needed - 1, a, work_s, t) < share
