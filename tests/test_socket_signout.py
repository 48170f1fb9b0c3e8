"""Open board sockets end within seconds of a sign-out, a deactivation or a removed grant, through
a real Daphne; other sessions of the user and paired TVs stay served (docs/protocol.md)."""

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.models import Session
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from dashboard.access import board_access
from dashboard.boards import consumers
from dashboard.models import Board
from tests.forms import csrf_field
from tests.integration.stack import manage, seeded_daphne
from tests.sockets import TIMEOUT_S, open_board, receive, session_cookie

# Far below the minutely re-check (RECHECK_S): a close within this is the fast path's doing.
CLOSE_WITHIN_S = 6
PASSWORD = "signout-password-1"
SEED = f"""
from django.contrib.auth.models import AnonymousUser, User
from dashboard.models import Board, Display
board = Board.objects.create(slug="sales", name="Sales floor", queues="6400,6401")
for name in ("ann", "ben", "cat"):
    board.viewers.add(User.objects.create_user(name, password="{PASSWORD}"))
User.objects.create_superuser("root", password="{PASSWORD}")
print(Display.objects.create(name="Lobby", board=board).pk)
"""
REMOVE_CAT = """
from django.contrib.auth.models import User
from dashboard.models import Board
Board.objects.get().viewers.remove(User.objects.get(username="cat"))
"""
PAIRING_CODE = re.compile(r'class="pairing-code"[^>]*>([A-Z0-9-]+)<')
DATE_JOINED = re.compile(r'name="(date_joined_[01])" value="([^"]*)"')


