"""Renders model events as the PBX's WebSocket frames; the one place for GUESSed payload shapes."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from pbxsim.config import SimConfig
from pbxsim.records import (
    AgentStatus,
    AutoPause,
    Call,
    CallUpdate,
    Cdr,
    Event,
    ExtensionState,
    Leg,
    Listener,
    NewCdr,
    Phase,
    PlainCall,
    PlainUpdate,
    RingTimeout,
    SystemEvent,
    TransferReport,
)
from pbxsim.wire import JsonObj

EXTENSION_REGISTRATION = 30007
CALL_STATE_CHANGED = 30011
NEW_CDR = 30012
CALL_TRANSFER = 30013
AGENT_AUTO_PAUSE = 30025
AGENT_RING_TIMEOUT = 30026
AGENT_STATUS_CHANGED = 30029

# Event IDs the reference knows; a subscription keeps only these (unknown IDs are ignored).
KNOWN_TOPICS = frozenset(
    {30007, 30008, 30009, 30011, 30012, 30013, 30014, 30015, 30016, 30020, 30025, 30026, 30029}
    | {30034, 30035, 30036, 30039}
)

# §4.11: a system event's level names its topic; its type is one of five.
SYSTEM_EVENT_TOPICS = {"info": 30034, "warn": 30035, "error": 30036}
SYSTEM_EVENT_TYPES = ("operation", "telephony", "system", "security", "reminder")
# GUESS: `create_time` as the guide's example writes it, in the PBX's local time.
SYSTEM_EVENT_TIME = "%Y/%m/%d %H:%M:%S"

# GUESS: only "Paused" is documented; each style is one plausible set of the others.
AGENT_STATUS_TEXT = {
    "words": {
        "pause": "Paused",
        "unpause": "Unpaused",
        "login": "Logged In",
        "logout": "Logged Out",
    },
    "compact": {
        "pause": "Paused",
        "unpause": "Unpaused",
        "login": "LoggedIn",
        "logout": "LoggedOut",
    },
    "lower": {"pause": "paused", "unpause": "unpaused", "login": "login", "logout": "logout"},
}

# The external caller hears ringback until an agent answers, whatever rings meanwhile.
_INBOUND_STATUS = {
    Phase.WAITING: "ALERT",
    Phase.RINGING: "ALERT",
    Phase.TALKING: "ANSWERED",
    Phase.ENDED: "BYE",
}
_EXTENSION_STATUS = {Phase.RINGING: "RING", Phase.TALKING: "ANSWER", Phase.ENDED: "BYE"}


def call_path(call: Call, config: SimConfig) -> str:
    """GUESS switch `call_path`: the queue number, or how an IVR in front of it shows; a call
    sent on from another queue goes on from that queue's path (`onward_path`)."""
    if call.in_ivr:
        return config.ivr_number
    if call.came_from is not None:
        return onward_path(call_path(call.came_from, config), call.queue.number, config)
    if config.call_path == "ivr_dash_queue" and not call.internal:
        return f"{config.ivr_number}-{call.queue.number}"
    return call.queue.number


def onward_path(before: str, here: str, config: SimConfig) -> str:
    """GUESS switch `onward_path`: a call sent on from a queue to another feature (an IVR, a
    voicemail box, a queue) shows the whole way, or only where it is now."""
    return f"{before}-{here}" if config.onward_path == "dash" else here


def _plain_path(call: PlainCall, config: SimConfig) -> str:
    """A call of no queue has no `call_path`, unless it left a queue: then the queue's path,
    gone on to the feature it is in now (a phone it rings adds nothing: §4.1 names features)."""
    if call.origin is None:
        return ""
    path = call_path(call.origin, config)
    if call.feature is None:
        return path
    return onward_path(path, call.feature or config.ivr_number, config)


def _inbound_status(call: Call, config: SimConfig) -> str:
    if call.held:
        return "HOLD"
    # GUESS switch `waiting_shape`: "answered" = the queue answered the trunk and plays music.
    if config.waiting_shape == "answered" and call.phase is not Phase.ENDED:
        return "ANSWERED"
    return _INBOUND_STATUS[call.phase]


