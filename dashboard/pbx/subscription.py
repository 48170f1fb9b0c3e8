"""The PBX event socket: subscribe, heartbeat, and yield events until the link dies."""

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from dashboard.live.events import HeartbeatReply, Malformed, PbxEvent, SubscribeReply, parse_frame
from dashboard.pbx.errors import error_for
from dashboard.pbx.rest import USER_AGENT

log = logging.getLogger(__name__)

SUBSCRIBE_REPLY_TIMEOUT_S = 10.0
MAX_FRAME_BYTES = 1 << 20  # the largest PBX event we have seen is a few KB


class LinkLost(Exception):
    """The event socket closed, timed out or refused our subscription."""


@contextlib.asynccontextmanager
async def open_events(
    url: str, token: str, topics: list[int], heartbeat_s: float, tls: ssl.SSLContext
) -> AsyncIterator[AsyncIterator[PbxEvent | HeartbeatReply]]:
    """Connect and subscribe, then hand out the frame iterator while heartbeating. `tls` is
    `PbxSettings.tls_verify`, the REST client's TLS policy; a ws:// URL does without it.

    The iterator raises LinkLost when nothing (not even a heartbeat reply) arrives for two
    heartbeat intervals, so a half-dead TCP link is noticed within a minute."""
    async with _connect(
        f"{url}?access_token={token}",
        ssl=tls if url.startswith("wss:") else None,
        user_agent_header=USER_AGENT,
        ping_interval=None,  # the PBX documents its own text heartbeat, not WebSocket pings
        max_size=MAX_FRAME_BYTES,
        open_timeout=10,
    ) as socket:
        await _subscribe(socket, topics)
        beating = asyncio.create_task(_heartbeat(socket, heartbeat_s))
        try:
            yield _events(socket, silence_limit_s=2 * heartbeat_s + 5)
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating


@contextlib.asynccontextmanager
async def _connect(url: str, **options: Any) -> AsyncIterator[ClientConnection]:
    """Open the socket; a refused upgrade carrying the PBX's errcode becomes that PbxError
    (10004 → TokenExpired, so the caller renews the token)."""
    try:
        socket = await connect(url, **options)
    except InvalidStatus as refused:
        raise _refusal(refused) from None
    async with socket:
        yield socket


def _refusal(refused: InvalidStatus) -> Exception:
    try:
        body = json.loads(refused.response.body or b"")
        return error_for(int(body["errcode"]), str(body.get("errmsg", "")), "subscribe", body)
    except (ValueError, KeyError, TypeError):
        return LinkLost(f"the PBX refused the event socket (HTTP {refused.response.status_code})")


async def _subscribe(socket: ClientConnection, topics: list[int]) -> None:
    await socket.send(json.dumps({"topic_list": topics}))
    async with asyncio.timeout(SUBSCRIBE_REPLY_TIMEOUT_S):
        while True:
            frame = parse_frame(str(await socket.recv()))
            if isinstance(frame, SubscribeReply):
                break
    if frame.errcode != 0:
        raise LinkLost(f"subscription refused: {frame.errcode} {frame.errmsg}")


async def _heartbeat(socket: ClientConnection, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        await socket.send("heartbeat")


async def _events(
    socket: ClientConnection, silence_limit_s: float
) -> AsyncIterator[PbxEvent | HeartbeatReply]:
    while True:
        try:
            async with asyncio.timeout(silence_limit_s):
                text = await socket.recv()
        except TimeoutError:
            raise LinkLost(f"nothing from the PBX for {silence_limit_s:.0f} s") from None
        frame = parse_frame(text if isinstance(text, str) else text.decode(errors="replace"))
        if isinstance(frame, PbxEvent | HeartbeatReply):
            yield frame
        elif isinstance(frame, Malformed):
            log.warning("Ignored a malformed PBX frame (%s): %.120s", frame.reason, frame.text)
