"""Faults switched on through the control API and consulted by the OpenAPI and WebSocket edges."""

from dataclasses import dataclass, field

from pbxsim.wire import JsonObj


@dataclass
class ErrcodeFault:
    """Answer an endpoint with `errcode` and `errmsg`, `remaining` more times (`None`: until
    cleared)."""

    errcode: int
    errmsg: str
    remaining: int | None


@dataclass
class Faults:
    """Everything that is currently broken on purpose; a fresh instance means no faults."""

    heartbeat_reply: bool = True
    events_paused: bool = False
    # Real seconds every /openapi/ REST response waits before it is sent.
    delay: float = 0.0
    errcodes: dict[str, ErrcodeFault] = field(default_factory=dict)

    def take_errcode(self, endpoint: str) -> ErrcodeFault | None:
        """The fault to answer this endpoint with now, using up one of its `times`."""
        fault = self.errcodes.get(endpoint)
        if fault is None:
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self.errcodes[endpoint]
        return fault

    def as_json(self) -> JsonObj:
        """The current faults, as `GET /_sim/state` reports them."""
        return {
            "heartbeat_reply": self.heartbeat_reply,
            "events_paused": self.events_paused,
            "delay": self.delay,
            "errcodes": {
                endpoint: {"errcode": f.errcode, "errmsg": f.errmsg, "times": f.remaining}
                for endpoint, f in self.errcodes.items()
            },
        }
