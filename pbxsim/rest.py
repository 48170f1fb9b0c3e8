"""The aiohttp edge of /openapi/v1.0/: transport rules wrapped around the pure endpoints."""

import asyncio
import json
from collections.abc import Mapping

from aiohttp import web

from pbxsim.api_core import ApiRequest
from pbxsim.endpoints import ENDPOINTS
from pbxsim.sim import Simulator
from pbxsim.wire import (
    ACCOUNT_IP_BLOCKED,
    INTERFACE_NOT_EXISTED,
    PARAMETER_SYNTAX_ERROR,
    ApiError,
    JsonObj,
    required,
)

API_ROOT = "/openapi/v1.0"


def check_gate(sim: Simulator, request: web.BaseRequest, endpoint: str) -> None:
    """An injected errcode fault for this endpoint first, then the IP block (70004)."""
    fault = sim.faults.take_errcode(endpoint)
    if fault is not None:
        raise ApiError(fault.errcode, errmsg=fault.errmsg)
    # GUESS: a blocked address is refused on every request, not only on get_token.
    if (request.remote or "") in sim.guard.blocked:
        raise ApiError(ACCOUNT_IP_BLOCKED)


def check_access(sim: Simulator, query: Mapping[str, str]) -> None:
    """10004 unless the `access_token` query parameter is live; headers are never looked at."""
    sim.tokens.check(query.get("access_token", ""), sim.now())


async def _json_body(request: web.Request) -> JsonObj:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        raise ApiError(PARAMETER_SYNTAX_ERROR) from None
    if not isinstance(body, dict):
        raise ApiError(PARAMETER_SYNTAX_ERROR)
    return body


class OpenApi:
    """Every REST path under the API root, dispatched through one handler."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """One catch-all route, so unknown paths and wrong methods still get an errcode."""
        return [web.route("*", API_ROOT + "/{endpoint:.*}", self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        """Answer with HTTP 200 and an errcode envelope, whatever happens."""
        try:
            body = await self._dispatch(request)
        except ApiError as error:
            body = error.body()
        if self._sim.faults.delay > 0:
            # The injected slowness is real time by design: it is what the client's timeouts see.
            await asyncio.sleep(self._sim.faults.delay)
        return web.json_response(body)

    async def _dispatch(self, request: web.Request) -> JsonObj:
        path = request.match_info["endpoint"]
        if not request.headers.get("User-Agent", "").strip():
            raise required("User-Agent")
        check_gate(self._sim, request, path)
        endpoint = ENDPOINTS.get((request.method, path))
        if endpoint is None:
            raise ApiError(INTERFACE_NOT_EXISTED)
        self._sim.requests[f"{request.method} {path}"] += 1  # known paths only: bounded
        if endpoint.needs_token:
            check_access(self._sim, request.query)
        body = await _json_body(request) if request.method == "POST" else {}
        return endpoint.handler(self._sim, ApiRequest(request.query, body, request.remote or ""))
