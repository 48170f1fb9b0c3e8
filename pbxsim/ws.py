"""The aiohttp edge of the event WebSocket: handshake check, reader with idle close, writer."""

import asyncio

from aiohttp import WSMsgType, web

from pbxsim.hub import CLOSE_NORMAL, HEARTBEAT, Close, Subscriber
from pbxsim.rest import API_ROOT, check_access, check_gate
from pbxsim.sim import Simulator
from pbxsim.wire import INTERFACE_NOT_EXISTED, ApiError

_CLOSED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


async def _write(subscriber: Subscriber, ws: web.WebSocketResponse) -> None:
    """Send queued texts in order until told to close or the client is gone."""
    try:
        while not isinstance(item := await subscriber.outbox.get(), Close):
            await ws.send_str(item)
    except ConnectionError:
        return
    await ws.close(code=item.code)


class Subscriptions:
    """`GET /openapi/v1.0/subscribe`: one subscriber per socket."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """The subscribe route; it must be added before the REST catch-all."""
        return [web.get(API_ROOT + "/subscribe", self.handle)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Refuse the upgrade with an errcode body, or serve the socket until it closes."""
        ws = web.WebSocketResponse()
        try:
            check_gate(self._sim, request, "subscribe")
            if not ws.can_prepare(request).ok:
                raise ApiError(INTERFACE_NOT_EXISTED)
            # GUESS: a bad token gets HTTP 200 + errcode 10004 instead of the 101 upgrade.
            check_access(self._sim, request.query)
        except ApiError as error:
            return web.json_response(error.body())
        await ws.prepare(request)
        await self._serve(ws)
        return ws

    async def _serve(self, ws: web.WebSocketResponse) -> None:
        subscriber = self._sim.hub.join()
        writer = asyncio.create_task(_write(subscriber, ws))
        try:
            await self._read(subscriber, ws)
        finally:
            self._sim.hub.leave(subscriber)
            subscriber.close(CLOSE_NORMAL)
            await writer

    async def _read(self, subscriber: Subscriber, ws: web.WebSocketResponse) -> None:
        """Answer texts until the client leaves or stays silent for the idle timeout."""
        while True:
            try:
                # One deadline per frame the client sends: pings are answered inside
                # receive() and so, being no data, do not keep the socket alive.
                async with asyncio.timeout(self._sim.config.ws_idle_timeout):
                    msg = await ws.receive()
            except TimeoutError:
                return
            if msg.type in _CLOSED:
                return
            if msg.type is WSMsgType.TEXT and self._answers(msg.data):
                subscriber.outbox.put_nowait(subscriber.answer(msg.data))

    def _answers(self, text: str) -> bool:
        # The injected fault swallows heartbeats; they still count as traffic for the idle timer.
        return text != HEARTBEAT or self._sim.faults.heartbeat_reply
