"""CDRs (30012, `cdr/list`): calls the events left open are settled, and a day's CDRs rebuild
the counters of a worker started mid-day, never counting a call twice."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from dashboard.live.agents import Agent
from dashboard.live.calls import load_active
from dashboard.live.cdr import Cdr, apply_cdr, parse_cdr, rebuild
from dashboard.live.events import CallEvent, CallMember, PbxEvent, parse_frame
from dashboard.live.outcomes import Handled, Offered, Settled
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds, Today

ZONE = "Asia/Bangkok"
# The reference's official 30012 example (§4.2), as the PBX sends it.
OFFICIAL = (
    '{"type":30012,"sn":"3631A2124XXX","msg":"{\\"call_id\\":\\"1651057476.362\\",\\"time_start'
    '\\":\\"2022-04-27 19:04:36\\",\\"call_from\\":\\"2005\\",\\"call_to\\":\\"2002\\",\\"call_d'
    'uration\\":24,\\"talk_duration\\":21,\\"src_trunk_name\\":\\" \\",\\"dst_trunk_name\\":\\" '
    '\\",\\"pin_code\\":\\" \\",\\"status\\":\\"ANSWERED\\",\\"type\\":\\"Internal\\",\\"recordi'
    'ng\\":\\"20220427190445-1651057476.362-2005-2002-Internal.wav\\",\\"did_number\\":\\" \\",'
    '\\"agent_ring_time\\":0}"}'
)


def centre() -> LiveState:
    live = LiveState(zone=ZONE)
    live.set_queues({"6400": "Sales", "6401": "Support"})
    live.queues["6400"].max_wait_s = 120
    live.queues["6400"].agents = {"1001": Agent("1001"), "1005": Agent("1005")}
    live.queues["6401"].agents = {"1005": Agent("1005")}
    return live


def local_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(ZONE)).timestamp() * 1000)


def cdr(call_id: str, call_to: str, status: str = "ANSWERED", **fields: object) -> dict:  # type: ignore[type-arg]
    """A queue call's CDR as pbxsim writes it (answered: `call_to` is the agent)."""
    return {"call_id": call_id, "time_start": "2026-11-26 10:00:00", "call_from": "0812345678",
            "call_to": call_to, "call_duration": 70, "talk_duration": 60, "status": status,
            "type": "Inbound", "did_number": "021000001", **fields}  # fmt: skip


def parsed(entry: dict) -> Cdr:  # type: ignore[type-arg]
    result = parse_cdr(entry, ZONE)
    assert result is not None
    return result


def test_it_reads_the_reference_example_in_the_pbx_time_zone() -> None:
    frame = parse_frame(OFFICIAL)
    assert isinstance(frame, PbxEvent)
    record = parsed(frame.msg)
    assert record.start_ms == local_ms("2022-04-27 19:04:36")
    assert (record.call_from, record.call_to) == ("2005", "2002")
    assert (record.call_s, record.talk_s) == (24, 21)
    assert (record.answered, record.inbound, record.did) == (True, False, "")


def test_an_internal_call_cdr_changes_nothing() -> None:
    live = centre()
    frame = parse_frame(OFFICIAL)
    assert isinstance(frame, PbxEvent)
    assert apply_event(live, frame, 0).changed == set()
    assert live.outbox == []


def test_a_cdr_without_time_or_call_id_is_not_understood() -> None:
    assert parse_cdr({"call_id": "1.1", "time_start": " "}, ZONE) is None
    assert parse_cdr({"time_start": "2026-11-26 10:00:00"}, ZONE) is None


def test_a_call_never_seen_is_counted_whole_from_its_cdr_once() -> None:
    live = centre()
    assert apply_cdr(live, parsed(cdr("1.1", "1001"))) == set()
    assert live.outbox == [
        Offered("6400", "1.1"),
        Settled("6400", "1.1", "answered", 10_000, "1001"),
        Handled("6400", "1.1", "1001", 60_000),
    ]
    live.outbox.clear()
    apply_cdr(live, parsed(cdr("1.1", "1001")))
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)  # a late event
    assert live.outbox == []
    assert live.calls.waiting_in("6400") == []


def caller(status: str) -> CallMember:
    return CallMember("inbound", "0812345678", "PJSIP/trunk-t-00000001", status, "6400")


def test_a_call_first_seen_answered_by_rest_is_counted_by_its_cdr() -> None:
    live = centre()
    entry = {"call_id": "1.1", "caller_number": "0812345678", "callee_number": "1005",
             "duration": 50}  # fmt: skip
    load_active(live, live.queues["6401"], [entry], 100_000)
    apply_call_event(live, CallEvent("1.1", (caller("BYE"), agent("BYE"))), 110_000)
    assert live.outbox == []
    assert apply_cdr(live, parsed(cdr("1.1", "1005"))) == set()
    assert [r.queue for r in live.outbox] == ["6401", "6401", "6401"]  # 1005 serves two


