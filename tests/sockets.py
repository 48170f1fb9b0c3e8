"""What the board-socket tests share: opening a board as a user or a TV, and a live publisher."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from dashboard.boards.livestore import live_redis
from dashboard.models import Board, Display
from dashboard.worker.leader import Leadership
from dashboard.worker.publish import Pacer, Publisher
from wallboard.asgi import application

TIMEOUT_S = 5
ORIGIN = (b"origin", b"http://localhost")
StartPublisher = Callable[..., Awaitable[Publisher]]


@sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@sync_to_async
def paired_display(board: Board, revoked: bool = False) -> bytes:
    display = Display.objects.create(name="Lobby TV", board=board, revoked=revoked)
    return f"wb_display={display.claim()}".encode()


async def open_board(slug: str, *headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/board/{slug}/", headers=[ORIGIN, (b"host", b"localhost"), *headers]
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT_S)
    assert connected
    return communicator


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return json.loads(await communicator.receive_from(timeout=TIMEOUT_S))  # type: ignore[no-any-return]


@contextlib.asynccontextmanager
async def publishing() -> AsyncIterator[StartPublisher]:
    """Start publishers as the active worker would: holding (and renewing) the lease."""
    holds: list[asyncio.Task[None]] = []

    async def start(pacer: Pacer | None = None) -> Publisher:
        leadership = Leadership(live_redis(), "test-worker")
        await leadership.acquire()
        holds.append(asyncio.create_task(leadership.hold()))
        pub = Publisher(leadership, get_channel_layer(), pacer)
        await pub.start_epoch()
        return pub

    try:
        yield start
    finally:
        for hold in holds:
            hold.cancel()
        await asyncio.gather(*holds, return_exceptions=True)


def with_db(url: str, db: int) -> str:
    """The same Redis server's database `db`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


def waiting(*callers: str) -> dict[str, Any]:
    return {
        "number": "6400",
        "name": "Sales",
        "waiting": [
            {"call_id": f"1.{i}", "caller": c, "since": 1000} for i, c in enumerate(callers)
        ],
    }
