"""The model's data: calls, legs, agents and their queue memberships, CDRs and emitted events."""

from dataclasses import dataclass, field, replace
from enum import StrEnum

from pbxsim.directory import ExtensionDef, QueueDef


class Phase(StrEnum):
    """Where a call is; `ENDED` is only ever seen in the final update."""

    WAITING = "waiting"
    RINGING = "ringing"
    TALKING = "talking"
    ENDED = "ended"


class Outcome(StrEnum):
    """How a queue call ended: exactly one of these."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TIMED_OUT = "timed_out"
    TRANSFERRED = "transferred"


@dataclass
class Listener:
    """A supervisor monitoring one leg of a call (call/listen)."""

    number: str
    channel: str
    # The monitoring call's own ID.
    call_id: str
    answered: bool = False


@dataclass
class Call:
    """A caller waiting in or served by a queue: from outside through its DID, or an extension
    that dialled the queue (call/dial)."""

    call_id: str
    queue: QueueDef
    caller: str
    # The caller's channel: the trunk's, or the calling extension's when `internal`.
    caller_channel: str
    waiting_since: float
    # Scripted calls move only when the control API says so.
    scripted: bool
    phase: Phase = Phase.WAITING
    # The primary ringing (or the answering) agent, and with `ring_all` the others ringing too.
    agent: str | None = None
    agent_channel: str | None = None
    others: dict[str, str] = field(default_factory=dict)
    ring_since: float | None = None
    answered_at: float | None = None
    # Who put the answered call on hold: "" (nobody), "agent" or "caller" (§5.3 tells them apart).
    held_by: str = ""
    # The caller is an extension of this PBX (it dialled the queue), not a trunk caller.
    internal: bool = False
    # Still in the IVR in front of the queue (the `ivr_then_queue` call_path switch).
    in_ivr: bool = False
    outcome: Outcome | None = None
    listeners: list[Listener] = field(default_factory=list)
    # The call as it was in the queue it came from, when a transfer or a failover sent it on
    # to this queue (its `call_path` goes on from there).
    came_from: "Call | None" = None
    # The transferring agent's leg, shown hung up (`BYE`) in this call's first update only.
    parting: tuple[tuple[str, str], ...] = ()

    @property
    def held(self) -> bool:
        """On hold, whoever holds it."""
        return self.held_by != ""

    def as_left(self) -> "Call":
        """The call as it left its queue, without the links a live call has (listeners, phones
        ringing along, an agent's parting leg)."""
        return replace(self, listeners=[], others={}, parting=())

    def whole(self) -> "Call":
        """The call as its one CDR tells it: from when it first reached a queue, however many
        queues it was sent on to since."""
        first = self
        while first.came_from is not None:
            first = first.came_from
        return replace(self, waiting_since=first.waiting_since)

    def phase_since(self) -> float:
        """When the call entered its current phase (ended calls keep their last one)."""
        if self.answered_at is not None:
            return self.answered_at
        return self.waiting_since if self.ring_since is None else self.ring_since


@dataclass
class Leg:
    """One member of a call that is not a queue call: an extension or a trunk leg."""

    kind: str  # "extension", "outbound", or "inbound" (the caller of a call that left its queue)
    number: str  # extension number, or the dialled (or calling) external number
    channel: str
    status: str  # member_status


@dataclass(frozen=True)
class Destination:
    """Where a call goes on to from its queue (a key press, the failover, an agent's transfer)."""

    kind: str  # "extension", "queue", "external", or "feature" (an IVR, a voicemail box)
    # A feature's number; "" is the IVR callers pass through (`--ivr-number`, which only the
    # renderer knows).
    number: str


@dataclass
class PlainCall:
    """A call that is in no queue: dialled through the API, internal, monitoring, or a queue
    call that went on from its queue (`origin`)."""

    call_id: str
    type: str  # call/query `type`: "internal" or "outbound"
    legs: list[Leg]
    started: float
    # Who the first leg is calling: an extension or external number, or the monitored channel.
    callee: str
    answered_at: float | None = None
    # The channel this call monitors, for call/listen calls.
    monitors: str | None = None
    listeners: list[Listener] = field(default_factory=list)
    # A queue call that went on from its queue: the call as it left the queue (for its DID and
    # its `call_path`; its CDR was written then), and the feature it is in now (None: a phone).
    origin: Call | None = None
    feature: str | None = None


@dataclass
class Membership:
    """An agent's standing in one queue."""

    dynamic: bool
    logged_in: bool = True
    paused: bool = False
    reason: str = ""
    pause_threshold: int = 0
    pause_until: float | None = None
    misses: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Agent:
    """An extension and what it is doing; `memberships` is keyed by queue number."""

    defn: ExtensionDef
    idle_since: float
    memberships: dict[str, Membership]
    call_id: str | None = None
    # A second call ringing on the phone while it is in `call_id` (call waiting, §5.3 code 4).
    waiting_call: str | None = None
    wrap_until: float = 0.0
    # The queue whose call the agent wraps up (wrap-up may keep only that queue away).
    wrap_queue: str = ""
    # Picks up by itself when rung by call/listen or call/dial; off = only the control API answers.
    auto_answer: bool = True
    presence: str = "available"
    registered: bool = True
    # Today's ground truth for this agent: queue calls it answered (transferred on or not), and
    # queue calls that rang it unanswered (30026).
    answered: int = 0
    missed: int = 0

    @property
    def paused(self) -> bool:
        """Paused in at least one queue."""
        return any(m.paused for m in self.memberships.values())

    @property
    def pause_reason(self) -> str:
        """The reason of the first queue it is paused in."""
        return next((m.reason for m in self.memberships.values() if m.paused), "")


@dataclass
class QueueStats:
    """Outcomes so far, the ground truth a wallboard's counters are checked against."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    transferred: int = 0
    # Of `abandoned`, those who hung up within SHORT_ABANDON_SECONDS (5 s) of arriving.
    short_abandoned: int = 0


@dataclass(frozen=True)
class Cdr:
    """A call detail record (30012 and cdr/list)."""

    id: int
    call_id: str
    time_start: float
    call_from: str
    call_to: str
    call_duration: int
    talk_duration: int
    src_trunk_name: str
    dst_trunk_name: str
    status: str
    type: str
    did_number: str
    agent_ring_time: int


@dataclass(frozen=True)
class CallUpdate:
    """A queue call changed; `call` is a copy taken at that moment."""

    call: Call


@dataclass(frozen=True)
class PlainUpdate:
    """A non-queue call changed; `call` is a copy taken at that moment."""

    call: PlainCall


@dataclass(frozen=True)
class AgentStatus:
    """An agent's status in one queue changed; `status` is a key of the 30029 status switch."""

    queue_number: str
    agent_number: str
    status: str
    reason: str


@dataclass(frozen=True)
class RingTimeout:
    """An agent let a queue call ring out (30026)."""

    queue_number: str
    agent_number: str
    caller_number: str
    call_id: str


@dataclass(frozen=True)
class AutoPause:
    """An agent was paused for missing calls (30025); `calls` are (caller, call_id) pairs."""

    queue_number: str
    agent_number: str
    calls: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ExtensionState:
    """An extension's call state (30008 `Ringing`/`Busy`/`Idle`) or presence (30009)."""

    topic: int
    extension: str
    status: str


@dataclass(frozen=True)
class TransferReport:
    """An agent transferred an answered call (30013): the call just before and just after."""

    before: Call
    after: "Call | PlainCall"


@dataclass(frozen=True)
class NewCdr:
    """A call ended and left a CDR (30012)."""

    cdr: Cdr


@dataclass(frozen=True)
class SystemEvent:
    """A PBX system event whose notification is on (30034/30035/30036 by its level)."""

    name: str
    type: str
    level: str
    content: str
    at: float  # simulated epoch seconds


Event = (
    CallUpdate
    | PlainUpdate
    | AgentStatus
    | RingTimeout
    | AutoPause
    | ExtensionState
    | NewCdr
    | TransferReport
    | SystemEvent
)


class NotFound(LookupError):
    """No such call, queue or agent."""


class Conflict(Exception):
    """The call or agent is not in a state that allows the operation."""