def _extension(number: str, channel: str, status: str, path: str) -> JsonObj:
    leg = {"number": number, "channel_id": channel, "member_status": status, "call_path": path}
    return {"extension": leg}


def _listeners(listeners: list[Listener], path: str, config: SimConfig) -> list[JsonObj]:
    if not config.listener_member:
        return []
    return [_extension(x.number, x.channel, "ANSWER", path) for x in listeners if x.answered]


def call_members(call: Call, trunk_name: str, config: SimConfig) -> list[JsonObj]:
    """The 30011 (and call/query) `members` array of a queue call in its current phase."""
    path = call_path(call, config)
    members = [_caller(call, trunk_name, path, config)]
    if call.agent is not None and call.agent_channel is not None:
        status = "HOLD" if call.held else _EXTENSION_STATUS[call.phase]
        members.append(_extension(call.agent, call.agent_channel, status, path))
        # ring_all: every other phone ringing for the same caller is a member of its own.
        members += [_extension(n, c, "RING", path) for n, c in call.others.items()]
    elif config.waiting_shape == "queue_member" and call.phase is Phase.WAITING and not call.in_ivr:
        members.append(_extension(call.queue.number, "", "RING", path))
    # The agent who just transferred the caller here hangs up.
    members += [_extension(n, c, "BYE", path) for n, c in call.parting]
    return members + _listeners(call.listeners, path, config)


def _caller(call: Call, trunk_name: str, path: str, config: SimConfig) -> JsonObj:
    """The caller's member: an `inbound` trunk leg, or the extension that dialled the queue."""
    status = _inbound_status(call, config)
    if call.internal:
        return _extension(call.caller, call.caller_channel, status, path)
    inbound = {
        "from": call.caller,
        "to": call.queue.did,
        "trunk_name": trunk_name,
        "channel_id": call.caller_channel,
        "member_status": status,
        "call_path": path,
    }
    return {"inbound": inbound}


def plain_members(call: PlainCall, trunk_name: str, config: SimConfig) -> list[JsonObj]:
    """The `members` array of a call in no queue."""
    path = _plain_path(call, config)
    members = [_plain_leg(call, leg, trunk_name, path) for leg in call.legs]
    return members + _listeners(call.listeners, path, config)


def _plain_leg(call: PlainCall, leg: Leg, trunk_name: str, path: str) -> JsonObj:
    """An extension, an outside number dialled on the trunk, or the trunk caller of a call
    that left its queue."""
    if leg.kind == "extension":
        return _extension(leg.number, leg.channel, leg.status, path)
    trunk = {"trunk_name": trunk_name, "channel_id": leg.channel, "member_status": leg.status}
    if leg.kind == "inbound":
        did = call.origin.queue.did if call.origin else ""
        return {"inbound": {"from": leg.number, "to": did, **trunk, "call_path": path}}
    return {"outbound": {"from": call.legs[0].number, "to": leg.number, **trunk, "call_path": path}}


def call_state(call: Call | PlainCall, trunk_name: str, config: SimConfig) -> JsonObj:
    """`{call_id, members}` of either kind of call: a 30011 or 30013 `msg`, a call/query entry."""
    if isinstance(call, Call):
        members = call_members(call, trunk_name, config)
    else:
        members = plain_members(call, trunk_name, config)
    return {"call_id": call.call_id, "members": members}


def cdr_fields(cdr: Cdr, zone: ZoneInfo) -> JsonObj:
    """A CDR as 30012 and cdr/list show it; `time_start` in the PBX's local time."""
    start = datetime.fromtimestamp(cdr.time_start, zone).strftime("%Y-%m-%d %H:%M:%S")
    return {
        "call_id": cdr.call_id,
        "time_start": start,
        "call_from": cdr.call_from,
        "call_to": cdr.call_to,
        "call_duration": cdr.call_duration,
        "talk_duration": cdr.talk_duration,
        "src_trunk_name": cdr.src_trunk_name,
        "dst_trunk_name": cdr.dst_trunk_name,
        "pin_code": "",
        "status": cdr.status,
        "type": cdr.type,
        "recording": "",
        "did_number": cdr.did_number,
        "agent_ring_time": cdr.agent_ring_time,
    }