def agent(status: str) -> CallMember:
    return CallMember("extension", "1005", "PJSIP/1005-00000002", status, "6401")


def test_a_call_followed_by_its_events_is_not_counted_again() -> None:
    live = centre()
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)
    apply_call_event(live, CallEvent("1.1", (caller("BYE"),)), 31_000)
    live.outbox.clear()
    assert apply_cdr(live, parsed(cdr("1.1", "6400", "NO ANSWER", talk_duration=0))) == set()
    assert live.outbox == []


def test_a_caller_rest_took_away_is_settled_by_its_cdr() -> None:
    live = centre()
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)
    load_waiting(live, live.queues["6400"], [], 20_000)  # its last events were lost
    live.outbox.clear()
    long_wait = cdr("1.1", "6400", "NO ANSWER", call_duration=120, talk_duration=0)
    assert apply_cdr(live, parsed(long_wait)) == {"6400"}
    assert live.outbox == [Settled("6400", "1.1", "timed_out", 120_000, "")]


def test_a_cdr_ends_a_caller_whose_hang_up_was_lost() -> None:
    live = centre()
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), 1000)
    live.outbox.clear()
    short = cdr("1.1", "6400", "NO ANSWER", call_duration=3, talk_duration=0)
    assert apply_cdr(live, parsed(short)) == {"6400"}
    assert live.outbox == [Settled("6400", "1.1", "abandoned", 3000, "")]
    assert live.calls.waiting_in("6400") == []


def test_rebuild_counts_todays_ended_queue_calls_the_state_does_not_follow() -> None:
    live = centre()
    apply_call_event(live, CallEvent("9.9", (caller("ALERT"),)), 1000)  # waiting now: live
    day_start = local_ms("2026-11-26 00:00:00")
    cdrs = [
        parsed(cdr("1.1", "6400", "NO ANSWER", talk_duration=0, did_number="021000002")),
        parsed(cdr("1.2", "1005", did_number="021000002")),  # 1005 serves two queues: by DID
        parsed(cdr("1.3", "1001")),  # only 1001's queue
        parsed(cdr("1.4", "1001", time_start="2026-11-25 23:59:00")),  # yesterday
        parsed(cdr("9.9", "6400", "NO ANSWER", talk_duration=0)),
        parsed(cdr("1.5", "2002", type="Internal")),
    ]
    today = Today("2026-11-26", day_start + 3_600_000, partial=True)
    records = rebuild(live, cdrs, day_start)
    today.adopt_rebuilt(records, day_start, Thresholds())
    sales = today.queues["6400"]
    assert (sales.offered, sales.answered, sales.abandoned, sales.handled) == (3, 2, 1, 2)
    assert (today.partial, today.counting_since_ms) == (False, day_start)
    assert today.agent_figures("1005", day_start)["since"] == day_start + 3_600_000
    assert rebuild(live, cdrs, day_start) == []  # nothing counts twice
    assert apply_event(live, PbxEvent(30012, cdr("1.3", "1001")), 0).changed == set()
    assert live.outbox == [Offered("6400", "9.9")]


def test_the_cdr_list_shape_round_trips_through_json() -> None:
    assert parsed(json.loads(json.dumps(cdr("1.1", "6400")))).end_ms == local_ms(
        "2026-11-26 10:01:10"
    )


def test_a_call_found_answered_on_connecting_counts_at_once_and_its_cdr_adds_the_wait() -> None:
    """Right after subscribing no earlier event of the call can come: it is counted answered
    now (the board's figures are right at once), and its wait when its CDR tells it."""
    live = centre()
    today = Today("2026-11-26", 0)
    entry = {"call_id": "1.1", "caller_number": "0812345678", "callee_number": "1001",
             "duration": 50}  # fmt: skip
    load_active(live, live.queues["6400"], [entry], 100_000, connecting=True)
    load_active(live, live.queues["6400"], [entry], 105_000, connecting=True)  # a reconnect
    for record in live.outbox:
        today.record(record, Thresholds())
    figures = today.queues["6400"].figures()
    assert (figures["offered"], figures["answered"], figures["asa_s"]) == (1, 1, None)
    live.outbox.clear()
    apply_cdr(live, parsed(cdr("1.1", "1001")))  # waited 10 s, talked 60 s
    for record in live.outbox:
        today.record(record, Thresholds())
    figures = today.queues["6400"].figures()
    assert (figures["offered"], figures["answered"], figures["handled"]) == (1, 1, 1)
    assert (figures["asa_s"], figures["service_level"], figures["waits_unknown"]) == (10, 100.0, 0)
