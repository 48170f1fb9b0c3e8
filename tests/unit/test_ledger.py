"""A leader change mid-call: the successor takes over the ledger with today's figures, resyncs
from REST and reads back the CDRs, and every call is counted exactly once."""

import json

import pytest

from dashboard.live.agents import Agent
from dashboard.live.calls import load_active
from dashboard.live.cdr import apply_cdr, parse_cdr
from dashboard.live.events import CallEvent, CallMember
from dashboard.live.ledger import RECENT_MS, Ledger, ledger_json, restore
from dashboard.live.outcomes import Handled, Offered, Settled
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds, Today, from_json, to_json

ZONE = "UTC"
T0 = 1_795_000_000_000  # 2026-11-18, UTC; the CDRs below start at T0


def centre() -> LiveState:
    live = LiveState(zone=ZONE)
    live.set_queues({"6400": "Sales"})
    live.queues["6400"].agents = {"1001": Agent("1001"), "1005": Agent("1005")}
    return live


def caller(status: str, number: str) -> CallMember:
    return CallMember("inbound", number, f"PJSIP/trunk-{number}", status, "6400")


def agent(number: str, status: str) -> CallMember:
    return CallMember("extension", number, f"PJSIP/{number}-1", status, "6400")


class Leader:
    """One worker's counting: its live state, today's figures and its ledger."""

    def __init__(self, live: LiveState, today: Today, ledger: Ledger) -> None:
        self.live, self.today, self.ledger = live, today, ledger

    def event(self, call_id: str, at_s: int, *members: CallMember) -> None:
        apply_call_event(self.live, CallEvent(call_id, members), T0 + at_s * 1000)
        self.count(at_s)

    def cdr(self, call_id: str, call_to: str, answered: bool, call_s: int, talk_s: int) -> None:
        status = "ANSWERED" if answered else "NO ANSWER"
        entry = {"call_id": call_id, "time_start": "2026-11-18 11:06:40", "call_from": "0812",
                 "call_to": call_to, "call_duration": call_s, "talk_duration": talk_s,
                 "status": status, "type": "Inbound"}  # fmt: skip
        cdr = parse_cdr(entry, ZONE)
        assert cdr is not None
        assert cdr.start_ms == T0
        apply_cdr(self.live, cdr)

    def count(self, at_s: int) -> None:
        for record in self.live.outbox:
            self.today.record(record, Thresholds())
        self.ledger.note(self.live.outbox, T0 + at_s * 1000)
        self.live.outbox.clear()

    def kept(self, at_s: int) -> str:
        """What the worker stores: today's figures with the ledger beside them, as JSON."""
        return json.dumps(
            {**to_json(self.today), "ledger": ledger_json(self.ledger, self.live, T0 + at_s * 1000)}
        )


def successor(kept: str) -> Leader:
    data = json.loads(kept)
    live = centre()
    ledger = restore(live, data["ledger"])
    return Leader(live, from_json(data), ledger)


def test_a_successor_counts_every_call_once_across_the_hand_over() -> None:
    first = Leader(centre(), Today("2026-11-18", T0), Ledger())
    first.event("wait", 0, caller("ALERT", "0811"))  # still waiting at the hand-over
    first.event("talk", 0, caller("ALERT", "0812"))
    first.event("talk", 5, caller("ANSWERED", "0812"), agent("1001", "ANSWER"))  # answered
    first.event("gone", 0, caller("ALERT", "0813"))
    first.event("gone", 8, caller("BYE", "0813"))  # abandoned; its CDR not in yet
    kept = first.kept(10)

    second = successor(kept)
    assert second.ledger.saved_ms == T0 + 10_000
    # The resync: REST lists a newcomer waiting, and "wait" answered by 1005 since.
    load_waiting(
        second.live, second.live.queues["6400"], [{"call_id": "new", "duration": 2}], T0 + 30_000
    )
    answered = {"call_id": "wait", "callee_number": "1005", "caller_number": "0811", "duration": 3}
    load_active(second.live, second.live.queues["6400"], [answered], T0 + 30_000)
    second.count(30)
    # The CDRs read back from before the hand-over: "talk" ended meanwhile, "gone" is old news.
    second.cdr("talk", "1001", answered=True, call_s=25, talk_s=20)
    second.cdr("gone", "6400", answered=False, call_s=8, talk_s=0)
    second.count(30)

    sales = second.today.queues["6400"]
    assert (sales.offered, sales.answered, sales.abandoned, sales.handled) == (4, 2, 1, 1)
    assert sales.talk_ms == 25_000  # answered at 5 s, found over by REST at 30 s
    assert [call.call_id for call in second.live.calls.waiting_in("6400")] == ["new"]
    assert second.live.calls.talking()["wait"].agent == "1005"


def test_without_the_ledger_a_successor_would_count_waiting_callers_twice() -> None:
    """The failure the ledger prevents, shown on the same reducer (the soak found it)."""
    first = Leader(centre(), Today("2026-11-18", T0), Ledger())
    first.event("wait", 0, caller("ALERT", "0811"))
    blank = Leader(centre(), from_json(json.loads(first.kept(1))), Ledger())
    load_waiting(blank.live, blank.live.queues["6400"], [{"call_id": "wait", "duration": 1}], T0)
    blank.count(1)
    assert blank.today.queues["6400"].offered == 2
    second = successor(first.kept(1))
    load_waiting(second.live, second.live.queues["6400"], [{"call_id": "wait", "duration": 1}], T0)
    second.count(1)
    assert second.today.queues["6400"].offered == 1


