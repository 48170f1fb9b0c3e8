"""docs/operations.md's nginx for several web processes, run for real: TLS ends at nginx, two
Daphne processes share the screens; one is killed and every screen is live again through the
other, equal to the board, while no page or health check gets a 5xx."""

import contextlib
import os
import signal
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.procs import ManagedProcess, free_port
from tests.integration.browser_stack import serve
from tests.integration.soak_screens import ScreenFleet
from tests.integration.stack import WAIT_S, Rig, start_daphne, wait_until
from tests.integration.test_soak import display_cookie
from tests.proxied import documented_nginx, running_nginx

pytestmark = pytest.mark.integration

SECTION = "Several web processes"
# What the guide names, where this test puts its own port, certificate and processes.
DOCUMENTED_LISTEN = "listen 443 ssl;"
DOCUMENTED_CERT = "/etc/ssl/wallboard/fullchain.pem"
DOCUMENTED_KEY = "/etc/ssl/wallboard/privkey.pem"
DOCUMENTED_SERVERS = ("server 127.0.0.1:8001 ", "server 127.0.0.1:8002 ")
# The test's one line around the documented block, at the http level so that every location
# inherits it: which Daphne answered, for each screen to note at its handshake.
WHICH = "add_header X-Upstream $upstream_addr always;"
SCREENS = 16
LIVE_AGAIN_S = 10  # the bound from the kill to every screen following its board again
QUEUES = ("6400", "6401")  # seed_demo's board


@dataclass
class Balanced:
    """nginx on `port` (TLS, trusted by `tls`) before the Daphne processes of `daphnes`."""

    rig: Rig
    port: int
    tls: ssl.SSLContext
    daphnes: dict[str, ManagedProcess]  # by the address nginx reaches each at
    cookie: str  # the demo TV's

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def swap(text: str, documented: str, ours: str) -> str:
    assert documented in text, f"the guide's block no longer has {documented!r}"
    return text.replace(documented, ours)


def balanced_config(port: int, upstreams: list[str], cert: Path, key: Path) -> str:
    """The guide's block with this test's port, certificate and Daphne processes."""
    block = swap(documented_nginx(SECTION), DOCUMENTED_LISTEN, f"listen 127.0.0.1:{port} ssl;")
    block = swap(block, DOCUMENTED_CERT, str(cert))
    block = swap(block, DOCUMENTED_KEY, str(key))
    for documented, address in zip(DOCUMENTED_SERVERS, upstreams, strict=True):
        block = swap(block, documented, f"server {address} ")
    return f"{WHICH}\n{block}"


def healthy(url: str, tls: ssl.SSLContext) -> bool:
    try:
        return httpx.get(url, verify=tls, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def balanced(rig: Rig, tmp_path: Path) -> Iterator[Balanced]:
    rig.env.update(TRUSTED_PROXIES="127.0.0.1", BEHIND_TLS_PROXY="true")
    stack, first = serve(rig)
    second_port = free_port()
    daphnes = {stack.web_url.removeprefix("http://"): first}
    daphnes[f"127.0.0.1:{second_port}"] = start_daphne(rig, second_port)
    cert, key = self_signed(tmp_path)
    tls = ssl.create_default_context(cafile=str(cert))
    port = free_port()
    (tmp_path / "nginx").mkdir()
    http = balanced_config(port, list(daphnes), cert, key)
    check = {"ready_check": lambda: healthy(f"https://127.0.0.1:{port}/healthz", tls)}
    with running_nginx(tmp_path / "nginx", http, **check):
        yield Balanced(rig, port, tls, daphnes, display_cookie(rig.env))


@dataclass
class Poller:
    """A browser's other traffic through nginx: /healthz and the TV's page, in turn, until
    stopped; every status it got, and every request that got none."""

    balanced: Balanced
    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(
            base_url=self.balanced.origin, verify=self.balanced.tls, timeout=5,
            headers={"Cookie": self.balanced.cookie},
        ) as client:  # fmt: skip
            while not self.stop.wait(0.05):
                for path in ("/healthz", "/tv/"):
                    try:
                        self.statuses.append(client.get(path).status_code)
                    except httpx.HTTPError as error:
                        self.failures.append(repr(error))


@contextlib.contextmanager
def in_background(work: Callable[[], None], stop: threading.Event) -> Iterator[None]:
    """`work` running in a thread until the block ends."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def callers(rig: Rig, stop: threading.Event) -> None:
    """A new caller on the board's queues every half second: queue deltas throughout."""
    number = 0
    while not stop.wait(0.5):
        number += 1
        queue = QUEUES[number % len(QUEUES)]
        rig.sim("POST", "calls", {"queue": queue, "caller": f"555{number:04d}"})


def board_truth(balanced: Balanced) -> dict[str, Any]:
    """The board's streams as the snapshot API gives them, through nginx."""
    response = httpx.get(
        f"{balanced.origin}/api/boards/demo/snapshot/", verify=balanced.tls, timeout=5,
        headers={"Cookie": balanced.cookie},
    )  # fmt: skip
    response.raise_for_status()
    return dict(response.json()["streams"])


def same_as_board(fleet: ScreenFleet, balanced: Balanced) -> bool:
    """Every screen shows each queue as the board has it now, at the same seq."""
    queues = [(name, s) for name, s in board_truth(balanced).items() if name.startswith("queue:")]
    return all(
        screen.seqs.get(name) == stream["seq"] and screen.data.get(name) == stream["data"]
        for screen in fleet.screens
        for name, stream in queues
    )


def moves(fleet: ScreenFleet) -> list[tuple[str, int]]:
    """Where each screen's socket is, and how many it has opened."""
    return [(screen.upstream, screen.connects) for screen in fleet.screens]


def every_screen_live(fleet: ScreenFleet, since: float) -> Callable[[], bool]:
    def live() -> bool:
        """Every screen has applied a delta since then, after its latest snapshot."""
        return all(screen.live_since(since) for screen in fleet.screens)

    return live


def kill(daphne: ManagedProcess) -> float:
    """SIGKILL, as a crash or the OOM killer would: no socket is closed cleanly. When."""
    assert daphne.pid is not None
    os.kill(daphne.pid, signal.SIGKILL)
    return time.monotonic()


def test_killing_a_web_process_leaves_every_screen_live_through_the_other(
    balanced: Balanced,
) -> None:
    url = f"wss://127.0.0.1:{balanced.port}/ws/board/demo/"
    fleet = ScreenFleet(url, balanced.origin, balanced.cookie, SCREENS, balanced.tls)
    poller, calling = Poller(balanced), threading.Event()
    victim, survivor = list(balanced.daphnes)
    with fleet, in_background(poller.run, poller.stop):
        with in_background(lambda: callers(balanced.rig, calling), calling):
            wait_until(every_screen_live(fleet, 0), WAIT_S)
            before, polled = moves(fleet), len(poller.statuses)
            assert {upstream for upstream, _ in before} == {victim, survivor}, before
            killed = kill(balanced.daphnes[victim])
            wait_until(every_screen_live(fleet, killed), LIVE_AGAIN_S)
        # The victim's screens came back through the survivor; the survivor's kept their socket.
        expected = [(survivor, n + (upstream == victim)) for upstream, n in before]
        assert moves(fleet) == expected, fleet.describe()

        def no_gap() -> bool:
            """Every screen's queues equal the board's (the snapshot API) once callers stop."""
            return same_as_board(fleet, balanced)

        wait_until(no_gap, WAIT_S)
    assert poller.failures == []
    assert len(poller.statuses) > polled
    assert max(poller.statuses) < 500, sorted(set(poller.statuses))
