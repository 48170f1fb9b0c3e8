"""Agents in queues and extensions: 30029, 30025, 30026, 30007, 30008, 30009 and REST answers."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from dashboard.live.fields import integer, rows, text

CallStatus = Literal["idle", "ringing", "talking", "hold", "unknown"]

# 30029 documents only "Paused"; the other spellings are guesses, normalised (case, spaces,
# underscores and hyphens dropped) so that every likely form lands in the same place.
_STATUS_MEANINGS = {
    "paused": ("paused", True),
    "pause": ("paused", True),
    "unpaused": ("paused", False),
    "unpause": ("paused", False),
    "resumed": ("paused", False),
    "loggedin": ("logged_in", True),
    "login": ("logged_in", True),
    "loggedout": ("logged_in", False),
    "logout": ("logged_in", False),
}
# queue/agent_status call_status codes (§5.3); 5 is "on hold" (only when the caller holds).
CALL_STATUS_CODES: dict[int, CallStatus] = {
    0: "unknown",
    1: "idle",
    2: "talking",
    3: "ringing",
    4: "talking",
    5: "hold",
}
ON_A_CALL: frozenset[CallStatus] = frozenset({"talking", "hold"})
# An extension's leg of any call (30011 member_status) → what its phone does. A leg it placed
# itself (ALERT while the other side rings, then ANSWERED) keeps it busy, as queue/agent_status
# counts it.
LEG_STATUS: dict[str, CallStatus] = {
    "RING": "ringing",
    "ALERT": "talking",
    "ANSWER": "talking",
    "ANSWERED": "talking",
    "HOLD": "hold",
    "BYE": "idle",
}
# A phone in several calls reports the busiest of them.
BUSIEST_FIRST: tuple[CallStatus, ...] = ("talking", "hold", "ringing")
AGENT_KINDS = ("static", "dynamic")
# 30008's call states (§4.3) and 30009's presences (§4.4, as extension/list writes them too),
# each under the key `_key` reads whatever case and separators the PBX writes.
CALL_STATES = {"ringing": "Ringing", "busy": "Busy", "idle": "Idle"}
PRESENCES = {
    key.replace("_", ""): key
    for key in ("available", "away", "business_trip", "do_not_disturb", "lunch", "off_work")
}


class MissedCall(TypedDict):
    caller: str
    call_id: str


class AgentData(TypedDict):
    """An agent's row on a board, as its membership gives it."""

    number: str
    name: str
    kind: str
    logged_in: bool
    paused: bool
    pause_reason: str
    auto_paused: bool
    missed_calls: list[MissedCall]
    call_status: CallStatus
    since: int


class AgentTruth(TypedDict):
    """What `queue/agent_status` says of an agent."""

    name: str
    kind: str
    logged_in: bool
    paused: bool
    pause_reason: str
    call_status: CallStatus


@dataclass
class Agent:
    """One agent's membership of one queue."""

    number: str
    name: str = ""
    kind: str = "static"  # static | dynamic
    logged_in: bool = True
    paused: bool = False
    pause_reason: str = ""
    auto_paused: bool = False
    missed_calls: list[MissedCall] = field(default_factory=list)
    call_status: CallStatus = "idle"
    since_ms: int = 0

    def as_data(self) -> AgentData:
        return {
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "logged_in": self.logged_in,
            "paused": self.paused,
            "pause_reason": self.pause_reason,
            "auto_paused": self.auto_paused,
            "missed_calls": self.missed_calls,
            "call_status": self.call_status,
            "since": self.since_ms,
        }


@dataclass
class Extension:
    number: str
    name: str = ""
    registered_kinds: set[str] = field(default_factory=set)
    presence: str = "available"
    call_state: str = "Idle"  # 30008: Ringing | Busy | Idle
    # Its live legs by call id (30011), each as an agent call status: what the phone does.
    legs: dict[str, CallStatus] = field(default_factory=dict)

    def call_status(self) -> CallStatus:
        """What its legs add up to: talking on any call (a second call ringing too), else on
        hold, else ringing, else idle (queue/agent_status's 2 or 4, 5, 3, 1)."""
        statuses = set(self.legs.values())
        return next((s for s in BUSIEST_FIRST if s in statuses), "idle")

    @property
    def registered(self) -> bool:
        return bool(self.registered_kinds)


def queue_number_of(value: object) -> str:
    """30029 may send the queue as "queue-6402" where 30025/30026 send "6402"."""
    written = text(value)
    return written[len("queue-") :] if written.lower().startswith("queue-") else written


def _key(status: str) -> str:
    """A status without case, spaces, `_` or `-`: "Logged In", "logged_out", "LoggedIn"."""
    return "".join(ch for ch in status.lower() if ch.isalnum())


def status_meaning(status: str) -> tuple[str, bool] | None:
    return _STATUS_MEANINGS.get(_key(status))


