"""Settings of one simulator instance; the CLI and tests build one and hand it to the app."""

from dataclasses import dataclass, field

# The PBX closes a WebSocket after 60 s without traffic from the client (reference §3.3).
PBX_WS_IDLE_SECONDS = 60.0


@dataclass(frozen=True)
class SimConfig:
    """Credentials, traffic knobs and the switches for behaviour the reference marks GUESS."""

    client_id: str = "pbxsim"
    client_secret: str = "pbxsim-secret"
    sn: str = "3631A0000001"
    seed: int = 1
    # New callers per minute per queue; 0 means only scripted callers (what tests want).
    arrival_per_min: float = 6.0
    # Multiplies the rate of every model process; the wire clock itself stays real.
    speed: float = 1.0
    # Real seconds, not simulated ones: the client's heartbeat timer runs on real time.
    ws_idle_timeout: float = PBX_WS_IDLE_SECONDS
    # How often the model catches up with the clock, in real seconds.
    tick_interval: float = 0.1
    # GUESS switch: event types whose `msg` is sent as a JSON object instead of a string.
    object_msg_types: frozenset[int] = field(default_factory=frozenset)
