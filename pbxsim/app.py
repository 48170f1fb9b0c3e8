"""Builds the aiohttp application: OpenAPI REST, event WebSocket, control API and the ticker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.control import CONTROL_ROOT, Control
from pbxsim.rest import OpenApi
from pbxsim.sim import Simulator
from pbxsim.ws import Subscriptions

SIMULATOR = web.AppKey("simulator", Simulator)


async def _tick_forever(sim: Simulator) -> None:
    while True:
        sim.tick()
        await asyncio.sleep(sim.config.tick_interval)


async def _ticker(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_tick_forever(app[SIMULATOR]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_sockets(app: web.Application) -> None:
    # Open sockets would otherwise hold the server's shutdown until they time out.
    app[SIMULATOR].hub.close_all()


def create_app(config: SimConfig, clock: SimClock | None = None) -> web.Application:
    """A ready-to-run simulator; `app[SIMULATOR]` is its state, for in-process callers."""
    sim = Simulator(config, clock or SimClock(speed=config.speed))
    app = web.Application()
    app[SIMULATOR] = sim
    app.add_subapp(CONTROL_ROOT, Control(sim).app())
    # The subscribe route comes first: the REST catch-all would match its path too.
    app.add_routes(Subscriptions(sim).routes() + OpenApi(sim).routes())
    app.cleanup_ctx.append(_ticker)
    app.on_shutdown.append(_close_sockets)
    return app
