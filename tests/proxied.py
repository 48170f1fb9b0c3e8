"""A real Daphne with TRUSTED_PROXIES, a real nginx running docs/operations.md's blocks, and
clients behind it: a TV asking for a pairing code, a board socket, each from a chosen source
address with a chosen X-Forwarded-For."""

import asyncio
import contextlib
import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from devstack.procs import ManagedProcess
from tests.integration.stack import READY_TIMEOUT_S, ROOT, seeded_daphne
from tests.programs import debian_program

TIMEOUT_S = 5
SEED = """
from dashboard.models import Board, Display
board = Board.objects.create(slug="sales", name="Sales floor", queues="6400")
print(Display.objects.create(name="Lobby", board=board).claim())
"""

# What every test's nginx needs around the documented lines: unprivileged, in the foreground,
# everything it writes in its own folder.
NGINX_CONFIG = """
pid {tmp}/nginx.pid;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    {http}
}}
"""


def documented_nginx(section: str) -> str:
    """The one nginx block of docs/operations.md's `### section`."""
    guide = (ROOT / "docs" / "operations.md").read_text()
    text = re.split(r"^#+ ", guide.split(f"\n### {section}\n", 1)[1], flags=re.MULTILINE)[0]
    (block,) = re.findall(r"^```nginx\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return str(block)


@contextlib.contextmanager
def running_nginx(tmp: Path, http: str, **ready: Any) -> Iterator[ManagedProcess]:
    """Debian's nginx with `http` in its http block, started once `ready` (ManagedProcess's
    ready_url or ready_check) holds."""
    binary = debian_program("nginx", "nginx", "the reverse-proxy tests")
    (tmp / "nginx.conf").write_text(NGINX_CONFIG.format(tmp=tmp, http=http))
    argv = [binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", "stderr",
            "-g", "daemon off;"]  # fmt: skip
    with ManagedProcess("nginx", argv, cwd=tmp, **ready) as proxy:
        proxy.wait_ready(READY_TIMEOUT_S)
        yield proxy


@dataclass
class Served:
    """Where a test talks to the product (Daphne itself or a proxy before it)."""

    port: int
    credential: str  # a paired TV's, for the one board "sales"


@contextlib.contextmanager
def daphne_trusting(workdir: Path, redis_url: str, trusted: str) -> Iterator[Served]:
    """Daphne as production runs it, with TRUSTED_PROXIES=trusted, on a database of its own."""
    with seeded_daphne(workdir, redis_url, SEED, TRUSTED_PROXIES=trusted) as seeded:
        yield Served(seeded.port, seeded.printed[-1])  # after the shell's banner


def forwarding(forwarded_for: str | None) -> dict[str, str]:
    return {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}


def new_tv(served: Served, forwarded_for: str | None = None, source: str = "127.0.0.1") -> int:
    """The status a new TV (no cookie) gets for /tv/: 200 with a pairing code, or 429."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", served.port, timeout=TIMEOUT_S, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/tv/", headers=forwarding(forwarded_for))
        return connection.getresponse().status
    finally:
        connection.close()


async def board_answer(
    served: Served, credential: str, forwarded_for: str | None = None, source: str = "127.0.0.1"
) -> int | str:
    """What a board socket gets first: "snapshot", or the code it is closed with."""
    async with connect(
        f"ws://127.0.0.1:{served.port}/ws/board/sales/",
        origin=f"http://127.0.0.1:{served.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"wb_display={credential}", **forwarding(forwarded_for)},
        open_timeout=TIMEOUT_S,
        local_addr=(source, 0),
    ) as socket:
        try:
            return str(json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT_S))["type"])
        except ConnectionClosed:
            assert socket.close_code is not None
            return socket.close_code
