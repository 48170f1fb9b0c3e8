"""Agents in queues and extensions: 30029, 30025, 30026, 30007, 30008, 30009 and REST answers."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

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
    text = str(value or "")
    return text.removeprefix("queue-")


def status_meaning(status: str) -> tuple[str, bool] | None:
    key = "".join(ch for ch in status.lower() if ch.isalnum())
    return _STATUS_MEANINGS.get(key)


def apply_agent_status(agent: Agent, msg: Mapping[str, Any], now_ms: int) -> bool:
    """30029; False when the status string is not understood (REST then decides)."""
    meaning = status_meaning(str(msg.get("status", "")))
    if meaning is None:
        return False
    attribute, value = meaning
    if getattr(agent, attribute) != value:
        setattr(agent, attribute, value)
        agent.since_ms = now_ms
    if attribute == "paused":
        agent.pause_reason = str(msg.get("reason") or "") if value else ""
        if not value:
            agent.auto_paused, agent.missed_calls = False, []
    return True


def apply_auto_pause(agent: Agent, msg: Mapping[str, Any], now_ms: int) -> None:
    """30025: paused by the PBX after missed calls, which it lists."""
    calls = msg.get("calls") if isinstance(msg.get("calls"), list) else []
    agent.paused, agent.auto_paused, agent.since_ms = True, True, now_ms
    agent.missed_calls = [
        {"caller": str(call.get("caller_number", "")), "call_id": str(call.get("call_id", ""))}
        for call in calls or []
        if isinstance(call, dict)
    ]


def load_agent_status(
    agents: dict[str, Agent], entries: Iterable[Mapping[str, Any]], now_ms: int
) -> list[str]:
    """Make a queue's agents match `queue/agent_status`; returns one label per correction."""
    corrections: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        number = str(entry.get("number", ""))
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
    paused = bool(entry.get("is_pause"))
    return {
        "name": str(entry.get("name", "")),
        "kind": str(entry.get("agent_type") or "static"),
        "logged_in": bool(entry.get("is_login")),
        "paused": paused,
        "pause_reason": str(entry.get("pause_reason") or "") if paused else "",
        "call_status": CALL_STATUS_CODES.get(_int(entry.get("call_status")), "unknown"),
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


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def apply_registration(extension: Extension, msg: Mapping[str, Any]) -> None:
    """30007: one device kind (Sip, Mobile, Desktop, Web, Pad) registered or not."""
    kind = str(msg.get("kind", "Sip"))
    if str(msg.get("status", "")).lower() == "registered":
        extension.registered_kinds.add(kind)
    else:
        extension.registered_kinds.discard(kind)


def load_extension(extension: Extension, entry: Mapping[str, Any]) -> None:
    """An `extension/list` entry: name, presence and which endpoints are online."""
    extension.name = str(entry.get("caller_id_name", extension.name))
    extension.presence = str(entry.get("presence_status") or extension.presence)
    online = entry.get("online_status")
    if isinstance(online, dict):
        extension.registered_kinds = {
            _DEVICE_KINDS.get(str(endpoint)) or str(endpoint)
            for endpoint, status in online.items()
            if isinstance(status, dict) and _int(status.get("status")) == 1
        }


# extension/list names endpoints as sip_phone…; 30007 names kinds Sip, Mobile…
_DEVICE_KINDS = {
    "sip_phone": "Sip",
    "linkus_mobile": "Mobile",
    "linkus_desktop": "Desktop",
    "linkus_web": "Web",
    "fxs_phone": "Sip",
}
