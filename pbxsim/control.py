"""The control API under /_sim/: ground truth, callers, clock, IP block, faults, system events."""

import dataclasses
from collections.abc import Collection

from aiohttp import web

from pbxsim.control_actions import CALL_ACTIONS, agent_action, plain_call_action
from pbxsim.control_faults import FaultControl
from pbxsim.control_io import BadRequest, errors, number_field, read_body, text_field
from pbxsim.frames import SYSTEM_EVENT_TOPICS, SYSTEM_EVENT_TYPES
from pbxsim.records import NotFound, SystemEvent
from pbxsim.sim import Simulator
from pbxsim.truth import epoch_ms, ground_truth
from pbxsim.wire import JsonObj

CONTROL_ROOT = "/_sim"


def _one_of(body: JsonObj, key: str, allowed: Collection[str], default: str) -> str:
    """An optional string that must be one of `allowed`."""
    value = body.get(key, default)
    if not isinstance(value, str) or value not in allowed:
        raise BadRequest(f"'{key}' must be one of {', '.join(allowed)}")
    return value


def _asked_event(body: JsonObj, now: float) -> SystemEvent:
    """The event a `/_sim/system_event` body names, happening now: level and type as §4.11 lists
    them (default a warning about the system)."""
    level = _one_of(body, "event_level", SYSTEM_EVENT_TOPICS, "warn")
    kind = _one_of(body, "event_type", SYSTEM_EVENT_TYPES, "system")
    name, content = text_field(body, "event_name"), text_field(body, "event_content")
    return SystemEvent(name, kind, level, content, now)


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
                web.post("/queues/{number}", self.edit_queue),
                web.post("/queues/{number}/agents/{agent}", self.add_agent),
                web.delete("/queues/{number}/agents/{agent}", self.remove_agent),
                web.post("/clock/advance", self.advance),
                web.post("/unblock", self.unblock),
                web.post("/system_event", self.system_event),
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
        return self._publish({"call_id": call.call_id})

    def _publish(self, reply: JsonObj) -> web.Response:
        """Push the changes out, and reply with when each event went (for benchmarks)."""
        return web.json_response({**reply, "emitted": self._sim.tick()})

    async def call_action(self, request: web.Request) -> web.Response:
        """One of `CALL_ACTIONS` on a live queue call (the random traffic leaves it alone after),
        or `answer`/`hangup` on a call that passes no queue (call/listen, call/dial)."""
        call_id, name = request.match_info["call_id"], request.match_info["action"]
        body = await read_body(request)
        if call_id in self._sim.centre.plain:
            plain_call_action(self._sim, call_id, name)
            return self._publish({"call_id": call_id, "agent": None})
        action = CALL_ACTIONS.get(name)
        if action is None:
            raise NotFound(f"no call action {name}")
        call = self._sim.centre.call(call_id)
        call.scripted = True
        action(self._sim, call, body)
        return self._publish({"call_id": call.call_id, "agent": call.agent})

    async def agent_action(self, request: web.Request) -> web.Response:
        """See `control_actions.agent_action`; 30029/30009/30007 follow."""
        number = request.match_info["number"]
        body = await read_body(request)
        agent_action(self._sim, number, request.match_info["action"], body)
        return self._publish({"agent": number, "paused": self._sim.centre.agent(number).paused})

    def _queue_reply(self, number: str) -> web.Response:
        queue = self._sim.centre.queue(number)
        fields = ("id", "number", "name", "static_agents", "dynamic_agents")
        return web.json_response({f: getattr(queue, f) for f in fields})

    async def edit_queue(self, request: web.Request) -> web.Response:
        """`{"name": …}` renames a queue at once (queue/list shows it; no event says so)."""
        name = text_field(await read_body(request), "name")
        queue = self._sim.centre.queue(request.match_info["number"])
        self._sim.centre.reconfigure(dataclasses.replace(queue, name=name))
        return self._queue_reply(queue.number)

    async def add_agent(self, request: web.Request) -> web.Response:
        """`{"type": "static"|"dynamic"}` (default dynamic): the extension joins the queue."""
        kind = (await read_body(request)).get("type", "dynamic")
        if kind not in ("static", "dynamic"):
            raise BadRequest("'type' must be 'static' or 'dynamic'")
        number, agent = request.match_info["number"], request.match_info["agent"]
        self._sim.centre.add_member(number, agent, kind == "dynamic")
        return self._queue_reply(number)

    async def remove_agent(self, request: web.Request) -> web.Response:
        """The agent leaves the queue; a call it is on goes on to its end."""
        number = request.match_info["number"]
        self._sim.centre.remove_member(number, request.match_info["agent"])
        return self._queue_reply(number)

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

    async def system_event(self, request: web.Request) -> web.Response:
        """The PBX reports a system event now, to the subscribers of its level's topic."""
        event = _asked_event(await read_body(request), self._sim.now())
        self._sim.centre.emit(event)
        return self._publish({"event_name": event.name})
