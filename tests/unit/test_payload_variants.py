"""Real PBXs vary: from the reference's documented examples (docs/yeastar-api.md), payloads with
optional fields removed, numbers retyped (integer ↔ text), unknown fields and unknown members
added. Nothing raises, what can still be used is applied, and what cannot is counted."""

import json
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.live.agents import Agent, load_agent_status, status_meaning
from dashboard.live.calls import parse_active, reconcile_calls
from dashboard.live.directory import apply_extensions, directory_data
from dashboard.live.events import MEMBER_KINDS, Malformed, PbxEvent, parse_frame
from dashboard.live.outcomes import RingMissed, Settled
from dashboard.live.queues import load_waiting
from dashboard.live.reduce import HANDLERS, apply_event, note_malformed
from dashboard.live.state import LiveState
from tests.unit.test_properties import json_values

NOW_MS = 1_713_151_600_000
QUEUE = "6402"
CALL_ID = "1713151497.32"
AGENTS = ("1000", "1001", "1002", "2010")

# fmt: off
# §4.1 (constructed in the reference), its members one by one.
CALLER = {"from": "5503301", "to": "02012345", "trunk_name": "SIP-Trunk",
          "channel_id": "PJSIP/trunk-SIP-Trunk-00000031", "member_status": "ALERT",
          "call_path": "6402"}
RINGING_AGENT = {"number": "2010", "channel_id": "PJSIP/2010-00000032", "member_status": "RING",
                 "call_path": "6402"}
# §4.2 (official), made an inbound call to the queue that nobody answered.
NEW_CDR = {"call_id": CALL_ID, "time_start": "2024-04-15 11:24:57", "call_from": "5503301",
           "call_to": "6402", "call_duration": 24, "talk_duration": 0, "src_trunk_name": " ",
           "dst_trunk_name": " ", "pin_code": " ", "status": "NO ANSWER", "type": "Inbound",
           "recording": "", "did_number": " ", "agent_ring_time": 0}
CALL_STATE = {"extension": "2002", "status": "Ringing"}  # §4.3
PRESENCE = {"extension": "2005", "status": "business_trip"}  # §4.4
# §4.5
REGISTRATION = {"extension": "2010", "kind": "Mobile", "status": "Registered",
                "registered_ip": "223.104.45.163"}
# §4.7
AUTO_PAUSE: dict[str, Any] = {"queue_number": "6402", "agent_number": "2010",
                              "calls": [{"caller_number": "5003300", "call_id": "1713151497.32"},
                                        {"caller_number": "5003301",
                                         "call_id": "1713151475.26"}]}
# §4.8
RING_TIMEOUT = {"queue_number": "6402", "agent_number": "2010", "caller_number": "5503301",
                "call_id": CALL_ID}
# §4.9
AGENT_STATUS = {"queue_number": "queue-6402", "agent_number": "1002", "status": "Paused",
                "reason": "Lunch"}
# §5.3
AGENT_ROWS = [
    {"name": "Leo Ball", "number": "1000", "is_login": 1, "is_pause": 0, "call_status": 2,
     "pause_reason": "", "agent_type": "static", "max_threshold_for_pause_time": 0,
     "max_threshold_for_logout_time": 0},
    {"name": "Phillip Huff", "number": "1001", "is_login": 1, "is_pause": 1, "call_status": 1,
     "pause_reason": "Lunch", "agent_type": "dynamic", "max_threshold_for_pause_time": 0,
     "max_threshold_for_logout_time": 0},
]
# §5.4
WAITING_ROW = {"call_id": CALL_ID, "caller_number": "5503301", "caller_display_name": "",
               "callee_number": "3", "callee_display_name": "Support", "duration": 42}
# §6.1, its members
QUERY_CALLER = {"number": "1005", "channel_id": "PJSIP/1005-0000008a", "member_status": "ALERT",
                "call_path": ""}
