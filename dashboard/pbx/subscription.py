"""The PBX event socket: subscribe, heartbeat, and hand out events until the link dies.

The socket is read all the time, whatever its user is busy with (a long REST resync, say), so
that the PBX's last sign of life is always known and a PBX that stops answering is noticed
within seconds: after PROBE_AFTER_S of silence a `heartbeat` asks it to speak, and after
SILENCE_LIMIT_S with a question unanswered for REPLY_WITHIN_S the link is declared dead."""

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from dashboard.live.events import HeartbeatReply, Malformed, PbxEvent, SubscribeReply, parse_frame
from dashboard.pbx.errors import PbxUnreachable, error_for
from dashboard.pbx.rest import USER_AGENT

log = logging.getLogger(__name__)

SUBSCRIBE_REPLY_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 2.0  # a PBX that does not close the socket with us within this is cut off
MAX_FRAME_BYTES = 1 << 20  # the largest PBX event we have seen is a few KB
# Silence this long: send a heartbeat (the PBX answers at once; it closes a socket idle 60 s,
# so heartbeats more often than the keep-alive interval are harmless).
PROBE_AFTER_S = 2.5
# Nothing at all from the PBX this long, and a heartbeat sent since unanswered this long: the
# PBX is not answering. (A worker that was itself paused asks again before judging.)
SILENCE_LIMIT_S = 8.0
REPLY_WITHIN_S = 3.0
# How often the reader looks at the clock while the socket is quiet.
TICK_S = 0.5
# Frames read but not yet taken by a user this far behind: give up the link (a resync follows).
MAX_WAITING_FRAMES = 100_000


def now_ms() -> int:
    return int(time.time() * 1000)  # pbx/ keeps to itself: dashboard.clock's unit


# Malformed frames go on too: the worker counts them (/healthz) and logs each kind once.
Frame = PbxEvent | HeartbeatReply | Malformed