@dataclass
class Served:
    url: str
    env: dict[str, str]
    display_pk: str

    def browser(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT_S)

    def open(self, cookies: httpx.Cookies) -> Any:
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return connect(
            f"{self.url.replace('http', 'ws')}/ws/board/sales/",
            origin=self.url,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            open_timeout=TIMEOUT_S,
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    """Daphne as production runs it, on a database of its own: a board, three viewers, an
    admin and a TV not paired yet."""
    with seeded_daphne(tmp_path_factory.mktemp("signout"), redis_url, SEED) as seeded:
        yield Served(seeded.url, seeded.env, seeded.printed[-1])  # after the shell's banner


@contextlib.asynccontextmanager
async def signed_in(served: Served, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser session of this user, signed in through the login form."""
    async with served.browser() as web:
        form = (await web.get("/accounts/login/")).text
        data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_field(form)}
        assert (await web.post("/accounts/login/", data=data)).status_code == 302
        yield web


async def sign_out(web: httpx.AsyncClient) -> None:
    response = await web.post(
        "/accounts/logout/", headers={"X-CSRFToken": web.cookies["csrftoken"]}
    )
    assert response.status_code == 302


async def frame(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT_S))  # type: ignore[no-any-return]


async def closed_with(socket: ClientConnection) -> int | None:
    """The code the server closed the socket with; None while still open after CLOSE_WITHIN_S."""
    with contextlib.suppress(TimeoutError, ConnectionClosed):
        async with asyncio.timeout(CLOSE_WITHIN_S):
            async for _ in socket:
                pass
    return socket.close_code


async def answer_to_ping(socket: ClientConnection) -> Any:
    await socket.send(json.dumps({"type": "ping"}))
    return (await frame(socket))["type"]


async def test_signing_out_ends_every_socket_of_that_session_and_no_other(served: Served) -> None:
    async with (
        signed_in(served, "ann") as desk,
        signed_in(served, "ann") as laptop,
        served.open(desk.cookies) as first,
        served.open(desk.cookies) as second,
        served.open(laptop.cookies) as other,
    ):
        for socket in (first, second, other):
            assert (await frame(socket))["type"] == "snapshot"
        await sign_out(desk)
        assert [await closed_with(first), await closed_with(second)] == [4401, 4401]
        assert await answer_to_ping(other) == "pong"  # still served


async def test_a_user_an_admin_deactivates_is_disconnected(served: Served) -> None:
    async with (
        signed_in(served, "ben") as ben,
        signed_in(served, "root") as root,
        served.open(ben.cookies) as socket,
    ):
        assert (await frame(socket))["type"] == "snapshot"
        await deactivate(root, "ben")
        assert await closed_with(socket) == 4401  # the account can no longer sign in


async def deactivate(admin: httpx.AsyncClient, username: str) -> None:
    """Untick "active" in the admin's user form and save it."""
    listing = (await admin.get("/admin/auth/user/", params={"q": username})).text
    found = re.search(r'href="/admin/auth/user/(\d+)/change/', listing)
    assert found is not None, f"{username} is not listed"
    change = f"/admin/auth/user/{found.group(1)}/change/"
    form = (await admin.get(change)).text
    data = {
        "username": username,
        "csrfmiddlewaretoken": csrf_field(form),
        **dict(DATE_JOINED.findall(form)),
    }
    assert (await admin.post(change, data=data)).status_code == 302  # saved, "active" unticked


async def test_a_viewer_removed_from_the_board_elsewhere_is_disconnected(served: Served) -> None:
    """The grant is removed by another process (another web server, a script): its Daphne's
    sockets hear of it through Redis."""
    async with signed_in(served, "cat") as cat, served.open(cat.cookies) as socket:
        assert (await frame(socket))["type"] == "snapshot"
        await asyncio.to_thread(manage, served.env, "shell", "-c", REMOVE_CAT)
        assert await closed_with(socket) == 4403  # signed in, but no longer allowed


async def test_a_tv_stays_on_when_the_admin_who_paired_it_signs_out(served: Served) -> None:
    async with signed_in(served, "root") as root, served.browser() as tv:
        await pair(root, tv, served.display_pk)
        async with served.open(tv.cookies) as screen, served.open(root.cookies) as console:
            assert (await frame(screen))["type"] == (await frame(console))["type"] == "snapshot"
            await sign_out(root)
            assert await closed_with(console) == 4401  # the sign-out has gone round
            assert await answer_to_ping(screen) == "pong"  # still served


async def pair(admin: httpx.AsyncClient, tv: httpx.AsyncClient, display_pk: str) -> None:
    """The TV shows a code, the admin enters it, and the TV's next poll holds its credential."""
    code = PAIRING_CODE.search((await tv.get("/tv/")).text)
    assert code is not None, "the TV shows no pairing code"
    page = (await admin.get("/admin/dashboard/display/pair/")).text
    form = {"code": code.group(1), "display": display_pk, "csrfmiddlewaretoken": csrf_field(page)}
    await admin.post("/admin/dashboard/display/pair/", data=form)
    assert (await tv.get("/tv/pairing/")).json() == {"paired": True}
    assert "wb_display" in tv.cookies


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_redis")
@pytest.mark.parametrize(
    "change",
    [
        lambda: Session.objects.all().delete(),  # expired and cleared, or flushed
        lambda: User.objects.update(is_active=False),  # no signal: an update in bulk
    ],
    ids=["session gone", "deactivated in bulk"],
)
async def test_the_recheck_reads_the_session_and_the_user_afresh(
    board: Board, alice: User, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    """Changes no signal announces are still noticed, at the next re-check."""
    monkeypatch.setattr(consumers, "RECHECK_S", 1.0)
    socket = await open_board("sales", (b"cookie", await session_cookie(alice)))
    await receive(socket)
    await sync_to_async(change)()
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()


@pytest.mark.django_db
def test_a_deactivated_user_is_refused_even_as_loaded_before(board: Board, alice: User) -> None:
    """A socket holds the user it loaded at connect: access itself refuses inactive users, as
    Django's ModelBackend does when it loads them."""
    alice.is_active = False
    assert board_access(alice, None, "sales") == board_access(AnonymousUser(), None, "sales")
