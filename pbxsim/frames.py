"""Renders model events as the PBX's WebSocket frames; the one place for GUESSed payload shapes."""

import json
from collections.abc import Iterator

from pbxsim.model import AgentStatus, Call, CallUpdate, Event, Phase
from pbxsim.wire import JsonObj

CALL_STATE_CHANGED = 30011
AGENT_STATUS_CHANGED = 30029

# Event IDs the reference knows; a subscription keeps only these (unknown IDs are ignored).
KNOWN_TOPICS = frozenset(
    {30007, 30008, 30009, 30011, 30012, 30015, 30016, 30020, 30025, 30026, 30029}
    | {30034, 30035, 30036, 30039}
)

# GUESS: a queued caller is one `inbound` member hearing ringback (ALERT) with the queue as
# call_path, and stays ALERT while an agent rings. The agent leg only exists once rung.
_INBOUND_STATUS = {
    Phase.WAITING: "ALERT",
    Phase.RINGING: "ALERT",
    Phase.TALKING: "ANSWERED",
    Phase.ENDED: "BYE",
}
_EXTENSION_STATUS = {Phase.RINGING: "RING", Phase.TALKING: "ANSWER", Phase.ENDED: "BYE"}


def call_members(call: Call, trunk_name: str) -> list[JsonObj]:
    """The 30011 `members` array for a queue call in its current phase."""
    path = call.queue.number
    members: list[JsonObj] = [
        {
            "inbound": {
                "from": call.caller,
                "to": call.queue.did,
                "trunk_name": trunk_name,
                "channel_id": call.trunk_channel,
                "member_status": _INBOUND_STATUS[call.phase],
                "call_path": path,
            }
        }
    ]
    if call.agent is not None:
        extension = {
            "number": call.agent,
            "channel_id": call.agent_channel,
            "member_status": _EXTENSION_STATUS[call.phase],
            "call_path": path,
        }
        members.append({"extension": extension})
    return members


def _payload(event: Event, trunk_name: str) -> tuple[int, JsonObj]:
    match event:
        case CallUpdate(call=call):
            msg = {"call_id": call.call_id, "members": call_members(call, trunk_name)}
            return CALL_STATE_CHANGED, msg
        case AgentStatus():
            # GUESS: plain queue number, not the "queue-6402" of the reference's example.
            msg = {
                "queue_number": event.queue_number,
                "agent_number": event.agent_number,
                "status": event.status,
                "reason": event.reason,
            }
            return AGENT_STATUS_CHANGED, msg


def encode_frame(topic: int, sn: str, msg: JsonObj, object_msg_types: frozenset[int]) -> str:
    """`{"type","sn","msg"}` with `msg` a JSON string unless its type is switched to object."""
    body = msg if topic in object_msg_types else json.dumps(msg, separators=(",", ":"))
    return json.dumps({"type": topic, "sn": sn, "msg": body}, separators=(",", ":"))


def render(
    events: list[Event], trunk_name: str, sn: str, object_msg_types: frozenset[int]
) -> Iterator[tuple[int, str]]:
    """Each event as `(topic, frame text)`, in order."""
    for event in events:
        topic, msg = _payload(event, trunk_name)
        yield topic, encode_frame(topic, sn, msg, object_msg_types)
