"""The Daphne floor: a bare ASGI app under Daphne (no channels, no Django) that sends each frame
its feeder sends to every other socket. What Daphne itself costs per frame, beside the limit."""

from collections.abc import Awaitable, Callable
from typing import Any

from bench.limit import FEED_PATH

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

SCREENS: set[Send] = set()  # one Daphne process, one loop: the sockets connected now


async def application(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"daphne floor"})
        return
    if scope["type"] != "websocket" or (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    if scope["path"] == FEED_PATH:
        await feed(receive)
    else:
        await screen(receive, send)


async def feed(receive: Receive) -> None:
    """Each frame the feeder sends goes to every screen, as it is."""
    while (message := await receive())["type"] == "websocket.receive":
        for send in list(SCREENS):
            await send({"type": "websocket.send", "text": message["text"]})


async def screen(receive: Receive, send: Send) -> None:
    SCREENS.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass  # screens' pings: the floor answers nothing
    finally:
        SCREENS.discard(send)
