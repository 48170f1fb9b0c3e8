"""Settings of one simulator instance; the CLI and tests build one and hand it to the app."""

from dataclasses import dataclass, field

# The PBX closes a WebSocket after 60 s without traffic from the client (reference §3.3).
PBX_WS_IDLE_SECONDS = 60.0

# GUESS switch values (reference §4.1, §4.9); the first of each is the default.
WAITING_SHAPES = ("alert", "answered", "queue_member")
CALL_PATHS = ("queue", "ivr_then_queue", "ivr_dash_queue")
ONWARD_PATHS = ("dash", "last")
TRANSFER_REPORTS = ("after", "before")
AGENT_STATUS_STYLES = ("words", "compact", "lower")
# cdr/list `uid` (§5.6b, "the unique ID of the CDR"): the CDR's own ID, or the call's id.
CDR_UID_STYLES = ("cdr", "call_id")


@dataclass(frozen=True)
class SimConfig:
    """Credentials, traffic knobs and the switches for behaviour the reference marks GUESS."""

    client_id: str = "pbxsim"
    client_secret: str = "pbxsim-secret"
    sn: str = "3631A0000001"
    model: str = "P560"
    firmware: str = "37.7.0.16"
    time_zone: str = "Asia/Bangkok"
    scenario: str = "small"
    seed: int = 1
    # New callers per minute per queue; 0 means only scripted callers (what tests want).
    arrival_per_min: float = 6.0
    # Simulated seconds per real second: tokens, calls and the business day all speed up.
    speed: float = 1.0
    # Real seconds, not simulated ones: the client's heartbeat timer runs on real time.
    ws_idle_timeout: float = PBX_WS_IDLE_SECONDS
    # How often the model catches up with the clock, in real seconds.
    tick_interval: float = 0.1
    # GUESS switch: event types whose `msg` is sent as a JSON object instead of a string.
    object_msg_types: frozenset[int] = field(default_factory=frozenset)
    # GUESS switch: 30029 `queue_number` as "queue-6400" instead of "6400".
    queue_number_prefix: bool = False
    # GUESS switch: 30029 status strings (see frames.AGENT_STATUS_TEXT).
    agent_status_style: str = AGENT_STATUS_STYLES[0]
    # GUESS switch: a queued caller no agent rings yet, in 30011 (see frames.call_members).
    waiting_shape: str = WAITING_SHAPES[0]
    # GUESS switch: `call_path` of a call routed IVR → queue (see frames.call_path).
    call_path: str = CALL_PATHS[0]
    ivr_number: str = "6500"
    # GUESS switch: a supervisor listening in also appears as a member of the monitored call.
    listener_member: bool = False
    # GUESS switch: `call_path` of a call sent on from its queue to an IVR, a voicemail box or
    # another queue: the whole way ("6400-6500") or only where it is now ("6500").
    onward_path: str = ONWARD_PATHS[0]
    # GUESS switch: the members 30013 (an agent's transfer) lists: as they are once transferred,
    # or as they were just before.
    transfer_report: str = TRANSFER_REPORTS[0]
    # GUESS switch: what cdr/list's `uid` is (see cdr.cdr_row).
    cdr_uid_style: str = CDR_UID_STYLES[0]
    # GUESS switch: cdr/list rows also carry the call's `call_id` (not in the guide's list).
    cdr_call_id: bool = False