QUERY_CALLEE = {"from": "1005", "to": "+212661209845", "trunk_name": "my-trunk",
                "channel_id": "PJSIP/trunk-endpoint-0000008b", "member_status": "RING",
                "call_path": ""}
# §5.1, its member lists apart
QUEUE_ROW = {"id": 3, "number": "6402", "name": "Support", "ring_strategy": "ring_all",
             "manager_list": []}
STATIC_MEMBER = {"text": "Leo Ball", "text2": "1000", "value": "9", "type": "extension"}
DYNAMIC_MEMBER = {"text": "Phillip Huff", "text2": "1001", "value": "10", "type": "extension"}
# §7.1
EXTENSION_ROW = {"id": 9, "number": "1000", "caller_id_name": "Leo Ball", "role_name": "Employee",
                 "presence_status": "available", "custom_presence_status": "",
                 "online_status": {"sip_phone": {"status": 1, "ext_dev_type": "sip"},
                                   "linkus_web": {"status": 0}}}
# fmt: on


def retyped(value: Any) -> st.SearchStrategy[Any]:
    """The same number as an integer or as its text (a call id as a JSON number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return st.sampled_from([value, str(value)])
    if isinstance(value, str) and value.isdigit() and str(int(value)) == value:
        return st.sampled_from([value, int(value)])
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value:
        return st.sampled_from([value, float(value)])
    return st.just(value)


@st.composite
def variant(
    draw: st.DrawFn, example: dict[str, Any], keep: Iterable[str] = (), no_extra: Iterable[str] = ()
) -> dict[str, Any]:
    """The example with fields not in `keep` perhaps removed, numbers perhaps retyped, and
    fields it does not have perhaps added."""
    kept = {
        key: draw(retyped(v)) for key, v in example.items() if key in keep or draw(st.booleans())
    }
    taken = {*example, *no_extra}
    names = st.text(min_size=1, max_size=8).filter(lambda name: name not in taken)
    return {**kept, **draw(st.dictionaries(names, json_values, max_size=2))}


# Members no reader knows: another kind, two kinds at once, no object at all.
unknown_members = st.one_of(
    st.dictionaries(st.sampled_from(["ringgroup", "fax", "Extension"]), json_values, min_size=1),
    st.just({"extension": RINGING_AGENT, "inbound": CALLER}),
    st.none() | st.integers() | st.text(max_size=5) | st.just({}),
)


def member(kind: str, body: dict[str, Any], keep: Iterable[str]) -> st.SearchStrategy[Any]:
    return variant(body, keep, no_extra=MEMBER_KINDS).map(lambda varied: {kind: varied})


@st.composite
def with_unknown(draw: st.DrawFn, members: list[Any]) -> tuple[list[Any], bool]:
    """The members with unknown ones slipped in anywhere; whether any were."""
    added = draw(st.lists(unknown_members, max_size=3))
    mixed = list(members)
    for extra in added:
        mixed.insert(draw(st.integers(0, len(mixed))), extra)
    return mixed, bool(added)


def state() -> LiveState:
    live = LiveState()
    live.set_queues({QUEUE: "Support", "6400": "Sales"})
    live.queues[QUEUE].agents = {number: Agent(number, kind="dynamic") for number in AGENTS}
    live.queues[QUEUE].max_wait_s = 600
    return live


@st.composite
def framed(draw: st.DrawFn, event_type: int, msg: dict[str, Any]) -> PbxEvent:
    """The payload as the PBX frames it: type as a number or text, msg as JSON text or an
    object, `sn` or not."""
    frame = {
        "type": draw(retyped(event_type)),
        "msg": msg if draw(st.booleans()) else json.dumps(msg),
    }
    parsed = parse_frame(
        json.dumps(frame | ({"sn": "3631A2124XXX"} if draw(st.booleans()) else {}))
    )
    assert isinstance(parsed, PbxEvent)
    return parsed


def applied(live: LiveState, event: PbxEvent) -> LiveState:
    apply_event(live, event, NOW_MS)
    return live


@given(st.data(), st.sampled_from(["RING", "ring", "PARKED"]))
def test_a_30011_of_any_shape_still_queues_its_caller(data: st.DataObject, ringing: str) -> None:
    """An agent's leg in a status we do not know is kept (it is on the call) but changes
    nothing of the agent's."""
    caller = data.draw(member("inbound", CALLER, keep={"member_status", "call_path"}))
    agent = data.draw(member("extension", RINGING_AGENT | {"member_status": ringing}, {"number"}))
    agent["extension"].setdefault("member_status", "")  # missing: a status we do not know
    mixed, unknown = data.draw(with_unknown([caller, agent]))
    msg = data.draw(variant({"call_id": CALL_ID, "members": mixed}, keep={"call_id", "members"}))
    live = applied(state(), data.draw(framed(30011, msg)))
    assert [c.call_id for c in live.calls.waiting_in(QUEUE)] == [CALL_ID]
    understood = agent["extension"]["member_status"] in ("RING", "ring")
    assert live.queues[QUEUE].agents["2010"].call_status == ("ringing" if understood else "idle")
    assert live.unusable.counts == ({"30011": 1} if unknown or not understood else {})


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ('{"type":30011,"msg":"{"}', "30011"),
        ('{"type":"30099","msg":7}', "unknown type 30099"),
        ("{oops", "unparseable frame"),
    ],
)
def test_a_frame_we_cannot_read_is_counted_by_its_type_when_it_says_one(
    written: str, kind: str
) -> None:
    frame = parse_frame(written)
    assert isinstance(frame, Malformed)
    live = state()
    note_malformed(live, frame)
    assert live.unusable.counts == {kind: 1}


