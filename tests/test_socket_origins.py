"""Board sockets accept only the origins the site is served from (scheme, host and port), through
a real Daphne: a signed-in supervisor's cookie is no use to a page of another origin."""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.integration.stack import seeded_daphne
from wallboard.origins import parse_origin, trusted

TIMEOUT_S = 5
TRUSTED = "https://wallboard.example.com"
# A viewer of the board, signed in: the session cookie a page of another origin would ride on.
SEED = """
from django.contrib.auth.models import User
from django.test import Client
from dashboard.models import Board
board = Board.objects.create(slug="sales", name="Sales floor", queues="6400")
board.viewers.add(User.objects.create_user("ann", password="origin-password-1"))
browser = Client()
browser.force_login(User.objects.get(username="ann"))
print(browser.cookies["sessionid"].value)
"""


@dataclass
class Served:
    port: int
    session: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    """Daphne as production runs it behind a TLS proxy: its public name in ALLOWED_HOSTS and
    CSRF_TRUSTED_ORIGINS, the proxy's X-Forwarded-Proto believed."""
    settings = {
        "ALLOWED_HOSTS": "localhost,127.0.0.1,wallboard.example.com",
        "CSRF_TRUSTED_ORIGINS": TRUSTED,
        "BEHIND_TLS_PROXY": "true",
    }
    with seeded_daphne(tmp_path_factory.mktemp("origins"), redis_url, SEED, **settings) as seeded:
        yield Served(seeded.port, seeded.printed[-1])  # after the shell's banner


async def first_answer(
    served: Served, origin: str | None, host: str | None = None, proto: str | None = None
) -> int | str:
    """The board socket's first frame type ("snapshot"), or the HTTP status of a refused
    handshake. `host` is the Host header (default: Daphne's own address), `proto` a proxy's
    X-Forwarded-Proto."""
    headers = {"Cookie": f"sessionid={served.session}"}
    if proto is not None:
        headers["X-Forwarded-Proto"] = proto
    try:
        async with connect(
            f"ws://{host or f'127.0.0.1:{served.port}'}/ws/board/sales/",
            host="127.0.0.1",
            port=served.port,
            origin=Origin(origin) if origin is not None else None,
            additional_headers=headers,
            open_timeout=TIMEOUT_S,
        ) as socket:
            return str(json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT_S))["type"])
    except InvalidStatus as refused:
        return refused.response.status_code


async def test_the_sites_own_origin_gets_the_board(served: Served) -> None:
    assert await first_answer(served, f"http://127.0.0.1:{served.port}") == "snapshot"


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # the same host, another port: another application
        "https://127.0.0.1:{port}",  # another scheme
        "http://localhost:{port}",  # another host name, though this site answers to it too
        "http://127.0.0.1",  # the default port, not this one
        "null",  # a sandboxed page or a file
    ],
)
async def test_an_origin_the_site_is_not_served_from_is_refused(
    served: Served, origin: str
) -> None:
    assert await first_answer(served, origin.format(port=served.port)) == 403


async def test_a_handshake_without_an_origin_is_refused(served: Served) -> None:
    """Browsers always send one; a script must name the site's origin as the browser would."""
    assert await first_answer(served, None) == 403


async def test_a_host_the_site_does_not_answer_to_is_refused_even_with_its_own_origin(
    served: Served,
) -> None:
    """A name rebound to this server's address: the origin matches the Host, which is not ours."""
    evil = f"evil.example:{served.port}"
    assert await first_answer(served, f"http://{evil}", host=evil) == 403


async def test_behind_the_tls_proxy_the_public_https_origin_is_accepted(served: Served) -> None:
    """The proxy forwards the public Host over plain ws: CSRF_TRUSTED_ORIGINS names the origin."""
    assert await first_answer(served, TRUSTED, host="wallboard.example.com") == "snapshot"


async def test_the_proxys_forwarded_scheme_makes_the_sites_origin_https(served: Served) -> None:
    """localhost is not in CSRF_TRUSTED_ORIGINS: its origin comes from Host and X-Forwarded-Proto
    (BEHIND_TLS_PROXY), so https is this site's origin and plain http no longer is."""
    assert await first_answer(served, "https://localhost", "localhost", "https") == "snapshot"
    assert await first_answer(served, "http://localhost", "localhost", "https") == 403


@pytest.mark.parametrize(
    ("origin", "pattern", "matches"),
    [
        ("https://wallboard.example.com", "https://wallboard.example.com", True),
        ("https://wallboard.example.com", "https://wallboard.example.com:443", True),
        ("https://wallboard.example.com:8443", "https://wallboard.example.com", False),
        ("http://wallboard.example.com", "https://wallboard.example.com", False),
        ("https://sub.example.com", "https://*.example.com", True),  # as Django reads it
        ("https://sub.example.com:8443", "https://*.example.com", False),
        ("https://evil-example.com", "https://*.example.com", False),
        ("http://[::1]:8000", "http://[::1]:8000", True),
    ],
)
def test_a_trusted_origin_matches_by_scheme_host_and_port(
    origin: str, pattern: str, matches: bool
) -> None:
    parsed = parse_origin(origin)
    assert parsed is not None
    assert trusted(parsed, pattern) is matches


@pytest.mark.parametrize(
    "text", ["null", "", "http://", "ftp://example.com", "http://example.com/", "http://h:99999"]
)
def test_what_is_no_origin(text: str) -> None:
    assert parse_origin(text) is None
