"""The control API under /_sim/: ground truth, scripted callers, clock, IP block, faults."""

from aiohttp import web

from pbxsim.control_actions import CALL_ACTIONS, agent_action
from pbxsim.control_faults import FaultControl
from pbxsim.control_io import errors, number_field, read_body, text_field
from pbxsim.records import NotFound
from pbxsim.sim import Simulator
from pbxsim.truth import epoch_ms, ground_truth

CONTROL_ROOT = "/_sim"


class Control:
    """Handlers of the control API; each change is published to subscribers before replying."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def app(self) -> web.Application:
        """A sub-application, so its error handling never touches the OpenAPI edge."""
        app = web.Application(middlewares=[errors])
        app.add_routes(
            [
                web.get("/state", self.state),
                web.post("/calls", self.place_call),
                web.post("/calls/{call_id}/{action}", self.call_action),
                web.post("/agents/{number}/{action}", self.agent_action),
                web.post("/clock/advance", self.advance),
                web.post("/unblock", self.unblock),
                *FaultControl(self._sim).routes(),
            ]
        )
        return app

    async def state(self, request: web.Request) -> web.Response:
        """Ground truth: clock, queues with their calls, agents, tokens, faults, subscribers."""
        # Catch up first, so the truth is never a tick behind the clock it reports.
        self._sim.tick()
        return web.json_response(ground_truth(self._sim))

    async def place_call(self, request: web.Request) -> web.Response:
        """A scripted caller joins a queue now and waits until told otherwise."""
        body = await read_body(request)
        queue, caller = text_field(body, "queue"), text_field(body, "caller")
        call = self._sim.centre.arrive(queue, caller, self._sim.now(), scripted=True)
        self._sim.tick()
        return web.json_response({"call_id": call.call_id})

    async def call_action(self, request: web.Request) -> web.Response:
        """One of `CALL_ACTIONS` on a live queue call; the random traffic leaves it alone after."""
        action = CALL_ACTIONS.get(request.match_info["action"])
        if action is None:
            raise NotFound(f"no call action {request.match_info['action']}")
        body = await read_body(request)
        call = self._sim.centre.call(request.match_info["call_id"])
        call.scripted = True
        action(self._sim, call, body)
        self._sim.tick()
        return web.json_response({"call_id": call.call_id, "agent": call.agent})

    async def agent_action(self, request: web.Request) -> web.Response:
        """See `control_actions.agent_action`; 30029/30009/30007 follow."""
        number = request.match_info["number"]
        body = await read_body(request)
        agent_action(self._sim, number, request.match_info["action"], body)
        self._sim.tick()
        return web.json_response({"agent": number, "paused": self._sim.centre.agent(number).paused})

    async def advance(self, request: web.Request) -> web.Response:
        """Jump the simulated clock forward; due traffic happens at its own simulated times."""
        seconds = number_field(await read_body(request), "seconds")
        self._sim.clock.advance(seconds)
        self._sim.tick()
        return web.json_response({"time": epoch_ms(self._sim.now())})

    async def unblock(self, request: web.Request) -> web.Response:
        """Clear every IP block and failed-login count."""
        unblocked = sorted(self._sim.guard.blocked)
        self._sim.guard.unblock()
        return web.json_response({"unblocked": unblocked})