def _system_event(event: SystemEvent, zone: ZoneInfo) -> JsonObj:
    """30034/30035/30036's System_Event_Info."""
    return {
        "event_name": event.name,
        "event_type": event.type,
        "event_level": event.level,
        "event_content": event.content,
        "create_time": datetime.fromtimestamp(event.at, zone).strftime(SYSTEM_EVENT_TIME),
    }


def _extension_state(event: ExtensionState) -> JsonObj:
    """30007, 30008 and 30009 of one extension."""
    msg = {"extension": event.extension, "status": event.status}
    if event.topic == EXTENSION_REGISTRATION:
        # The simulated desk phones sit on one LAN; the address is illustrative.
        msg = {**msg, "kind": "Sip", "registered_ip": "192.168.1.100"}
    return msg


class Renderer:
    """Turns model events into frame texts under one configuration."""

    def __init__(self, config: SimConfig, trunk_name: str) -> None:
        self._config = config
        self._trunk = trunk_name
        self._zone = ZoneInfo(config.time_zone)

    def _queue(self, number: str) -> str:
        # GUESS switch: the reference's 30029 example says "queue-6402", 30025/30026 say "6402".
        return f"queue-{number}" if self._config.queue_number_prefix else number

    def payload(self, event: Event) -> tuple[int, JsonObj]:
        """The topic and `msg` object of one event."""
        match event:
            case CallUpdate(call=call) | PlainUpdate(call=call):
                return CALL_STATE_CHANGED, call_state(call, self._trunk, self._config)
            case AgentStatus():
                return AGENT_STATUS_CHANGED, self._agent_status(event)
            case RingTimeout():
                fields = ("queue_number", "agent_number", "caller_number", "call_id")
                return AGENT_RING_TIMEOUT, {f: getattr(event, f) for f in fields}
            case AutoPause():
                calls = [{"caller_number": c, "call_id": i} for c, i in event.calls]
                msg = {"queue_number": event.queue_number, "agent_number": event.agent_number}
                return AGENT_AUTO_PAUSE, {**msg, "calls": calls}
            case ExtensionState():
                return event.topic, _extension_state(event)
            case NewCdr(cdr=cdr):
                return NEW_CDR, cdr_fields(cdr, self._zone)
            case TransferReport(before=before, after=after):
                # 30013 has 30011's shape (§4.10); GUESS switch `transfer_report`: whose members.
                reported = after if self._config.transfer_report == "after" else before
                return CALL_TRANSFER, call_state(reported, self._trunk, self._config)
            case SystemEvent():
                return SYSTEM_EVENT_TOPICS[event.level], _system_event(event, self._zone)

    def _agent_status(self, event: AgentStatus) -> JsonObj:
        return {
            "queue_number": self._queue(event.queue_number),
            "agent_number": event.agent_number,
            "status": AGENT_STATUS_TEXT[self._config.agent_status_style][event.status],
            "reason": event.reason,
        }

    def frame(self, event: Event) -> tuple[int, str]:
        """The event's topic and frame text."""
        topic, msg = self.payload(event)
        return topic, encode_frame(topic, self._config.sn, msg, self._config.object_msg_types)


def event_key(event: Event) -> str:
    """What an event is about: the call ID of a call event (30011, 30012, 30026), the
    agent's or extension's number (30007, 30008, 30009, 30025, 30029), a system event's name."""
    match event:
        case CallUpdate(call=call) | PlainUpdate(call=call) | TransferReport(before=call):
            return call.call_id
        case NewCdr(cdr=cdr):
            return cdr.call_id
        case RingTimeout():
            return event.call_id
        case AgentStatus() | AutoPause():
            return event.agent_number
        case ExtensionState():
            return event.extension
        case SystemEvent():
            return event.name


def encode_frame(topic: int, sn: str, msg: JsonObj, object_msg_types: frozenset[int]) -> str:
    """`{"type","sn","msg"}` with `msg` a JSON string unless its type is switched to object."""
    body = msg if topic in object_msg_types else json.dumps(msg, separators=(",", ":"))
    return json.dumps({"type": topic, "sn": sn, "msg": body}, separators=(",", ":"))
