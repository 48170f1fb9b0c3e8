"""Parsing the PBX's frames: every documented shape, and junk that must never crash us."""

import json

import pytest

from dashboard.live.events import (
    MEMBER_UNREAD,
    NO_MEMBERS,
    STATUS_UNKNOWN,
    CallMember,
    HeartbeatReply,
    Malformed,
    PbxEvent,
    SubscribeReply,
    parse_call_event,
    parse_frame,
)


def test_it_recognises_the_heartbeat_reply() -> None:
    assert parse_frame("heartbeat response") == HeartbeatReply()


@pytest.mark.parametrize("errcode", ["0", '"0"'])
def test_it_reads_the_subscribe_reply(errcode: str) -> None:
    reply = f'{{"errcode":{errcode},"errmsg":"SUCCESS"}}'
    assert parse_frame(reply) == SubscribeReply(0, "SUCCESS")


@pytest.mark.parametrize("event_type", ["30011", '"30011"', '" 30011 "', "30011.0"])
def test_it_reads_the_type_as_an_integer_or_its_text(event_type: str) -> None:
    frame = f'{{"type":{event_type},"sn":"3631A2124XXX","msg":{{"call_id":"1.2"}},"extra":[1]}}'
    assert parse_frame(frame) == PbxEvent(30011, {"call_id": "1.2"})


def test_it_decodes_msg_sent_as_a_json_string() -> None:
    frame = {"type": 30008, "sn": "3631A2124XXX", "msg": '{"extension":"2002","status":"Ringing"}'}
    assert parse_frame(json.dumps(frame)) == PbxEvent(
        30008, {"extension": "2002", "status": "Ringing"}
    )


def test_it_accepts_msg_sent_as_an_object() -> None:
    frame = {"type": 30029, "msg": {"queue_number": "6402", "agent_number": "1002"}}
    assert parse_frame(json.dumps(frame)) == PbxEvent(
        30029, {"queue_number": "6402", "agent_number": "1002"}
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "heartbeat",
        "[1,2]",
        "{not json",
        '{"type":"3001x","msg":{}}',
        '{"type":30011,"msg":"{"}',
        '{"type":30011,"msg":[1]}',
        '{"type":true,"msg":{}}',
        '{"type":null,"msg":{}}',
    ],
)
def test_it_turns_junk_into_malformed(text: str) -> None:
    assert isinstance(parse_frame(text), Malformed)


def test_a_malformed_event_keeps_its_type_for_the_count() -> None:
    assert parse_frame('{"type":"30029","msg":"{"}') == Malformed(
        "msg is not JSON", '{"type":"30029","msg":"{"}', 30029
    )
    assert parse_frame("{not json") == Malformed("not JSON", "{not json", None)


def test_it_reads_call_members_of_every_kind() -> None:
    msg = {
        "call_id": "1713151497.32",
        "members": [
            {
                "inbound": {
                    "from": "5503301",
                    "to": "02012345",
                    "trunk_name": "SIP-Trunk",
                    "channel_id": "PJSIP/trunk-SIP-Trunk-00000031",
                    "member_status": "ALERT",
                    "call_path": "6402",
                }
            },
            {
                "extension": {
                    "number": "2010",
                    "channel_id": "PJSIP/2010-00000032",
                    "member_status": "RING",
                    "call_path": "6402",
                }
            },
            {
                "outbound": {
                    "from": "2010",
                    "to": "+212661209845",
                    "channel_id": "x",
                    "member_status": "EARLYMEDIA",
                    "call_path": "",
                }
            },
        ],
    }
    call = parse_call_event(msg)
    assert call is not None
    assert call.members == (
        CallMember(
            "inbound", "5503301", "PJSIP/trunk-SIP-Trunk-00000031", "ALERT", "6402", "02012345"
        ),
        CallMember("extension", "2010", "PJSIP/2010-00000032", "RING", "6402"),
        CallMember("outbound", "+212661209845", "x", "EARLYMEDIA", ""),
    )


def test_it_skips_members_it_cannot_read_and_calls_without_an_id() -> None:
    call = parse_call_event({"call_id": "1.2", "members": [{"a": 1, "b": 2}, "x", {"fax": {}}]})
    assert call is not None
    assert call.members == ()
    assert call.unread == (MEMBER_UNREAD,)
    assert parse_call_event({"members": []}) is None
    assert parse_call_event({"call_id": None, "members": []}) is None


def test_it_keeps_the_members_it_can_read_beside_those_it_cannot() -> None:
    caller = {"from": 5503301, "member_status": "alert", "call_path": 6402, "x": {"y": 1}}
    members = [
        {"ringgroup": {"number": "6300", "member_status": "RING"}},
        {"inbound": caller, "note": "extra fields beside the kind are ignored"},
        {"extension": {"channel_id": "PJSIP/2010-1", "member_status": "RING"}},  # no number
        {"extension": {"number": 2010, "member_status": "PARKED"}},
        {"extension": {"number": "2011"}, "inbound": caller},  # two kinds: which is it?
    ]
    call = parse_call_event({"call_id": 1713151497.32, "members": members})
    assert call is not None
    assert call.call_id == "1713151497.32"
    assert call.members == (
        CallMember("inbound", "5503301", "", "ALERT", "6402"),
        CallMember("extension", "2010", "", "PARKED", ""),
    )
    assert call.unread == (MEMBER_UNREAD, STATUS_UNKNOWN)
    assert call.caller == call.members[0]


def test_a_call_without_a_members_list_says_so() -> None:
    call = parse_call_event({"call_id": "1.2"})
    assert call is not None
    assert (call.members, call.unread) == ((), (NO_MEMBERS,))
    empty = parse_call_event({"call_id": "1.2", "members": []})
    assert empty is not None
    assert empty.unread == ()
