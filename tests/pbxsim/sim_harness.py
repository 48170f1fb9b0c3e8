"""Runs a pbxsim app on a free loopback port and talks to it the way a PBX client would."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from websockets.asyncio.client import ClientConnection, connect

from pbxsim.app import create_app
from pbxsim.config import SimConfig
from tests.simcontrol import control_path

JsonObj = dict[str, Any]

# Generous bound for anything that should happen "at once" on loopback.
WAIT = 5.0
UA = {"User-Agent": "OpenAPI"}
SALES, SUPPORT = "6400", "6401"


@dataclass
class RunningSim:
    """A live simulator plus an HTTP client that sends a User-Agent, as every request must."""

    config: SimConfig
    base_url: str
    http: httpx.AsyncClient

    async def api(
        self, method: str, endpoint: str, token: str | None = None, **kwargs: Any
    ) -> JsonObj:
        """Call an OpenAPI endpoint; the PBX always answers HTTP 200 with a JSON body."""
        params = dict(kwargs.pop("params", {}))
        if token is not None:
            params["access_token"] = token
        response = await self.http.request(
            method, f"/openapi/v1.0/{endpoint}", params=params, **kwargs
        )
        assert response.status_code == 200
        body: JsonObj = response.json()
        return body

    async def login(self, password: str | None = None) -> JsonObj:
        """POST get_token with the configured client ID and (by default) the right secret."""
        secret = self.config.client_secret if password is None else password
        body = {"username": self.config.client_id, "password": secret}
        return await self.api("POST", "get_token", json=body)

    async def token(self) -> str:
        """A fresh access token."""
        reply = await self.login()
        assert reply["errcode"] == 0, reply
        return str(reply["access_token"])

    async def control(self, path: str, body: JsonObj | None = None, status: int = 200) -> JsonObj:
        """POST to the control API and check the HTTP status it answers with."""
        response = await self.http.post(control_path(path), json=body or {})
        assert response.status_code == status, response.text
        result: JsonObj = response.json()
        return result

    async def state(self) -> JsonObj:
        """The simulator's ground truth (`GET /_sim/state`)."""
        response = await self.http.get(control_path("state"))
        assert response.status_code == 200
        result: JsonObj = response.json()
        return result

    def ws_url(self, token: str) -> str:
        """The event WebSocket URL for an access token."""
        return f"ws{self.base_url.removeprefix('http')}/openapi/v1.0/subscribe?access_token={token}"

    @asynccontextmanager
    async def socket(self, topics: list[int] | None = None) -> AsyncIterator[ClientConnection]:
        """An event socket, subscribed to `topics` (and checked) unless it is None."""
        # An unbounded queue keeps the client reading, so closing never waits behind frames
        # the test chose not to look at.
        url = self.ws_url(await self.token())
        async with connect(url, proxy=None, max_queue=None) as ws:
            if topics is not None:
                await ws.send(json.dumps({"topic_list": topics}))
                assert json.loads(await recv_text(ws)) == {"errcode": 0, "errmsg": "SUCCESS"}
            yield ws


async def recv_text(ws: ClientConnection) -> str:
    """The next text frame, failing the test if none comes soon."""
    async with asyncio.timeout(WAIT):
        text = await ws.recv()
    assert isinstance(text, str)
    return text


async def next_event(ws: ClientConnection) -> JsonObj:
    """The next event frame with its `msg` decoded; on the wire `msg` must be a JSON string."""
    frame: JsonObj = json.loads(await recv_text(ws))
    assert set(frame) == {"type", "sn", "msg"}
    assert isinstance(frame["msg"], str)
    return {**frame, "msg": json.loads(frame["msg"])}


StartSim = Callable[..., Awaitable[RunningSim]]


@asynccontextmanager
async def running_sim(config: SimConfig) -> AsyncIterator[RunningSim]:
    """Serve `create_app(config)` on 127.0.0.1 with an OS-chosen port for the block's duration."""
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with httpx.AsyncClient(base_url=base_url, headers=UA, trust_env=False) as http:
            yield RunningSim(config, base_url, http)
    finally:
        await runner.cleanup()


async def next_of(ws: ClientConnection, topic: int) -> JsonObj:
    """The next event of one type, skipping frames of the other subscribed types."""
    while (event := await next_event(ws))["type"] != topic:
        pass
    return event
