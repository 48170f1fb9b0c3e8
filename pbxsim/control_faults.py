"""Control API for injected faults (/_sim/faults/…) and event bursts (/_sim/burst)."""

import time

from aiohttp import web

from pbxsim.burst import burst
from pbxsim.control_io import BadRequest, bool_field, int_field, number_field, read_body, text_field
from pbxsim.faults import ErrcodeFault, Faults
from pbxsim.hub import CLOSE_SERVER_ERROR
from pbxsim.sim import Simulator
from pbxsim.wire import ERRMSG, SUCCESS, JsonObj


def _errcode_fault(body: JsonObj) -> ErrcodeFault | None:
    """The fault a `faults/errcode` body asks for; errcode 0 means clear this endpoint.
    Any integer errcode goes; one beyond the documented table (§2.6) needs an `errmsg`."""
    errcode = body.get("errcode")
    if isinstance(errcode, bool) or not isinstance(errcode, int):
        raise BadRequest("'errcode' must be an integer")
    if errcode == SUCCESS:
        return None
    errmsg = text_field(body, "errmsg") if "errmsg" in body or errcode not in ERRMSG else None
    times = int_field(body, "times", 1) if "times" in body else None
    return ErrcodeFault(errcode, errmsg or ERRMSG[errcode], times)


class FaultControl:
    """Handlers that break the PBX on purpose; each replies with the faults now in force."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """The fault and burst routes, relative to the control root."""
        post = web.post
        return [
            post("/faults/drop_sockets", self.drop_sockets),
            post("/faults/heartbeat", self.heartbeat),
            post("/faults/expire_tokens", self.expire_tokens),
            post("/faults/errcode", self.errcode),
            post("/faults/delay", self.delay),
            post("/faults/events", self.events),
            post("/faults/clear", self.clear),
            post("/burst", self.burst),
        ]

    def _reply(self, **extra: object) -> web.Response:
        return web.json_response({"faults": self._sim.faults.as_json(), **extra})

    async def drop_sockets(self, request: web.Request) -> web.Response:
        """Close every event socket now with 1011; clients may reconnect at once."""
        return self._reply(dropped=self._sim.hub.close_all(CLOSE_SERVER_ERROR))

    async def heartbeat(self, request: web.Request) -> web.Response:
        """`{"reply": false}` stops answering `heartbeat`; `true` resumes."""
        self._sim.faults.heartbeat_reply = bool_field(await read_body(request), "reply")
        return self._reply()

    async def expire_tokens(self, request: web.Request) -> web.Response:
        """Every access token expires now; with `{"refresh": true}` every refresh token too."""
        body = await read_body(request)
        refresh = bool_field(body, "refresh") if "refresh" in body else False
        self._sim.tokens.expire_all(self._sim.now(), refresh)
        return self._reply()

    async def errcode(self, request: web.Request) -> web.Response:
        """`{"endpoint","errcode","times"?}`: that endpoint answers the errcode (0 clears it)."""
        body = await read_body(request)
        endpoint = text_field(body, "endpoint")
        fault = _errcode_fault(body)
        if fault is None:
            self._sim.faults.errcodes.pop(endpoint, None)
        else:
            self._sim.faults.errcodes[endpoint] = fault
        return self._reply()

    async def delay(self, request: web.Request) -> web.Response:
        """`{"seconds": S}` delays every /openapi/ REST response by S real seconds (0 clears)."""
        self._sim.faults.delay = number_field(await read_body(request), "seconds")
        return self._reply()

    async def events(self, request: web.Request) -> web.Response:
        """`{"paused": true}` drops every event instead of pushing it; `false` resumes."""
        self._sim.faults.events_paused = bool_field(await read_body(request), "paused")
        return self._reply()

    async def clear(self, request: web.Request) -> web.Response:
        """Switch every fault off (IP blocks stay: `/_sim/unblock` clears those)."""
        self._sim.faults = Faults()
        return self._reply()

    async def burst(self, request: web.Request) -> web.Response:
        """`{"events": N}`: N extra 30011 events from complete calls, as fast as possible."""
        count = int_field(await read_body(request), "events", 1)
        started = time.perf_counter()
        calls = burst(self._sim.centre, count, self._sim.now())
        emitted = self._sim.tick()
        seconds = time.perf_counter() - started
        return web.json_response(
            {"events": count, "calls": calls, "seconds": seconds, "emitted": emitted}
        )
