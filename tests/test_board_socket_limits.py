"""The board socket's limits on what browsers send, through a real Daphne: size, nesting, floods."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from dashboard.boards.acks import TokenBucket, Unacked
from dashboard.boards.consumers import MESSAGE_BURST
from dashboard.boards.refusals import MAX_REFUSALS
from devstack.procs import ManagedProcess
from tests.integration.stack import seeded_daphne

TIMEOUT_S = 5
# Unread resyncs a flooder tries to send, and how far it may take Daphne's memory (issue bound).
FLOOD_MESSAGES = 500_000
FLOOD_GROWTH_MB = 64
# A loopback address of the flooder's own, so the limit it earns spares the other tests.
FLOODER_ADDRESS = "127.0.0.9"
# Two paired TVs showing one board: one misbehaves, the other must stay served.
SEED = """
from dashboard.models import Board, Display
board = Board.objects.create(slug="sales", name="Sales floor", queues="6400,6401")
print(Display.objects.create(name="Lobby", board=board).claim())
print(Display.objects.create(name="Hall", board=board).claim())
"""


class Served:
    def __init__(self, port: int, credentials: list[str], daphne: ManagedProcess) -> None:
        self.port, self.credentials, self.daphne = port, credentials, daphne

    def open(self, tv: int = 0, **options: Any) -> Any:
        return connect(
            f"ws://127.0.0.1:{self.port}/ws/board/sales/",
            origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"wb_display={self.credentials[tv]}"},
            open_timeout=TIMEOUT_S,
            **options,
        )

    def rss_mb(self) -> float:
        assert self.daphne.pid is not None
        return float(psutil.Process(self.daphne.pid).memory_info().rss) / 2**20


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    """Daphne as production runs it, on a database of its own holding one board and two TVs."""
    with seeded_daphne(tmp_path_factory.mktemp("limits"), redis_url, SEED) as seeded:
        yield Served(seeded.port, seeded.printed[-2:], seeded.daphne)  # after the shell's banner


async def frame(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT_S))  # type: ignore[no-any-return]


async def until_closed(socket: ClientConnection) -> list[dict[str, Any]]:
    """The frames the server sends until it closes the socket (`socket.close_code` says how)."""
    frames = []
    try:
        while True:
            frames.append(await frame(socket))
    except ConnectionClosed:
        return frames


@pytest.mark.parametrize("sent", ["x" * 5000, b"\x00\x01"], ids=["oversized", "binary"])
async def test_oversized_or_binary_input_closes_with_4413(
    served: Served, sent: str | bytes
) -> None:
    async with served.open() as socket:
        assert (await frame(socket))["type"] == "snapshot"
        await socket.send(sent)
        assert await until_closed(socket) == []
        assert socket.close_code == 4413
    assert "invalid close code" not in served.daphne.output_tail()


async def test_deeply_nested_input_is_answered_with_an_error_frame(served: Served) -> None:
    async with served.open() as socket:
        await frame(socket)
        await socket.send("[" * 2000 + "]" * 2000)  # within 4 KiB
        answer = await frame(socket)
        assert answer == {"type": "error", "error": "nested too deeply"}
        await socket.send(json.dumps({"type": "ping"}))
        assert (await frame(socket))["type"] == "pong"  # still connected


async def test_a_resync_flood_is_closed_with_one_snapshot_in_flight(served: Served) -> None:
    async with served.open(1) as neighbour, served.open(0) as flooder:
        snapshot = await frame(neighbour)
        # Beyond the board's budget, short of Daphne's door (64 unread), never acknowledging
        # the snapshot: the board itself closes it, with at most that one snapshot sent.
        for _ in range(MESSAGE_BURST + 10):
            await flooder.send(json.dumps({"type": "resync"}))
        kinds = [sent["type"] for sent in await until_closed(flooder)]
        assert flooder.close_code == 4429
        assert kinds == ["snapshot"]
        acks = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
        await neighbour.send(json.dumps({"type": "ping", "seq": acks}))
        assert (await frame(neighbour))["type"] == "pong"
        await neighbour.send(json.dumps({"type": "resync"}))
        assert (await frame(neighbour))["type"] == "snapshot"


async def flood_until_cut_off(socket: ClientConnection, most: int) -> int:
    """Resyncs as fast as the socket takes them: how many went before the server cut it off."""
    sent = 0
    try:
        while sent < most:
            await socket.send('{"type":"resync"}')
            sent += 1
    except ConnectionClosed:
        pass
    return sent


async def test_a_flood_that_never_reads_is_cut_off_before_daphne_queues_it(
    served: Served,
) -> None:
    """Daphne queues what a socket sends without limit: a client faster than the board reads
    its messages is cut off at the door, before the queue takes the server's memory."""
    before = served.rss_mb()
    async with served.open(1) as neighbour, served.open(0, max_queue=1) as flooder:
        snapshot = await frame(neighbour)
        sent = await flood_until_cut_off(flooder, FLOOD_MESSAGES)
        assert sent < FLOOD_MESSAGES
        assert served.rss_mb() - before < FLOOD_GROWTH_MB
        acks = {stream: entry["seq"] for stream, entry in snapshot["streams"].items()}
        await neighbour.send(json.dumps({"type": "ping", "seq": acks}))
        assert (await frame(neighbour))["type"] == "pong"


async def test_a_client_that_floods_again_and_again_is_turned_away_before_any_snapshot(
    served: Served,
) -> None:
    """Each flood costs the server a handshake, an access check and a snapshot: a client that
    keeps reconnecting to flood is counted like one refused, and soon turned away unchecked."""
    ping = json.dumps({"type": "ping"})
    for _ in range(MAX_REFUSALS):
        async with served.open(0, local_addr=(FLOODER_ADDRESS, 0)) as flooder:
            assert (await frame(flooder))["type"] == "snapshot"
            for _ in range(MESSAGE_BURST + 1):
                await flooder.send(ping)
            await until_closed(flooder)
            assert flooder.close_code == 4429
    async with served.open(0, local_addr=(FLOODER_ADDRESS, 0)) as again:
        assert await until_closed(again) == []
        assert again.close_code == 4429
    async with served.open(1) as neighbour:  # from another address
        assert (await frame(neighbour))["type"] == "snapshot"


def test_the_message_budget_allows_a_burst_then_a_steady_rate() -> None:
    budget = TokenBucket(burst=3, rate=1.0, now=0)
    assert [budget.take(now=0) for _ in range(4)] == [True, True, True, False]
    assert budget.take(now=1)
    assert not budget.take(now=1.5)
    assert [budget.take(now=100) for _ in range(4)] == [True, True, True, False]  # never above 3


def test_a_snapshot_is_in_flight_until_acknowledged() -> None:
    unacked = Unacked(max_chars=100, deadline_s=60)
    unacked.sent({"queue:1": 4}, 50, now=0, snapshot=True)
    unacked.sent({"queue:1": 5}, 30, now=1)
    unacked.ack({"queue:1": 3})
    assert unacked.snapshot_in_flight()
    unacked.ack({"queue:1": 4})
    assert not unacked.snapshot_in_flight()
    assert unacked.chars == 30  # the delta after it still counts
