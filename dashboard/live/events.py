"""Parse the PBX's WebSocket frames into typed events; a malformed frame becomes `Malformed`."""

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

HEARTBEAT_REPLY = "heartbeat response"
CALL_STATE_CHANGED = 30011
AGENT_STATUS_CHANGED = 30029

# `call_path` names the features a call passed ("6500-6400": IVR 6500, then queue 6400).
_PATH_SEPARATORS = re.compile(r"[^0-9*#]+")

MemberKind = Literal["extension", "inbound", "outbound"]
MEMBER_KINDS: tuple[MemberKind, ...] = ("extension", "inbound", "outbound")


@dataclass(frozen=True)
class HeartbeatReply:
    """The PBX's plain-text answer to our `heartbeat`."""


@dataclass(frozen=True)
class SubscribeReply:
    """The errcode envelope the PBX answers a `topic_list` with."""

    errcode: int
    errmsg: str


@dataclass(frozen=True)
class PbxEvent:
    """A pushed event; `msg` is already decoded (the PBX sends it as a string or an object)."""

    type: int
    msg: dict[str, Any]


@dataclass(frozen=True)
class Malformed:
    """Anything we could not understand; logged and ignored, never fatal."""

    reason: str
    text: str


Frame = HeartbeatReply | SubscribeReply | PbxEvent | Malformed


@dataclass(frozen=True)
class CallMember:
    """One leg of a call. `number` is the extension number, or the external party for trunks."""

    kind: MemberKind
    number: str
    channel_id: str
    status: str
    call_path: str
    to: str = ""  # an inbound trunk leg's: the number the caller dialled (the DID)


@dataclass(frozen=True)
class CallEvent:
    """30011 Call State Changed."""

    call_id: str
    members: tuple[CallMember, ...]

    @property
    def caller(self) -> CallMember | None:
        """The caller: an inbound trunk leg, or else the first member (the PBX lists the caller
        first; an internal caller may show ALERT, or ANSWERED once the queue plays music)."""
        inbound = next((m for m in self.members if m.kind == "inbound"), None)
        return inbound or (self.members[0] if self.members else None)


def path_features(call_path: str) -> list[str]:
    """The numbers of the features on a `call_path`, in the order the call passed them."""
    return [token for token in _PATH_SEPARATORS.split(call_path) if token]


def parse_frame(text: str) -> Frame:
    """Classify one text frame from the PBX event socket."""
    if text.strip() == HEARTBEAT_REPLY:
        return HeartbeatReply()
    try:
        data = json.loads(text)
    except ValueError:
        return Malformed("not JSON", text[:200])
    if not isinstance(data, dict):
        return Malformed("not a JSON object", text[:200])
    if "type" not in data and isinstance(data.get("errcode"), int):
        return SubscribeReply(data["errcode"], str(data.get("errmsg", "")))
    return _parse_event(data, text)


def _parse_event(data: dict[str, Any], text: str) -> Frame:
    event_type = data.get("type")
    if not isinstance(event_type, int) or isinstance(event_type, bool):
        return Malformed("event without an integer type", text[:200])
    msg = data.get("msg")
    if isinstance(msg, str):
        # Most event types carry msg as a JSON-encoded string; newer ones may send an object.
        try:
            msg = json.loads(msg)
        except ValueError:
            return Malformed("msg is not JSON", text[:200])
    if not isinstance(msg, dict):
        return Malformed("msg is not an object", text[:200])
    return PbxEvent(event_type, msg)


def parse_call_event(msg: dict[str, Any]) -> CallEvent | None:
    """Read a 30011 payload; None when it has no call id."""
    call_id = msg.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        return None
    members = msg.get("members")
    parsed = [_parse_member(item) for item in members] if isinstance(members, list) else []
    return CallEvent(call_id, tuple(member for member in parsed if member is not None))


def _parse_member(item: object) -> CallMember | None:
    """Each member object has exactly one key naming its kind."""
    if not isinstance(item, dict) or len(item) != 1:
        return None
    kind, body = next(iter(item.items()))
    if kind not in MEMBER_KINDS or not isinstance(body, dict):
        return None
    number_field = {"extension": "number", "inbound": "from", "outbound": "to"}[kind]
    return CallMember(
        kind=kind,
        number=_text(body.get(number_field)),
        channel_id=_text(body.get("channel_id")),
        status=_text(body.get("member_status")).upper(),
        call_path=_text(body.get("call_path")),
        to=_text(body.get("to")) if kind == "inbound" else "",
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
