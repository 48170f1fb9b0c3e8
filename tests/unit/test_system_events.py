"""30035 System Event Notification: the reference's example and its variants kept for the admin,
the latest first, and the stored list read back whatever it holds."""

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given

from dashboard.live.events import PbxEvent
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState
from dashboard.live.system_events import KEPT, MAX_CONTENT_CHARS, PbxWarnings, stored_warnings
from dashboard.streams import compact
from tests.unit.test_payload_variants import variant
from tests.unit.test_properties import json_values

ZONE = "Asia/Bangkok"
NOW_MS = 1_768_600_000_000
# docs/yeastar-api.md §4.11, the guide's example: its text indented as the guide prints it.
TRUNK_DOWN = {
    "event_name": "sip_trunk_disconnect",
    "event_type": "telephony",
    "event_level": "warn",
    "event_content": "The PBX failed to connect or register to the account trunk: 89-Inbound "
    "at 2026/01/16 09:57:30 due to Unreachable.\n                          Now the extensions "
    "may not be able to call through this trunk.\n                          PBX Name: PBX-CRM",
    "create_time": "2026/01/16 15:00:49",
}
CREATED_MS = int(datetime(2026, 1, 16, 15, 0, 49, tzinfo=ZoneInfo(ZONE)).timestamp() * 1000)


def applied(*messages: Any) -> LiveState:
    state = LiveState(zone=ZONE)
    for msg in messages:
        effect = apply_event(state, PbxEvent(30035, msg), NOW_MS)
        assert not effect.changed  # no board changes
        assert not effect.recheck
    return state


def test_the_guides_example_is_kept_in_its_own_words_at_its_local_time() -> None:
    state = applied(TRUNK_DOWN)
    assert state.pbx_warnings.data() == {
        "warnings": [
            {
                "at": CREATED_MS,
                "event_name": "sip_trunk_disconnect",
                "event_type": "telephony",
                "event_level": "warn",
                "event_content": "The PBX failed to connect or register to the account trunk: "
                "89-Inbound at 2026/01/16 09:57:30 due to Unreachable.\nNow the extensions may "
                "not be able to call through this trunk.\nPBX Name: PBX-CRM",
            }
        ]
    }
    assert not state.unusable.counts


@given(variant(TRUNK_DOWN, keep={"event_name", "event_level"}))
def test_missing_or_added_fields_keep_what_there_is(msg: dict[str, Any]) -> None:
    state = applied(msg)
    (kept,) = state.pbx_warnings.data()["warnings"]
    assert kept["event_name"] == "sip_trunk_disconnect"
    assert kept["event_type"] == msg.get("event_type", "")
    assert kept["at"] == (CREATED_MS if "create_time" in msg else NOW_MS)
    # A time we cannot read is noted: the warning shows when it came instead.
    assert state.unusable.counts == ({} if "create_time" in msg else {"30035": 1})


def test_retyped_fields_are_read_as_text_or_left_blank() -> None:
    msg = {"event_name": 404, "event_type": None, "event_level": ["warn"],
           "event_content": {"text": "x"}, "create_time": 1768550449}  # fmt: skip
    (kept,) = applied(msg).pbx_warnings.data()["warnings"]
    assert kept == {"at": NOW_MS, "event_name": "404", "event_type": "", "event_level": "",
                    "event_content": ""}  # fmt: skip


def test_an_information_or_an_empty_event_is_counted_not_kept() -> None:
    state = applied({**TRUNK_DOWN, "event_level": "INFO"}, {"event_level": "warn"}, {})
    assert state.pbx_warnings.data() == {"warnings": []}
    assert state.unusable.counts == {"30035": 3}


def test_a_worse_or_unknown_level_is_kept() -> None:
    levels = ["error", "critical", ""]
    state = applied(*({**TRUNK_DOWN, "event_level": level} for level in levels))
    assert [w["event_level"] for w in state.pbx_warnings.data()["warnings"]] == levels[::-1]


def test_the_latest_are_kept_newest_first_and_a_huge_text_is_cut() -> None:
    messages = [{**TRUNK_DOWN, "event_name": f"event_{n}"} for n in range(KEPT + 5)]
    messages[-1]["event_content"] = "x" * (MAX_CONTENT_CHARS * 3)
    warnings = applied(*messages).pbx_warnings.data()["warnings"]
    assert [w["event_name"] for w in warnings] == [f"event_{n}" for n in range(KEPT + 4, 4, -1)]
    assert len(warnings[0]["event_content"]) == MAX_CONTENT_CHARS


def test_a_previous_workers_list_is_carried_on() -> None:
    before = applied(TRUNK_DOWN, {**TRUNK_DOWN, "event_name": "disk_full"}).pbx_warnings
    stored = compact({"epoch": "e1", "seq": 2, "data": before.data()})
    after = PbxWarnings()
    after.adopt(stored)
    after.take({**TRUNK_DOWN, "event_name": "fan_failure"}, CREATED_MS, NOW_MS)
    names = [w["event_name"] for w in after.data()["warnings"]]
    assert names == ["fan_failure", "disk_full", "sip_trunk_disconnect"]
    assert stored_warnings(stored) == before.data()["warnings"]


@given(json_values)
def test_a_stored_value_of_any_shape_reads_as_a_list(data: Any) -> None:
    for stored in (data, {"data": data}, {"data": {"warnings": data}}):
        assert isinstance(stored_warnings(json.dumps(stored)), list)


def test_stored_rows_without_a_time_and_values_not_json_read_as_nothing() -> None:
    assert stored_warnings(None) == stored_warnings("not json") == []
    rows = [{"at": "5", "event_name": "x"}, {"event_name": "no time"}, "junk"]
    assert stored_warnings(compact({"data": {"warnings": rows}})) == [
        {"at": 5, "event_name": "x", "event_type": "", "event_level": "", "event_content": ""}
    ]
