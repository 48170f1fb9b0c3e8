"""Parsing the PBX's frames: every documented shape, and junk that must never crash us."""

import json

import pytest

from dashboard.live.events import (
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


def test_it_reads_the_subscribe_reply() -> None:
    assert parse_frame('{"errcode":0,"errmsg":"SUCCESS"}') == SubscribeReply(0, "SUCCESS")


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
        '{"type":"30011","msg":{}}',
        '{"type":30011,"msg":"{"}',
        '{"type":30011,"msg":[1]}',
        '{"type":true,"msg":{}}',
    ],
)
def test_it_turns_junk_into_malformed(text: str) -> None:
    assert isinstance(parse_frame(text), Malformed)


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
    assert parse_call_event({"members": []}) is None