@given(st.lists(unknown_members, min_size=1, max_size=3), st.booleans())
def test_a_30011_with_no_member_we_can_read_changes_nothing(
    members: list[Any], without_list: bool
) -> None:
    """Not a hang-up: the caller still waits (REST or the next event will tell)."""
    live = applied(state(), PbxEvent(30011, {"call_id": CALL_ID, "members": [{"inbound": CALLER}]}))
    msg: dict[str, Any] = {"call_id": CALL_ID} | ({} if without_list else {"members": members})
    applied(live, PbxEvent(30011, msg))
    assert [c.call_id for c in live.calls.waiting_in(QUEUE)] == [CALL_ID]
    assert live.unusable.counts == {"30011": 1}


@given(st.sampled_from([None, "", " ", [], {}]))
def test_a_30011_without_a_call_id_is_counted(call_id: Any) -> None:
    live = applied(state(), PbxEvent(30011, {"call_id": call_id, "members": [{"inbound": CALLER}]}))
    assert live.calls.waiting_in(QUEUE) == []
    assert live.unusable.counts == {"30011": 1}


@given(st.data())
def test_a_30012_of_any_shape_settles_its_call(data: st.DataObject) -> None:
    live = applied(state(), PbxEvent(30011, {"call_id": CALL_ID, "members": [{"inbound": CALLER}]}))
    msg = data.draw(variant(NEW_CDR, keep={"call_id", "type", "status"}))
    applied(live, data.draw(framed(30012, msg)))
    call = live.calls.get(CALL_ID)
    assert call is not None
    assert call.phase == "closed"
    assert [r.call_id for r in live.outbox if isinstance(r, Settled)] == [CALL_ID]
    assert live.unusable.counts == {}


@given(st.data(), st.sampled_from(["Paused", "paused", "PAUSED", "Pause"]))
def test_a_30029_of_any_shape_pauses_its_agent(data: st.DataObject, status: str) -> None:
    example = AGENT_STATUS | {"status": status}
    msg = data.draw(variant(example, keep={"queue_number", "agent_number", "status"}))
    msg["queue_number"] = data.draw(st.sampled_from(["queue-6402", "Queue-6402", "6402", 6402]))
    live = applied(state(), data.draw(framed(30029, msg)))
    agent = live.queues[QUEUE].agents["1002"]
    assert (agent.paused, agent.pause_reason) == (True, "Lunch" if "reason" in msg else "")
    assert live.unusable.counts == {}


