"""The control API under /_sim/: ground truth, scripted callers, clock and IP-block controls."""

import dataclasses
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from pbxsim.directory import QueueDef
from pbxsim.model import Agent, Call, Conflict, NotFound, Phase
from pbxsim.sim import Simulator
from pbxsim.wire import JsonObj

CONTROL_ROOT = "/_sim"


class BadRequest(ValueError):
    """The control request itself is malformed."""


_STATUS = {BadRequest: 400, NotFound: 404, Conflict: 409}


@web.middleware
async def _errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Map model errors to plain HTTP statuses: control callers are tests, not PBX clients."""
    try:
        return await handler(request)
    except (BadRequest, NotFound, Conflict) as error:
        return web.json_response({"error": str(error)}, status=_STATUS[type(error)])


async def _body(request: web.Request) -> JsonObj:
    text = await request.text()
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        raise BadRequest("body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def _text(body: JsonObj, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{key}' must be a non-empty string")
    return value


def _queue_state(sim: Simulator, queue: QueueDef) -> JsonObj:
    def calls(phase: Phase) -> list[Call]:
        return sim.centre.calls_in(queue, phase)

    stats = sim.centre.stats[queue.number]
    return {
        "id": queue.id,
        "number": queue.number,
        "name": queue.name,
        "waiting": [
            {"call_id": c.call_id, "caller_number": c.caller, "waiting_since": c.waiting_since}
            for c in calls(Phase.WAITING)
        ],
        "ringing": [
            {"call_id": c.call_id, "caller_number": c.caller, "agent_number": c.agent}
            for c in calls(Phase.RINGING)
        ],
        "active": [
            {"call_id": c.call_id, "caller_number": c.caller, "agent_number": c.agent}
            for c in calls(Phase.TALKING)
        ],
        "stats": dataclasses.asdict(stats),
    }


def _agent_state(sim: Simulator, agent: Agent) -> JsonObj:
    call = sim.centre.calls.get(agent.call_id or "")
    number = agent.defn.number
    return {
        "id": agent.defn.id,
        "number": number,
        "name": agent.defn.name,
        "state": "idle" if call is None else str(call.phase),
        "call_id": agent.call_id,
        "paused": agent.paused,
        "pause_reason": agent.pause_reason,
        "queues": [
            {"number": q.number, "type": "static" if number in q.static_agents else "dynamic"}
            for q in sim.centre.directory.queues
            if number in q.members
        ],
    }


class Control:
    """Handlers of the control API; each change is published to subscribers before replying."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def app(self) -> web.Application:
        """A sub-application, so its error handling never touches the OpenAPI edge."""
        app = web.Application(middlewares=[_errors])
        app.add_routes(
            [
                web.get("/state", self.state),
                web.post("/calls", self.place_call),
                web.post("/calls/{call_id}/{action}", self.call_action),
                web.post("/agents/{number}/{action}", self.agent_action),
                web.post("/clock/advance", self.advance),
                web.post("/unblock", self.unblock),
            ]
        )
        return app

    async def state(self, request: web.Request) -> web.Response:
        """Ground truth: clock, queues with their calls, agents, tokens, subscribers."""
        sim = self._sim
        # Catch up first, so the truth is never a tick behind the clock it reports.
        sim.tick()
        now = sim.now()
        return web.json_response(
            {
                "time": now,
                "sn": sim.config.sn,
                "queues": [_queue_state(sim, q) for q in sim.centre.directory.queues],
                "agents": [_agent_state(sim, a) for a in sim.centre.agents.values()],
                "tokens": {"live_access": sim.tokens.live_access(now)},
                "blocked_addresses": sorted(sim.guard.blocked),
                "subscribers": len(sim.hub),
            }
        )

    async def place_call(self, request: web.Request) -> web.Response:
        """A scripted caller joins a queue now and waits until told otherwise."""
        body = await _body(request)
        queue, caller = _text(body, "queue"), _text(body, "caller")
        call = self._sim.centre.arrive(queue, caller, self._sim.now(), scripted=True)
        self._sim.tick()
        return web.json_response({"call_id": call.call_id})

    async def call_action(self, request: web.Request) -> web.Response:
        """`answer` (optionally by `agent`), `abandon` or `hangup` a live call."""
        action = request.match_info["action"]
        if action not in ("answer", "abandon", "hangup"):
            raise NotFound(f"no call action {action}")
        body = await _body(request)
        centre, now = self._sim.centre, self._sim.now()
        call = centre.call(request.match_info["call_id"])
        # Once the control API touches a call, the random traffic leaves it alone.
        call.scripted = True
        if action == "answer":
            self._answer(call, body.get("agent"))
        elif action == "abandon":
            centre.abandon(call.call_id, now)
        else:
            centre.hangup(call.call_id, now)
        self._sim.tick()
        return web.json_response({"call_id": call.call_id, "agent": call.agent})

    def _answer(self, call: Call, agent: object) -> None:
        centre, now = self._sim.centre, self._sim.now()
        if call.phase is Phase.WAITING:
            if agent is None:
                picked = centre.pick_agent(call.queue)
                if picked is None:
                    raise Conflict(f"no free agent in queue {call.queue.number}")
                agent = picked.defn.number
            if not isinstance(agent, str):
                raise BadRequest("'agent' must be an extension number")
            centre.ring(call.call_id, agent, now)
        centre.answer(call.call_id, now)

    async def agent_action(self, request: web.Request) -> web.Response:
        """`pause` (optional `reason`) or `unpause` an agent in all its queues (30029)."""
        number, action = request.match_info["number"], request.match_info["action"]
        if action not in ("pause", "unpause"):
            raise NotFound(f"no agent action {action}")
        reason = str((await _body(request)).get("reason", ""))
        self._sim.centre.set_paused(number, action == "pause", reason)
        self._sim.tick()
        return web.json_response({"agent": number, "paused": action == "pause"})

    async def advance(self, request: web.Request) -> web.Response:
        """Jump the simulated clock forward; due traffic happens at its own simulated times."""
        seconds = (await _body(request)).get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise BadRequest("'seconds' must be a number >= 0")
        self._sim.clock.advance(seconds)
        self._sim.tick()
        return web.json_response({"time": self._sim.now()})

    async def unblock(self, request: web.Request) -> web.Response:
        """Clear every IP block and failed-login count."""
        unblocked = sorted(self._sim.guard.blocked)
        self._sim.guard.unblock()
        return web.json_response({"unblocked": unblocked})
