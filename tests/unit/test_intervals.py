"""The 15-minute history agrees with the PBX's CDRs: what the live path counts interval by interval
from the events equals the recount `rebuild_history` makes from the same calls' CDRs."""

from dashboard.live.agents import Agent
from dashboard.live.cdr import Cdr
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.intervals import INTERVAL_MS, Change, changes, interval_start, recount
from dashboard.live.queues import apply_call_event
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds, Today

THRESHOLDS = Thresholds(service_level_s=20, short_abandon_s=5)
BASE_S = 1_795_000_500  # 10:15 UTC … an interval's start
assert BASE_S * 1000 % INTERVAL_MS == 0


def centre() -> LiveState:
    live = LiveState()
    live.set_queues({"6400": "Sales"})
    live.queues["6400"].max_wait_s = 300
    live.queues["6400"].agents = {"1001": Agent("1001")}
    return live


def caller(call_id: str, status: str) -> CallMember:
    return CallMember("inbound", f"555{call_id}", f"PJSIP/trunk-t-{call_id}", status, "6400")


def answered_by(status: str) -> CallMember:
    return CallMember("extension", "1001", "PJSIP/1001-0000000a", status, "6400")


# Calls as (id, start, answered at or None, end), seconds from BASE_S; their events and their CDRs.
CALLS = [
    ("1", 100, 110, 400),  # answered within the service level
    ("2", 800, 850, 1000),  # answered late in the interval, its talk ends in the next one
    ("3", 890, None, 930),  # abandoned across the boundary, after the service level
    ("4", 1200, None, 1202),  # short abandon
]


def live_intervals() -> dict[tuple[str, int], QueueDay]:
    """What the worker writes: each record counted into the interval it happened in."""
    live, intervals = centre(), dict[int, Today]()
    steps: list[tuple[int, str, tuple[CallMember, ...]]] = []
    for call_id, start, answered, end in CALLS:
        steps.append((start, call_id, (caller(call_id, "ALERT"),)))
        if answered is not None:
            ring = (caller(call_id, "ANSWERED"), answered_by("ANSWER"))
            steps.append((answered, call_id, ring))
            steps.append((end, call_id, (caller(call_id, "BYE"), answered_by("BYE"))))
        else:
            steps.append((end, call_id, (caller(call_id, "BYE"),)))
    for at_s, call_id, members in sorted(steps, key=lambda step: step[0]):
        at_ms = (BASE_S + at_s) * 1000
        apply_call_event(live, CallEvent(call_id, members), at_ms)
        start = interval_start(at_ms)
        for record in live.outbox:
            intervals.setdefault(start, Today("", start)).record(record, THRESHOLDS)
        live.outbox.clear()
    return {(q, s): day for s, today in intervals.items() for q, day in today.queues.items()}


def cdrs() -> list[Cdr]:
    return [
        Cdr(
            call_id=f"{BASE_S + start}.{call_id}",
            start_ms=(BASE_S + start) * 1000,
            call_from=f"555{call_id}",
            call_to="1001" if answered is not None else "6400",
            call_s=end - start,
            talk_s=end - answered if answered is not None else 0,
            answered=answered is not None,
            inbound=True,
            did="021000100",
        )
        for call_id, start, answered, end in CALLS
    ]


def test_the_recount_from_cdrs_equals_what_the_live_path_counted() -> None:
    span = (BASE_S * 1000, (BASE_S + 4 * 900) * 1000)
    recounted = recount(centre(), cdrs(), span, THRESHOLDS)
    assert recounted == live_intervals()
    assert changes(live_intervals(), recounted) == []
    second = (BASE_S + 900) * 1000
    assert recounted[("6400", second)].handled == 1  # call 2's talk, in the interval it ended
    assert recounted[("6400", second)].abandoned_after_sl == 1  # call 3 left after 10:30


def test_changes_name_each_figure_and_a_missing_interval_counts_as_zeros() -> None:
    start = BASE_S * 1000
    kept = {("6400", start): QueueDay(offered=2, answered=2)}
    found = changes(
        kept,
        {("6400", start): QueueDay(offered=3, answered=2), ("6401", start): QueueDay(offered=1)},
    )
    assert found == [
        Change("6400", start, "offered", 2, 3),
        Change("6401", start, "offered", 0, 1),
    ]
    assert changes(kept, {}) == [
        Change("6400", start, "offered", 2, 0),
        Change("6400", start, "answered", 2, 0),
    ]