def apply_agent_status(agent: Agent, msg: Mapping[str, Any], now_ms: int) -> bool:
    """30029; False when the status string is not understood (REST then decides)."""
    meaning = status_meaning(text(msg.get("status")))
    if meaning is None:
        return False
    attribute, value = meaning
    if getattr(agent, attribute) != value:
        setattr(agent, attribute, value)
        agent.since_ms = now_ms
    if attribute == "paused":
        agent.pause_reason = text(msg.get("reason")) if value else ""
        if not value:
            agent.auto_paused, agent.missed_calls = False, []
    return True


def apply_auto_pause(agent: Agent, msg: Mapping[str, Any], now_ms: int) -> bool:
    """30025: paused by the PBX after missed calls, which it lists; False when a listed call
    could not be read (the pause stands, with the calls that could)."""
    calls = msg.get("calls")
    missed = rows(calls)
    agent.paused, agent.auto_paused, agent.since_ms = True, True, now_ms
    agent.missed_calls = [
        {"caller": text(call.get("caller_number")), "call_id": text(call.get("call_id"))}
        for call in missed
    ]
    return calls is None or (isinstance(calls, list) and len(missed) == len(calls))


def load_agent_status(agents: dict[str, Agent], entries: object, now_ms: int) -> list[str]:
    """Make a queue's agents match `queue/agent_status`; returns one label per correction.
    A row that names no agent is skipped: it can neither add nor keep one."""
    corrections: list[str] = []
    seen: set[str] = set()
    for entry in rows(entries):
        number = text(entry.get("number"))
        if not number:
            continue
        seen.add(number)
        if number not in agents:
            agents[number] = Agent(number, since_ms=now_ms, **_truth(entry))
            corrections.append("agent_added")
        else:
            corrections += _correct(agents[number], _truth(entry), now_ms)
    for number in set(agents) - seen:
        del agents[number]
        corrections.append("agent_removed")
    return corrections


def _truth(entry: Mapping[str, Any]) -> AgentTruth:
    """0/1 flags and codes as integers or text (a flag "0" is off)."""
    paused = integer(entry.get("is_pause")) == 1
    kind = text(entry.get("agent_type")).lower()
    return {
        "name": text(entry.get("name")),
        "kind": kind if kind in AGENT_KINDS else "static",
        "logged_in": integer(entry.get("is_login")) == 1,
        "paused": paused,
        "pause_reason": text(entry.get("pause_reason")) if paused else "",
        "call_status": CALL_STATUS_CODES.get(integer(entry.get("call_status")) or 0, "unknown"),
    }


def _correct(agent: Agent, truth: AgentTruth, now_ms: int) -> list[str]:
    """Set each field to the truth; a changed state field is a correction (names are not)."""
    corrections = []
    for name, value in truth.items():
        old = getattr(agent, name)
        if old == value:
            continue
        if name == "call_status" and (old, value) == ("hold", "talking"):
            # 30011 shows HOLD on both legs whoever holds; queue/agent_status says 2 when the
            # agent does (5 the caller): the call is on hold all the same (docs/design.md).
            continue
        if name in ("logged_in", "paused", "call_status"):
            corrections.append(f"agent_{name}")
            agent.since_ms = now_ms
        setattr(agent, name, value)
    if not agent.paused:
        agent.auto_paused, agent.missed_calls = False, []
    return corrections


def apply_registration(extension: Extension, msg: Mapping[str, Any]) -> bool:
    """30007: one device kind (Sip, Mobile, Desktop, Web, Pad) registered or not; False (and
    nothing changed) for a status we do not know."""
    kind = text(msg.get("kind")).capitalize() or "Sip"  # as extension/list's are named
    status = _key(text(msg.get("status")))
    if status == "registered":
        extension.registered_kinds.add(kind)
    elif status == "unregistered":
        extension.registered_kinds.discard(kind)
    return status in ("registered", "unregistered")


def apply_call_state(extension: Extension, msg: Mapping[str, Any]) -> bool:
    """30008: the phone rings, is busy or idle; False (nothing changed) for another status."""
    state = CALL_STATES.get(_key(text(msg.get("status"))))
    extension.call_state = state or extension.call_state
    return state is not None


def apply_presence(extension: Extension, msg: Mapping[str, Any]) -> bool:
    """30009: the extension's presence; False (nothing changed) for one we do not know."""
    presence = PRESENCES.get(_key(text(msg.get("status"))))
    extension.presence = presence or extension.presence
    return presence is not None


def load_extension(extension: Extension, entry: Mapping[str, Any]) -> None:
    """An `extension/list` entry: name, presence and which endpoints are online."""
    extension.name = text(entry.get("caller_id_name")) or extension.name
    presence = PRESENCES.get(_key(text(entry.get("presence_status"))))
    extension.presence = presence or extension.presence
    online = entry.get("online_status")
    if isinstance(online, dict):
        extension.registered_kinds = {
            _DEVICE_KINDS.get(str(endpoint)) or str(endpoint)
            for endpoint, status in online.items()
            if isinstance(status, dict) and integer(status.get("status")) == 1
        }


# extension/list names endpoints as sip_phone…; 30007 names kinds Sip, Mobile…
_DEVICE_KINDS = {
    "sip_phone": "Sip",
    "linkus_mobile": "Mobile",
    "linkus_desktop": "Desktop",
    "linkus_web": "Web",
    "fxs_phone": "Sip",
}