def test_the_ledger_forgets_calls_counted_long_ago() -> None:
    ledger = Ledger()
    ledger.note([Offered("6400", "old")], T0)
    ledger.note(
        [Offered("6400", "new"), Settled("6400", "new", "abandoned", 1000)], T0 + RECENT_MS + 1
    )
    assert list(ledger.recent) == ["new"]


@pytest.mark.parametrize("foreign", ["older", "newer", "as text", "none"])
def test_a_malformed_or_foreign_ledger_is_refused(foreign: str) -> None:
    """A ledger of another version is refused even when otherwise well formed (it may mean other
    things by the same keys); one of this version lacking what it must hold is refused too."""
    first = Leader(centre(), Today("2026-11-18", T0), Ledger())
    first.event("wait", 0, caller("ALERT", "0811"))
    kept = json.loads(first.kept(1))["ledger"]
    restore(centre(), kept)  # as kept: taken over
    current = kept["version"]
    version = {"older": current - 1, "newer": current + 1, "as text": str(current), "none": None}
    with pytest.raises(KeyError, match="ledger version"):
        restore(centre(), {**kept, "version": version[foreign]})
    with pytest.raises(KeyError):
        restore(centre(), {"version": current, "waiting": {}})


def test_cdrs_read_back_by_the_pbx_clock_are_not_counted_again_however_old() -> None:
    """A successor reads CDRs back from just before the newest one its predecessor took in (the
    PBX's clock, which may run far from ours): each of those is handed over as counted."""
    first = Leader(centre(), Today("2026-11-18", T0), Ledger())
    first.cdr("seen", "1001", answered=True, call_s=25, talk_s=20)  # counted whole, at T0
    first.count(0)
    first.event("late", RECENT_MS // 1000 + 60, caller("ALERT", "0814"))  # "seen" long forgotten
    assert list(first.ledger.recent) == ["late"]

    second = successor(first.kept(RECENT_MS // 1000 + 61))
    assert second.ledger.read_back_ms == T0 + 25_000  # "seen" ended then, by its CDR
    second.cdr("seen", "1001", answered=True, call_s=25, talk_s=20)
    second.count(RECENT_MS // 1000 + 62)
    assert second.today.queues["6400"].offered == 2
    assert second.today.queues["6400"].answered == 1


# Kept at T0 + 240 s by the reducer that held a map per fact (before calls had one record each):
# "wait" waits, "aside" was taken off REST's list, "long" talks since T0 + 5 s (counted then, so
# no longer among the recent), "found" was found answered on connecting, "rest" was first seen
# answered by REST, and "gone" was closed by its CDR.
OLDER_LEDGER = {
    "version": 3, "saved_ms": T0 + 240_000, "read_back_ms": T0 + 239_000,
    "closed": {"gone": T0 + 239_000},
    "waiting": {"6400": [{"call_id": "wait", "caller": "0812", "since_ms": T0 + 230_000}]},
    "unsettled": [{"call_id": "aside", "caller": "0813", "since_ms": T0 + 235_000}],
    "talking": {
        "long": {"queue": "6400", "agent": "1001", "answered_ms": T0 + 5000, "caller": "0810",
                 "channel_id": "PJSIP/1001-1", "held": False, "counted": True},
        "found": {"queue": "6400", "agent": "1005", "answered_ms": T0 + 170_000,
                  "caller": "0811", "channel_id": "", "held": False, "counted": True},
        "rest": {"queue": "6400", "agent": "1005", "answered_ms": T0 + 220_000, "caller": "0814",
                 "channel_id": "", "held": False, "counted": False},
    },
    "open_offers": {"wait": "6400", "aside": "6400"},
    "uncounted": {"rest": "6400"},
    "wait_unknown": {"found": "6400"},
    "answered_in": {"long": "6400", "found": "6400"},
    "recent": {"found": ["6400", T0 + 200_000], "wait": ["6400", T0 + 230_000],
               "aside": ["6400", T0 + 235_000], "gone": ["6400", T0 + 239_000]},
    "did_queues": {"021000001": "6400"},
}  # fmt: skip


def test_a_ledger_kept_before_calls_had_one_record_each_is_taken_over_whole() -> None:
    live = centre()
    ledger = restore(live, json.loads(json.dumps(OLDER_LEDGER)))
    phases = {call.call_id: call.phase for call in live.calls.records()}
    assert phases == {"gone": "closed", "wait": "waiting", "aside": "aside", "long": "talking",
                      "found": "talking", "rest": "talking"}  # fmt: skip
    kept = json.loads(json.dumps(ledger_json(ledger, live, T0 + 240_000)))
    assert kept == OLDER_LEDGER  # and a leader of either kind reads what this one keeps


def test_a_call_counted_answered_long_before_the_hand_over_is_not_counted_again() -> None:
    """Its answer was counted more than RECENT_MS before the ledger was kept: its CDR adds only
    its talk time (the map-per-fact reducer counted the whole call a second time)."""
    second = successor(json.dumps({"ledger": OLDER_LEDGER, **to_json(Today("2026-11-18", T0))}))
    second.cdr("long", "1001", answered=True, call_s=400, talk_s=395)
    assert second.live.outbox == [Handled("6400", "long", "1001", 395_000)]
