"""The periodic cdr/list read-back: only calls whose events can no longer be in flight."""

from dashboard.live.cdr import Cdr
from dashboard.worker.cdrsync import SETTLE_MS, settled

T0 = 1_796_400_000_000


def ended_at(call_id: str, end_ms: int) -> Cdr:
    return Cdr(call_id, end_ms - 30_000, "0812345678", "6400", 30, 0, False, True, "")


def test_the_newest_seconds_of_calls_wait_for_the_next_read() -> None:
    cdrs = [ended_at("old", T0), ended_at("edge", T0 + SETTLE_MS), ended_at("new", T0 + 11_000)]
    assert [cdr.call_id for cdr in settled(cdrs)] == ["old"]
    assert settled([]) == []


def test_the_newest_seconds_held_back_by_one_read_are_applied_at_the_next() -> None:
    """No call ended since (the day's last calls): their events are no longer in flight."""
    cdrs = [ended_at("old", T0), ended_at("new", T0 + 11_000)]
    assert [cdr.call_id for cdr in settled(cdrs, listed_before_ms=T0 + 11_000)] == ["old", "new"]