@given(st.text(max_size=12).filter(lambda status: status_meaning(status) is None))
def test_a_30029_status_we_do_not_know_is_counted_and_rechecked(status: str) -> None:
    live = state()
    effect = apply_event(live, PbxEvent(30029, AGENT_STATUS | {"status": status}), NOW_MS)
    assert (effect.recheck, live.unusable.counts) == ({QUEUE}, {"30029": 1})
    assert not live.queues[QUEUE].agents["1002"].paused


@given(st.data(), st.lists(json_values.filter(lambda v: not isinstance(v, dict)), max_size=2))
def test_a_30025_of_any_shape_pauses_its_agent(data: st.DataObject, junk: list[Any]) -> None:
    calls = [data.draw(variant(call, keep={"call_id"})) for call in AUTO_PAUSE["calls"]]
    msg = data.draw(variant(AUTO_PAUSE | {"calls": calls + junk}, keep=set(AUTO_PAUSE)))
    live = applied(state(), data.draw(framed(30025, msg)))
    agent = live.queues[QUEUE].agents["2010"]
    assert (agent.paused, agent.auto_paused) == (True, True)
    assert [call["call_id"] for call in agent.missed_calls] == [CALL_ID, "1713151475.26"]
    assert live.unusable.counts == ({"30025": 1} if junk else {})


@given(st.data())
def test_a_30026_of_any_shape_counts_a_missed_call(data: st.DataObject) -> None:
    msg = data.draw(variant(RING_TIMEOUT, keep={"queue_number", "agent_number"}))
    live = applied(state(), data.draw(framed(30026, msg)))
    assert live.outbox == [RingMissed(QUEUE, "2010")]


@given(st.data(), st.sampled_from(["Ringing", "ringing", "RINGING"]))
def test_a_30008_of_any_shape_sets_the_phone(data: st.DataObject, status: str) -> None:
    msg = data.draw(variant(CALL_STATE | {"status": status}, keep={"extension", "status"}))
    live = applied(state(), data.draw(framed(30008, msg)))
    assert live.extensions["2002"].call_state == "Ringing"


@given(st.data(), st.sampled_from(["business_trip", "Business Trip", "BUSINESS-TRIP"]))
def test_a_30009_of_any_shape_sets_the_presence(data: st.DataObject, status: str) -> None:
    msg = data.draw(variant(PRESENCE | {"status": status}, keep={"extension", "status"}))
    live = applied(state(), data.draw(framed(30009, msg)))
    assert live.extensions["2005"].presence == "business_trip"


@given(st.data(), st.sampled_from(["Registered", "registered", "REGISTERED"]))
def test_a_30007_of_any_shape_registers_the_device(data: st.DataObject, status: str) -> None:
    msg = data.draw(variant(REGISTRATION | {"status": status}, keep={"extension", "status"}))
    live = applied(state(), data.draw(framed(30007, msg)))
    assert live.extensions["2010"].registered_kinds == {"Mobile" if "kind" in msg else "Sip"}


UNTOUCHED = ("Idle", "available", False)  # a new extension's call state, presence, registration


@given(st.sampled_from([30007, 30008, 30009]), st.sampled_from(["", "Hold", "None", "dnd"]))
def test_an_extension_status_we_do_not_know_changes_nothing_and_is_counted(
    event_type: int, status: str
) -> None:
    live = applied(state(), PbxEvent(event_type, {"extension": "2010", "status": status}))
    extension = live.extensions["2010"]
    assert (extension.call_state, extension.presence, extension.registered) == UNTOUCHED
    assert live.unusable.counts == {str(event_type): 1}


