"""Pure parts of the board protocol: browser messages, acknowledgements, codes, TV status."""

from datetime import UTC, datetime, timedelta
from itertools import cycle

from dashboard.boards.acks import Unacked
from dashboard.boards.displays import display_status
from dashboard.boards.frames import Invalid, Ping, Resync, parse_incoming
from dashboard.boards.pairing import ALPHABET, new_code, normalise_code


def test_it_reads_pings_with_their_acks_and_resyncs() -> None:
    assert parse_incoming('{"type": "ping"}') == Ping({})
    assert parse_incoming('{"type": "ping", "seq": {"link": 4}}') == Ping({"link": 4})
    assert parse_incoming('{"type": "resync"}') == Resync()


def test_it_names_what_is_wrong_with_other_messages() -> None:
    assert parse_incoming("[1, 2]") == Invalid("unknown message type None: send ping or resync")
    assert parse_incoming("{") == Invalid("not JSON")
    for acks in ('{"link": true}', '{"link": "4"}', '{"link": -1}', "[4]"):
        assert isinstance(parse_incoming(f'{{"type": "ping", "seq": {acks}}}'), Invalid)


def test_a_frame_counts_until_every_stream_in_it_is_acknowledged() -> None:
    unacked = Unacked(max_chars=100, deadline_s=60)
    unacked.sent({"link": 1, "queue:1": 4, "queue:2": 0}, 50, now=0)  # a snapshot
    unacked.sent({"queue:1": 5}, 30, now=1)
    unacked.ack({"link": 1})
    assert len(unacked.frames) == 2
    unacked.ack({"link": 1, "queue:1": 4})  # queue:2 had nothing to apply
    assert (len(unacked.frames), unacked.chars) == (1, 30)
    unacked.ack({"queue:1": 5})
    assert (unacked.frames, unacked.chars) == ([], 0)


def test_a_screen_is_too_far_behind_by_size_or_by_age() -> None:
    unacked = Unacked(max_chars=100, deadline_s=60)
    unacked.sent({"queue:1": 1}, 60, now=0)
    assert not unacked.too_far_behind(now=60)
    assert unacked.too_far_behind(now=61)
    unacked.sent({"queue:1": 2}, 60, now=1)
    assert unacked.too_far_behind(now=2)
    unacked.restart()
    assert not unacked.too_far_behind(now=1000)


def test_codes_use_only_letters_that_cannot_be_confused() -> None:
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)
    assert new_code(lambda _: "K") == "KKK-KKK"
    letters = cycle("K7Q4MX")
    assert new_code(lambda _: next(letters)) == "K7Q-4MX"


def test_codes_are_read_however_an_admin_types_them() -> None:
    for typed in ("K7Q-4MX", "k7q4mx", " k7q 4mx ", "K7Q–4MX"):
        assert normalise_code(typed) == "K7Q-4MX"
    assert normalise_code("K7Q-4M") == ""


def test_a_display_is_online_stale_or_never_seen() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert display_status(None, now) == "never"
    assert display_status(now - timedelta(seconds=119), now) == "online"
    assert display_status(now - timedelta(minutes=2), now) == "stale"
