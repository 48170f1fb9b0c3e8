"""The PBX event socket notices a PBX that stops answering within seconds, whatever its user is
busy with, and asks before it judges (a worker that was itself paused is not fooled)."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from dashboard.pbx import subscription
from dashboard.pbx.errors import PbxUnreachable
from dashboard.pbx.subscription import LinkLost, NotAnswering, not_answering, open_events

# The deadlines, scaled down so that each test takes a second or two.
PROBE_AFTER_S, REPLY_WITHIN_S, SILENCE_LIMIT_S = 0.3, 0.3, 1.0


@dataclass
class FakePbx:
    """Answers the subscription, then each `heartbeat` while `answering`; counts heartbeats."""

    answering: bool = True
    heartbeats: int = 0

    async def handle(self, socket: ServerConnection) -> None:
        await socket.recv()  # the topic list
        await socket.send(json.dumps({"errcode": 0, "errmsg": "SUCCESS"}))
        async for message in socket:
            if message == "heartbeat":
                self.heartbeats += 1
                if self.answering:
                    await socket.send("heartbeat response")


@pytest.fixture(autouse=True)
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subscription, "PROBE_AFTER_S", PROBE_AFTER_S)
    monkeypatch.setattr(subscription, "REPLY_WITHIN_S", REPLY_WITHIN_S)
    monkeypatch.setattr(subscription, "SILENCE_LIMIT_S", SILENCE_LIMIT_S)
    monkeypatch.setattr(subscription, "TICK_S", 0.05)


@contextlib.asynccontextmanager
async def fake_pbx() -> AsyncIterator[tuple[FakePbx, str]]:
    pbx = FakePbx()
    async with serve(pbx.handle, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield pbx, f"ws://127.0.0.1:{port}/openapi/v1.0/subscribe"


async def test_a_quiet_pbx_is_asked_and_its_answers_keep_the_link() -> None:
    async with fake_pbx() as (pbx, url), open_events(url, "t", [30011], 30.0, None) as link:  # type: ignore[arg-type]
        heard = link.heard_at
        with pytest.raises(TimeoutError):  # the link outlives three silence limits
            async with asyncio.timeout(3 * SILENCE_LIMIT_S):
                await link.lost()
        assert pbx.heartbeats >= 3  # asked whenever quiet, long before the 30 s keep-alive
        assert link.heard_at > heard


async def test_a_pbx_that_stops_answering_is_declared_dead_even_while_nobody_reads() -> None:
    async with fake_pbx() as (pbx, url), open_events(url, "t", [30011], 30.0, None) as link:  # type: ignore[arg-type]
        pbx.answering = False
        started = time.monotonic()
        with pytest.raises(NotAnswering, match="has not answered"):
            await link.lost()  # nobody iterates the frames: the link is read all the same
        assert SILENCE_LIMIT_S <= time.monotonic() - started < SILENCE_LIMIT_S + 1
        with pytest.raises(NotAnswering):  # and whoever reads the frames hears why too
            async for _ in link:
                pass


async def test_a_link_that_was_paused_asks_before_it_judges() -> None:
    async with fake_pbx() as (_, url), open_events(url, "t", [30011], 30.0, None) as link:  # type: ignore[arg-type]
        # The event loop was stopped for a while (a frozen process): nothing was heard, and
        # nothing was asked either. The link asks now, and lives.
        link._heard -= 10 * SILENCE_LIMIT_S
        link._sent -= 10 * SILENCE_LIMIT_S
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(2 * SILENCE_LIMIT_S):
                await link.lost()


async def test_a_closed_socket_ends_the_frames_with_why() -> None:
    async with fake_pbx() as (_, url), open_events(url, "t", [30011], 30.0, None) as link:  # type: ignore[arg-type]
        await link._socket.close()
        with pytest.raises(ConnectionClosed) as closed:
            await link.lost()
        assert not not_answering(closed.value)


def test_silence_and_timeouts_read_as_not_answering_refusals_do_not() -> None:
    assert not_answering(NotAnswering(9.0))
    assert not_answering(TimeoutError())
    timed_out = PbxUnreachable("queue/list: ReadTimeout")
    timed_out.__context__ = httpx.ReadTimeout("slow")  # as PbxRest raises it, `from None`
    assert not_answering(timed_out)
    assert not not_answering(PbxUnreachable("queue/list: connection refused"))
    assert not not_answering(LinkLost("subscription refused: -2"))