class LinkLost(Exception):
    """The event socket closed, timed out or refused our subscription; `code` and `params`
    name the case for screens (dashboard/pbx/reasons.py), the message is for logs."""

    def __init__(self, message: str, code: str = "closed", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class NotAnswering(LinkLost):
    """The PBX stopped answering: no event and no heartbeat response within the deadline."""

    def __init__(self, silent_s: float) -> None:
        super().__init__(
            f"the PBX has not answered for {silent_s:.0f} s (no event, no heartbeat response)",
            "pbx_silent",
            seconds=round(silent_s),
        )


def not_answering(error: BaseException) -> bool:
    """Silence rather than a refusal: the PBX, or the way to it, stopped answering (the event
    socket's deadline, a connection or a REST request that timed out)."""
    if isinstance(error, NotAnswering | TimeoutError):
        return True
    return isinstance(error, PbxUnreachable) and isinstance(
        error.__context__, httpx.TimeoutException
    )


class EventLink:
    """A subscribed event socket: its frames in order (`async for`), when the PBX was last heard
    from, and `lost()`, which returns (raising why) only when the link is dead."""

    def __init__(self, socket: ClientConnection, heartbeat_s: float) -> None:
        self._socket = socket
        self._keep_alive_s = heartbeat_s
        self._waiting: asyncio.Queue[Frame | None] = asyncio.Queue()
        self._ended: Exception | None = None
        self._heard = self._sent = time.monotonic()  # the subscription was just answered
        self._asked: float | None = None  # first heartbeat sent since the PBX was last heard
        self.heard_at = now_ms()  # the PBX's last sign of life (epoch ms)
        self._reader = asyncio.create_task(self._read())  # last: it reads the fields above

    @property
    def backlog(self) -> int:
        """Frames received and not yet taken: events the worker has still to apply."""
        return self._waiting.qsize()

    async def stop(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        if isinstance(self._ended, NotAnswering):
            self._socket.transport.abort()  # a closing handshake would wait on it in vain

    async def lost(self) -> None:
        """Wait until the link dies and raise why (never cancels the reader: others read too)."""
        await asyncio.wait({self._reader})
        raise self._why()

    async def __aiter__(self) -> AsyncIterator[Frame]:
        while (frame := await self._waiting.get()) is not None:
            yield frame
        raise self._why()

    def _why(self) -> Exception:
        return self._ended or LinkLost("the event socket was closed")

    async def _read(self) -> None:
        try:
            while True:
                await self._heartbeat_if_due(time.monotonic())
                try:
                    async with asyncio.timeout(TICK_S):
                        text = await self._socket.recv()
                except TimeoutError:
                    self._check_answering(time.monotonic())
                    continue
                self._take(text if isinstance(text, str) else text.decode(errors="replace"))
        except Exception as error:  # kept for lost() and the frames' reader, which raise it
            self._ended = error
        finally:
            self._waiting.put_nowait(None)

    def _take(self, text: str) -> None:
        self._heard, self._asked, self.heard_at = time.monotonic(), None, now_ms()
        frame = parse_frame(text)
        if isinstance(frame, PbxEvent | HeartbeatReply | Malformed):
            if self._waiting.qsize() >= MAX_WAITING_FRAMES:
                raise LinkLost(
                    f"{MAX_WAITING_FRAMES} PBX events waiting: the worker fell behind",
                    "fell_behind",
                )
            self._waiting.put_nowait(frame)

    async def _heartbeat_if_due(self, now: float) -> None:
        """Keep-alive every heartbeat interval, and a question whenever the PBX is quiet."""
        quiet = now - self._heard >= PROBE_AFTER_S and now - self._sent >= PROBE_AFTER_S
        if quiet or now - self._sent >= self._keep_alive_s:
            await self._socket.send("heartbeat")
            self._sent = now
            if self._asked is None and quiet:
                self._asked = now

    def _check_answering(self, now: float) -> None:
        asked_long_ago = self._asked is not None and now - self._asked >= REPLY_WITHIN_S
        if asked_long_ago and now - self._heard >= SILENCE_LIMIT_S:
            raise NotAnswering(now - self._heard)


@contextlib.asynccontextmanager
async def open_events(
    url: str, token: str, topics: list[int], heartbeat_s: float, tls: ssl.SSLContext
) -> AsyncIterator[EventLink]:
    """Connect and subscribe, then hand out the link while reading and heartbeating. `tls` is
    `PbxSettings.tls_verify`, the REST client's TLS policy; a ws:// URL does without it.

    Iterating the link raises (LinkLost, NotAnswering, the socket's ConnectionClosed) once it
    dies; a PBX that stops answering is declared dead within SILENCE_LIMIT_S."""
    async with _connect(
        f"{url}?access_token={token}",
        ssl=tls if url.startswith("wss:") else None,
        user_agent_header=USER_AGENT,
        ping_interval=None,  # the PBX documents its own text heartbeat, not WebSocket pings
        max_size=MAX_FRAME_BYTES,
        open_timeout=10,
        close_timeout=CLOSE_TIMEOUT_S,
    ) as socket:
        await _subscribe(socket, topics)
        link = EventLink(socket, heartbeat_s)  # reading from now on
        try:
            yield link
        finally:
            await link.stop()


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
        status = refused.response.status_code
        return LinkLost(
            f"the PBX refused the event socket (HTTP {status})", "refused_socket", status=status
        )


async def _subscribe(socket: ClientConnection, topics: list[int]) -> None:
    await socket.send(json.dumps({"topic_list": topics}))
    async with asyncio.timeout(SUBSCRIBE_REPLY_TIMEOUT_S):
        while True:
            frame = parse_frame(str(await socket.recv()))
            if isinstance(frame, SubscribeReply):
                break
    if frame.errcode != 0:
        raise LinkLost(
            f"subscription refused: {frame.errcode} {frame.errmsg}",
            "subscription_refused",
            errcode=frame.errcode,
        )
