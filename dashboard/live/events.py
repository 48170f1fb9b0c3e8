"""Parse the PBX's WebSocket frames into typed events; a malformed frame becomes `Malformed`."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dashboard.live.fields import integer, text

HEARTBEAT_REPLY = "heartbeat response"
CALL_STATE_CHANGED = 30011
AGENT_STATUS_CHANGED = 30029

# `call_path` names the features a call passed ("6500-6400": IVR 6500, then queue 6400).
_PATH_SEPARATORS = re.compile(r"[^0-9*#]+")

MemberKind = Literal["extension", "inbound", "outbound"]
MEMBER_KINDS: tuple[MemberKind, ...] = ("extension", "inbound", "outbound")
# The field naming a member's party: an extension's number, an inbound caller, an outbound callee.
NUMBER_FIELDS: dict[MemberKind, str] = {"extension": "number", "inbound": "from", "outbound": "to"}
# §4.1's member_status values; another is kept (the leg is there) but not understood.
MEMBER_STATUSES = frozenset({"ALERT", "RING", "EARLYMEDIA", "ANSWERED", "ANSWER", "HOLD", "BYE"})
NO_MEMBERS = "no members list"
MEMBER_UNREAD = "a member of an unknown kind, or an extension without a number"
STATUS_UNKNOWN = "a member status we do not know"


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
    """Anything we could not understand; counted, logged once and ignored, never fatal."""

    reason: str
    text: str
    event_type: int | None = None  # when the frame says it


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
    # What of the payload could not be read (members skipped, statuses not understood).
    unread: tuple[str, ...] = ()

    @property
    def caller(self) -> CallMember | None:
        """The caller: an inbound trunk leg, or else the first member (the PBX lists the caller
        first; an internal caller may show ALERT, or ANSWERED once the queue plays music)."""
        inbound = next((m for m in self.members if m.kind == "inbound"), None)
        return inbound or (self.members[0] if self.members else None)


def path_features(call_path: str) -> list[str]:
    """The numbers of the features on a `call_path`, in the order the call passed them."""
    return [token for token in _PATH_SEPARATORS.split(call_path) if token]


def parse_frame(written: str) -> Frame:
    """Classify one text frame from the PBX event socket."""
    if written.strip() == HEARTBEAT_REPLY:
        return HeartbeatReply()
    try:
        data = json.loads(written)
    except ValueError:
        return Malformed("not JSON", written[:200])
    if not isinstance(data, dict):
        return Malformed("not a JSON object", written[:200])
    errcode = integer(data.get("errcode"))
    if "type" not in data and errcode is not None:
        return SubscribeReply(errcode, text(data.get("errmsg")))
    return _parse_event(data, written)


def _parse_event(data: dict[str, Any], written: str) -> Frame:
    """`type` an integer or its text; `msg` an object or a JSON string of one."""
    event_type = integer(data.get("type"))
    if event_type is None:
        return Malformed("event without an integer type", written[:200])
    msg = data.get("msg")
    if isinstance(msg, str):
        # Most event types carry msg as a JSON-encoded string; newer ones may send an object.
        try:
            msg = json.loads(msg)
        except ValueError:
            return Malformed("msg is not JSON", written[:200], event_type)
    if not isinstance(msg, dict):
        return Malformed("msg is not an object", written[:200], event_type)
    return PbxEvent(event_type, msg)


def parse_call_event(msg: Mapping[str, Any]) -> CallEvent | None:
    """Read a 30011 payload (or a call/query row); None when it has no call id. Members we
    cannot read are skipped, the others kept; `unread` says what was skipped."""
    call_id = text(msg.get("call_id"))
    if not call_id:
        return None
    items = msg.get("members")
    if not isinstance(items, list):
        return CallEvent(call_id, (), (NO_MEMBERS,))
    members = tuple(m for m in (_parse_member(item) for item in items) if m is not None)
    unread: tuple[str, ...] = (MEMBER_UNREAD,) if len(members) < len(items) else ()
    if any(m.status not in MEMBER_STATUSES for m in members):
        unread += (STATUS_UNKNOWN,)
    return CallEvent(call_id, members, unread)


def _parse_member(item: object) -> CallMember | None:
    """Each member object has one key naming its kind (others beside it are ignored)."""
    if not isinstance(item, dict):
        return None
    kinds = [kind for kind in MEMBER_KINDS if kind in item]
    body = item.get(kinds[0]) if len(kinds) == 1 else None
    if not isinstance(body, dict):
        return None
    kind = kinds[0]
    number = text(body.get(NUMBER_FIELDS[kind]))
    if kind == "extension" and not number:
        return None  # a phone we cannot name: no leg of anyone's
    return CallMember(
        kind=kind,
        number=number,
        channel_id=text(body.get("channel_id")),
        status=text(body.get("member_status")).upper(),
        call_path=text(body.get("call_path")),
        to=text(body.get("to")) if kind == "inbound" else "",
    )
