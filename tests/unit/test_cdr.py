"""CDRs (30012, `cdr/list` rows): calls the events left open are settled, and a day's CDRs
rebuild the counters of a worker started mid-day, never counting a call twice. The rows are
written from the guide's field list (§5.6b), not from what pbxsim happens to send."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.live.agents import Agent
from dashboard.live.calls import load_active
from dashboard.live.cdr import (
    Cdr,
    apply_cdr,
    apply_cdrs,
    number_of,
    parse_cdr,
    parse_cdr_row,
    rebuild,
)
from dashboard.live.events import CallEvent, CallMember, PbxEvent, parse_frame
from dashboard.live.ledger import Ledger, ledger_json, restore
from dashboard.live.outcomes import Handled, Offered, Settled
from dashboard.live.queues import apply_call_event, load_waiting
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState
from dashboard.live.today import Thresholds, Today
from dashboard.worker import resync

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


def test_it_reads_the_reference_example_starting_when_its_call_id_says() -> None:
    """The example's call id "1651057476.362" began at its `time_start` "2022-04-27 19:04:36"
    on a PBX at +08:00: the call id's instant is taken, whatever `TIME_ZONE` says."""
    frame = parse_frame(OFFICIAL)
    assert isinstance(frame, PbxEvent)
    record = parsed(frame.msg)
    shanghai = datetime.fromisoformat("2022-04-27 19:04:36").replace(
        tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert record.start_ms == 1_651_057_476_000 == shanghai.timestamp() * 1000
    assert (record.call_from, record.call_to) == ("2005", "2002")
    assert (record.call_s, record.talk_s) == (24, 21)
    assert (record.answered, record.inbound, record.did) == (True, False, "")


@pytest.mark.parametrize("zone", [ZONE, "UTC", "America/New_York"])
def test_a_30012_and_its_row_agree_on_the_start_whatever_time_zone_says(zone: str) -> None:
    """`TIME_ZONE` should be the PBX's, but a row's `timestamp` and a 30012's call id are
    instants: the read-back after a gap (from the newest 30012's end) and the matching of rows
    with calls do not depend on it. A call id that is not "<epoch>.<n>" leaves `time_start`."""
    pushed = parse_cdr(cdr(f"{T}.4", "6400"), zone)
    listed = parse_cdr_row(row("u", time="2026-11-26 10:00:00"), zone)
    assert pushed is not None
    assert listed is not None
    assert pushed.start_ms == listed.start_ms == T * 1000
    other = parse_cdr(cdr("A-17", "6400"), zone)
    odd = parse_cdr(cdr(f"{T + 3 * 86_400}.4", "6400"), zone)  # days off: not its start
    assert other is not None
    assert odd is not None
    local = int(
        datetime.fromisoformat("2026-11-26 10:00:00").replace(tzinfo=ZoneInfo(zone)).timestamp()
    )
    assert other.start_ms == odd.start_ms == local * 1000


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
    assert today.agent_figures("1005")["since"] == day_start + 3_600_000
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


# cdr/list rows (§5.6b, Yeastar's "Query CDR List"): the guide's CDR_Details, not 30012's fields.
T = local_ms("2026-11-26 10:00:00") // 1000  # the calls below start then; their ids "T.<n>"
ROW_FIELDS = ("id", "time", "call_from", "call_to", "timestamp", "uid", "src_addr", "src_trunk",
              "dst_trunk", "duration", "ring_duration", "talk_duration", "disposition",
              "call_type", "did_number", "dod_number")  # fmt: skip


def row(
    uid: object,
    call_to: object = "Queue CC_Team<6400>",
    disposition: object = "ANSWERED",
    **fields: object,
) -> dict:  # type: ignore[type-arg]
    """A documented cdr/list row: an answered queue call of 0812345678 (the live P570 wrote
    `"Queue CC_Team<6400>"`), 10 s waiting then 60 s talking."""
    return {"id": 7, "time": "2026-11-26 10:00:00", "call_from": "0812345678<0812345678>",
            "call_to": call_to, "timestamp": T, "uid": uid, "src_addr": "",
            "src_trunk": "SIP-Trunk", "dst_trunk": "", "duration": 70, "ring_duration": 10,
            "talk_duration": 60, "disposition": disposition, "call_type": "Inbound",
            "did_number": "021000001", "dod_number": "", **fields}  # fmt: skip


def from_row(entry: object) -> Cdr:
    result = parse_cdr_row(entry, ZONE)
    assert result is not None
    return result


def test_a_documented_row_reads_as_its_30012_does() -> None:
    assert tuple(row("u")) == ROW_FIELDS
    listed = from_row(row("20261126100000D5F8F", call_to="Anan Chaiyo<1001>", call_id="T.1"))
    pushed = parsed(cdr("T.1", "1001"))
    assert listed == pushed
    only_uid = from_row(row("20261126100000D5F8F"))
    assert (only_uid.call_id, only_uid.uid_only) == ("20261126100000D5F8F", True)
    assert (only_uid.call_from, only_uid.call_to, only_uid.did) == (
        "0812345678",
        "6400",
        "021000001",
    )
    assert (only_uid.start_ms, only_uid.end_ms) == (T * 1000, (T + 70) * 1000)
    assert (only_uid.call_s, only_uid.talk_s, only_uid.answered, only_uid.inbound) == (
        70, 60, True, True)  # fmt: skip


@pytest.mark.parametrize(
    ("label", "number"),
    [("Queue CC_Team<6400>", "6400"), ("Anan Chaiyo<1001>", "1001"), ("6400", "6400"),
     (6400, "6400"), ("0745150974<0745150974>", "0745150974"), (" Sales <6400> ", "6400"),
     ("<6400>", "6400"), ("Mary Ann O'Neil <1002>", "1002"), ("A<b> c<1003>", "1003"),
     ("Sales<>", "Sales"), ("Anonymous", "Anonymous"), ("", ""), (None, ""), ([6400], "")],
)  # fmt: skip
def test_labels_are_reduced_to_their_number(label: object, number: str) -> None:
    assert number_of(label) == number
    assert from_row(row("u", call_from=label)).call_from == number


@pytest.mark.parametrize(
    ("fields", "start"),
    [
        # A sane timestamp wins over `time`, which may be off (here: written in UTC).
        ({"time": "2026-11-26 03:00:00"}, "2026-11-26 10:00:00"),
        ({"timestamp": str(T)}, "2026-11-26 10:00:00"),
        # Without one, `time` is read in the PBX's zone, in any display format it offers.
        ({"timestamp": None}, "2026-11-26 10:00:00"),
        ({"timestamp": 0, "time": "2026/11/26 10:00:01"}, "2026-11-26 10:00:01"),
        ({"timestamp": T * 1000, "time": "11/26/2026 10:00:02"}, "2026-11-26 10:00:02"),
        ({"timestamp": "soon", "time": "26/11/2026 10:00:03"}, "2026-11-26 10:00:03"),
        ({"timestamp": -T, "time": "2026/11/26 10:00:04 AM"}, "2026-11-26 10:00:04"),
        ({"timestamp": True, "time": "11/26/2026 10:00:05 PM"}, "2026-11-26 22:00:05"),
    ],
)  # fmt: skip
def test_the_timestamp_is_preferred_and_time_read_in_any_display_format(
    fields: dict[str, object], start: str
) -> None:
    assert from_row(row("u", **fields)).start_ms == local_ms(start)


def test_numbers_may_be_text_and_optional_fields_missing() -> None:
    texts = from_row(row("u", duration="70", talk_duration="60", timestamp=str(T), id="7"))
    assert texts == from_row(row("u"))
    no_total = from_row(row("u", duration=None, ring_duration="12"))
    assert (no_total.call_s, no_total.talk_s) == (72, 60)
    bare = from_row({"uid": "u", "time": "2026-11-26 10:00:00", "extra": {"a": [1]}})
    assert (bare.call_s, bare.talk_s, bare.answered, bare.inbound, bare.call_to) == (
        0, 0, False, False, "")  # fmt: skip
    lower = from_row(row("u", disposition="answered", call_type="inbound"))
    assert (lower.answered, lower.inbound) == (True, True)


@pytest.mark.parametrize(
    "entry",
    [None, "row", 7, [row("u")], {}, row(""), row(None), row({"id": 1}), row(True),
     row("u", timestamp=None, time="yesterday"), row("u", timestamp=None, time=None),
     {"timestamp": T, "time": "2026-11-26 10:00:00"}],
)  # fmt: skip
def test_a_row_that_cannot_be_used_is_none_never_an_error(entry: object) -> None:
    assert parse_cdr_row(entry, ZONE) is None


def waits(live: LiveState, call_id: str, number: str, at_s: float) -> None:
    """The call's caller waits in 6400 from `at_s` seconds after T (our clock)."""
    member = CallMember("inbound", number, f"PJSIP/trunk-{call_id}", "ALERT", "6400")
    apply_call_event(live, CallEvent(call_id, (member,)), int((T + at_s) * 1000))


def test_a_row_of_a_call_its_events_and_30012_counted_counts_nothing() -> None:
    """The catch-up after a gap reads back from a minute before it: calls counted then come
    again as rows, which name the CDR (`uid`), not the call."""
    live = centre()
    waits(live, f"{T}.1", "0812345678", 0.3)
    answered = CallMember("extension", "1001", "PJSIP/1001-1", "ANSWER", "6400")
    caller_leg = CallMember("inbound", "0812345678", "PJSIP/trunk-1", "ANSWERED", "6400")
    apply_call_event(live, CallEvent(f"{T}.1", (caller_leg, answered)), (T + 10) * 1000)
    apply_cdr(live, parsed(cdr(f"{T}.1", "1001")))  # its 30012
    assert [type(r) for r in live.outbox] == [Offered, Settled, Handled]
    live.outbox.clear()

    assert (
        apply_cdr(live, from_row(row("20261126100000D5F8F", call_to="Anan Chaiyo<1001>"))) == set()
    )
    assert apply_cdr(live, from_row(row("20261126100000D5F8F"))) == set()  # naming the queue
    assert live.outbox == []
    # Closed, and under the key of its rows too (for a read-back, here or at a successor).
    assert [(c.call_id, c.phase) for c in live.calls.records()] == [
        (f"{T}.1", "closed"), (f"cdr:{T}:0812345678:70", "closed")]  # fmt: skip


def test_a_row_settles_the_caller_whose_events_and_30012_were_lost() -> None:
    """Two callers came in the same second; the events of both were lost once they waited.
    Each row settles its own caller (matched by the caller, not by the order)."""
    live = centre()
    waits(live, f"{T}.1", "0812345678", 0.2)
    waits(live, f"{T}.2", "0899999999", 0.9)
    load_waiting(live, live.queues["6400"], [], (T + 20) * 1000)  # set aside, not counted
    live.outbox.clear()
    second = row("uid-2", call_from="0899999999<0899999999>", disposition="NO ANSWER",
                 duration=4, talk_duration=0, timestamp=T + 1)  # fmt: skip
    first = row("uid-1", disposition="NO ANSWER", duration=30, talk_duration=0)

    assert apply_cdrs(live, [from_row(second), from_row(first)]) == {"6400"}
    assert live.outbox == [
        Settled("6400", f"{T}.2", "abandoned", 4000, ""),
        Settled("6400", f"{T}.1", "abandoned", 30_000, ""),
    ]
    calls = {c.call_id: c.phase for c in live.calls.records() if not c.call_id.startswith("cdr")}
    assert calls == {f"{T}.1": "closed", f"{T}.2": "closed"}


def test_a_call_never_seen_is_counted_once_by_its_row_however_often_it_comes() -> None:
    """Read back twice (overlapping read-backs), then its 30012 (it ended while we were reading
    back): the call counts once. The queue is named by the DID once the agent is."""
    live = centre()
    live.did_queues["021000001"] = "6401"
    listed = from_row(row("20261126100000D5F8F", call_to="Eve Park<1005>"))
    assert apply_cdr(live, listed) == set()
    whole = [Offered("6401", f"cdr:{T}:0812345678:70"),
             Settled("6401", f"cdr:{T}:0812345678:70", "answered", 10_000, "1005"),
             Handled("6401", f"cdr:{T}:0812345678:70", "1005", 60_000)]  # fmt: skip
    assert live.outbox == whole
    live.outbox.clear()
    apply_cdr(live, listed)
    apply_cdr(live, parsed(cdr(f"{T}.5", "1005")))  # its 30012, coming after the row
    apply_cdr(live, from_row(row("20261126100000D5F8F", call_to="Queue Support<6401>")))
    assert live.outbox == []


@pytest.mark.parametrize("batch", [True, False])
def test_calls_never_seen_that_started_and_ended_together_count_apart(batch: bool) -> None:
    """Two callers of the same queue in the same seconds, both unseen (the link was down):
    neither row is taken for the other's call."""
    live = centre()
    gone = {"disposition": "NO ANSWER", "duration": 0, "talk_duration": 0}
    rows = [from_row(row("u-1", **gone)),
            from_row(row("u-2", call_from="0899999999<0899999999>", **gone))]  # fmt: skip
    if batch:
        apply_cdrs(live, rows)
    else:
        for listed in rows:
            apply_cdr(live, listed)
    offered = [r.call_id for r in live.outbox if isinstance(r, Offered)]
    assert offered == [f"cdr:{T}:0812345678:0", f"cdr:{T}:0899999999:0"]


def test_a_uid_that_is_the_call_id_names_that_call_only_if_it_fits() -> None:
    """GUESS switch --cdr-uid-style call_id: the uid names the call the events followed. A uid
    that looks like a call id but is another caller's names nothing by itself."""
    live = centre()
    waits(live, f"{T}.1", "0812345678", 0.1)
    waits(live, f"{T}.2", "0899999999", 0.1)
    apply_call_event(live, CallEvent(f"{T}.1", (caller("BYE"),)), (T + 3) * 1000)  # abandoned
    live.outbox.clear()
    unanswered = {"disposition": "NO ANSWER", "duration": 3, "talk_duration": 0}

    apply_cdr(live, from_row(row(f"{T}.1", **unanswered)))
    assert live.outbox == []
    assert [c.phase for c in live.calls.records()] == ["closed", "waiting", "closed"]
    # uid "T.2" is the other caller's call id: the row is still 0812345678's, already closed.
    apply_cdr(live, from_row(row(f"{T}.2", **unanswered)))
    assert live.outbox == []
    assert [c.caller for c in live.calls.waiting_in("6400")] == ["0899999999"]


@pytest.mark.parametrize("older_ledger", [False, True])
def test_a_successor_reading_rows_back_counts_nothing_its_predecessor_counted(
    older_ledger: bool,
) -> None:
    """After a hand-over the new leader reads cdr/list back from a minute before the newest CDR
    its predecessor took in: a call closed by a 30012 and one counted from its row alone. A
    ledger kept before rows were read as documented has no key of the rows: the closed call
    is still known by when it started and ended, to the second."""
    first = centre()
    waits(first, f"{T}.1", "0812345678", 0)
    apply_cdr(first, parsed(cdr(f"{T}.1", "6400", "NO ANSWER", talk_duration=0)))
    unseen = row("u-9", call_from="0877777777<0877777777>", timestamp=T + 5)
    apply_cdr(first, from_row(unseen))
    assert len(first.outbox) == 5
    kept = json.loads(json.dumps(ledger_json(Ledger(), first, (T + 100) * 1000)))
    assert set(kept["closed"]) == {
        f"{T}.1", f"cdr:{T}:0812345678:70", f"cdr:{T + 5}:0877777777:70"}  # fmt: skip
    if older_ledger:
        del kept["closed"][f"cdr:{T}:0812345678:70"]

    second = centre()
    restore(second, kept)
    unanswered = row("u-1", disposition="NO ANSWER", talk_duration=0)
    assert apply_cdrs(second, [from_row(unanswered), from_row(unseen)]) == set()
    assert second.outbox == []
    # Another caller's call that started and ended in other seconds is not taken for it.
    apply_cdr(second, from_row(row("u-3", call_from="0833<0833>", timestamp=T + 1)))
    assert [type(r) for r in second.outbox] == [Offered, Settled, Handled]


def test_rows_rebuild_the_day_a_worker_starts_in() -> None:
    """The mid-day rebuild from documented rows: names reduced to numbers, queues from the
    label, the DID or the agent's only queue; yesterday's and internal calls left out."""
    live = centre()
    waits(live, f"{T}.9", "0800000009", 0)  # waiting now: the live state follows it
    day_start = local_ms("2026-11-26 00:00:00")
    unanswered = {"disposition": "NO ANSWER", "talk_duration": 0, "did_number": "021000002"}
    rows = [
        row("a", **unanswered),
        row("b", call_to="Eve Park<1005>", did_number="021000002", timestamp=T + 60),
        row("c", call_to="Anan Chaiyo<1001>", timestamp=T + 120),  # only 1001's queue
        row("d", call_to="Anan Chaiyo<1001>", timestamp=T - 86_400),  # yesterday
        row("e", call_to="2002", call_type="Internal", timestamp=T + 180),
        row("ignored", call_to="Queue Sales<6400>", timestamp=T + 240, call_id="4.4"),
        "not a row",
    ]
    cdrs = [c for c in (parse_cdr_row(r, ZONE) for r in rows) if c]
    today = Today("2026-11-26", day_start + 3_600_000, partial=True)
    records = rebuild(live, cdrs, day_start)
    today.adopt_rebuilt(records, day_start, Thresholds())
    sales = today.queues["6400"]
    assert (sales.offered, sales.answered, sales.abandoned, sales.handled) == (4, 3, 1, 3)
    assert today.agent_figures("1001")["answered"] == 1  # the queue names no agent
    assert rebuild(live, cdrs, day_start) == []  # nothing counts twice
    assert live.outbox == [Offered("6400", f"{T}.9")]


class PagedApi:
    """cdr/list over `rows` (newest first, as sort_by=id&order_by=desc asks), pages of
    `page_size`; `ignore_order` answers oldest first whatever is asked."""

    def __init__(self, rows: list[object], ignore_order: bool = False) -> None:
        self.rows, self.ignore_order = rows, ignore_order
        self.asked: list[dict[str, object]] = []

    async def get(self, endpoint: str, empty_ok: bool = False, **params: object) -> dict:  # type: ignore[type-arg]
        assert (endpoint, empty_ok) == ("cdr/list", True)
        self.asked.append(params)
        size, page = int(str(params["page_size"])), int(str(params["page"]))
        rows = list(reversed(self.rows)) if self.ignore_order else self.rows
        return {"errcode": 0, "total_number": len(rows),
                "data": rows[(page - 1) * size : page * size]}  # fmt: skip


def ended(n: int) -> dict:  # type: ignore[type-arg]
    """Row n of a day: call n started at T + 10 n and lasted 5 s."""
    return row(f"u{n}", id=n, timestamp=T + 10 * n, duration=5, talk_duration=0)


@pytest.mark.parametrize("ignore_order", [False, True])
async def test_the_read_back_pages_back_to_the_first_call_ended_before(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, ignore_order: bool
) -> None:
    """Newest first by `id` (CDRs are written as calls end) until a call ended before `since`;
    rows it cannot read counted and logged once; a page read twice (rows shift as new CDRs are
    written) counted once; a PBX that ignores the order read from its last page back."""
    monkeypatch.setattr(resync, "CDR_PAGE_SIZE", 4)
    rows: list[object] = [ended(n) for n in range(30, 0, -1)]
    rows[3:3] = ["junk", {"uid": "no time"}]
    rows[7:7] = [ended(26)]  # shifted onto the next page by a CDR written meanwhile
    api = PagedApi(rows, ignore_order)
    since = (T + 10 * 21) * 1000  # calls 21 … 30 ended since, 20 ended just before

    cdrs = await resync.cdrs_since(api, since, ZONE)  # type: ignore[arg-type]

    assert sorted(c.call_id for c in cdrs) == sorted(f"u{n}" for n in range(21, 31))
    assert api.asked[0] == {"page": 1, "page_size": 4, "sort_by": "id", "order_by": "desc"}
    assert [ask["page"] for ask in api.asked] == (
        [1, 2, 3, 4] if not ignore_order else [1, 9, 8, 7, 6, 5]
    )
    (warning,) = [r.getMessage() for r in caplog.records if "could not read" in r.getMessage()]
    assert warning.startswith('Skipped 2 cdr/list rows we could not read: "junk"')


async def test_the_read_back_reads_each_row_once_and_stops_at_an_empty_page() -> None:
    api = PagedApi([])
    assert await resync.cdrs_since(api, 0, ZONE) == []  # type: ignore[arg-type]
    assert len(api.asked) == 1


def test_a_did_leads_where_most_of_its_calls_ended_not_where_one_was_sent_on() -> None:
    """A caller an agent sent on from 6400 to 6401 ends in 6401: its CDR names 6401 with
    6400's DID. The day's CDRs teach the DID's queue by majority, and an agent of one queue
    answered there whatever its DID says."""
    live = centre()
    day_start = local_ms("2026-11-26 00:00:00")
    cdrs = [
        parsed(
            cdr(
                "1.1",
                "6401",
                "NO ANSWER",
                call_duration=90,
                talk_duration=0,
                did_number="021000001",
            )
        ),  # the newest: ended last
        parsed(cdr("1.2", "6400", "NO ANSWER", talk_duration=0, did_number="021000001")),
        parsed(cdr("1.3", "6400", "NO ANSWER", talk_duration=0, did_number="021000001")),
        parsed(cdr("1.4", "1001", did_number="021000009")),  # 1001 serves only 6400
    ]
    records = rebuild(live, cdrs, day_start)
    assert live.did_queues["021000001"] == "6400"
    assert {r.queue for r in records if isinstance(r, Settled) and r.call_id == "1.4"} == {"6400"}


def test_a_cdr_ending_the_call_in_another_queue_counts_it_there_too() -> None:
    """We followed the caller waiting in 6400; while no event reached us a key press sent it
    to 6401, where it hung up: it left 6400 (transferred, before the maximum wait) and 6401
    counts it whole."""
    live = centre()
    apply_call_event(live, CallEvent("1.1", (caller("ALERT"),)), local_ms("2026-11-26 10:00:00"))
    live.outbox.clear()
    moved = cdr("1.1", "6401", "NO ANSWER", call_duration=30, talk_duration=0)
    assert apply_cdr(live, parsed(moved)) == {"6400", "6401"}
    assert [(r.queue, type(r).__name__, getattr(r, "outcome", "")) for r in live.outbox] == [
        ("6400", "Settled", "transferred"),
        ("6401", "Offered", ""),
        ("6401", "Settled", "abandoned"),
    ]