@given(st.integers(30000, 30100).filter(lambda event_type: event_type not in HANDLERS))
def test_an_event_type_we_do_not_follow_is_counted_by_its_type(event_type: int) -> None:
    live = applied(state(), PbxEvent(event_type, {"extension": "2010"}))
    assert live.unusable.counts == {f"unknown type {event_type}": 1}


# Rows that name nothing a reader looks for: any JSON but an object with a key it reads.
NAMING_KEYS = {"number", "call_id", "id", "text2", "value"}
junk_rows = st.lists(
    json_values.filter(lambda v: not isinstance(v, dict) or not NAMING_KEYS & set(v)), max_size=3
)


@given(st.data(), junk_rows)
def test_queue_agent_status_rows_of_any_shape(data: st.DataObject, junk: list[Any]) -> None:
    rows = [data.draw(variant(row, keep={"number", "is_login", "is_pause"})) for row in AGENT_ROWS]
    agents = state().queues[QUEUE].agents
    load_agent_status(agents, [*rows, *junk], NOW_MS)
    read = {number: (agent.logged_in, agent.paused) for number, agent in agents.items()}
    assert read == {"1000": (True, False), "1001": (True, True)}
    assert agents["1000"].call_status == ("talking" if "call_status" in rows[0] else "unknown")
    assert agents["1001"].pause_reason == ("Lunch" if "pause_reason" in rows[1] else "")


@given(st.data(), junk_rows)
def test_queue_call_status_rows_of_any_shape(data: st.DataObject, junk: list[Any]) -> None:
    row = data.draw(variant(WAITING_ROW, keep={"call_id"}))
    live = state()
    load_waiting(live, live.queues[QUEUE], [row, *junk], NOW_MS)
    (call,) = live.calls.waiting_in(QUEUE)
    assert call.call_id == CALL_ID
    assert call.since_ms == NOW_MS - (42_000 if "duration" in row else 0)
    active = parse_active([row, *junk])
    assert list(active) == [CALL_ID]


@given(
    st.tuples(
        member("extension", QUERY_CALLER, keep={"number"}),
        member("outbound", QUERY_CALLEE, keep=()),
    ).flatmap(lambda members: with_unknown(list(members))),
    st.data(),
)
def test_call_query_rows_of_any_shape(members: tuple[list[Any], bool], data: st.DataObject) -> None:
    row = data.draw(
        variant({"call_id": "1650012665.266", "members": members[0]}, keep={"call_id", "members"})
    )
    live = state()
    live.extension("1005")
    reconcile_calls(live, [row], NOW_MS)
    assert live.extensions["1005"].call_state == "Busy"


@given(st.data(), junk_rows)
def test_queue_and_extension_lists_of_any_shape(data: st.DataObject, junk: list[Any]) -> None:
    members = [
        data.draw(variant(m, keep={"text2", "value"})) for m in (STATIC_MEMBER, DYNAMIC_MEMBER)
    ]
    other = {"text": "Sales line", "text2": "6300", "value": "4", "type": "ring_group"}
    lists = {"static_agent_list": [members[0], other, *junk], "dynamic_agent_list": [members[1]]}
    queue = data.draw(variant(QUEUE_ROW, keep={"id", "number"})) | lists
    extension = data.draw(variant(EXTENSION_ROW, keep={"id", "number"}))
    directory = directory_data([queue, *junk], [extension, *junk])
    assert directory["queues"][QUEUE]["id"] == 3
    assert directory["queues"][QUEUE]["agents"] == {
        "1000": {"kind": "static"},
        "1001": {"kind": "dynamic"},
    }
    assert directory["extensions"]["1000"]["id"] == 9
    live = state()
    apply_extensions(live, [extension, *junk])
    registered = {"Sip"} if "online_status" in extension else set()
    assert live.extensions["1000"].registered_kinds == registered
