"""`make image-test`: the image built from Debian packages runs the compose set to a live board."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin

from devstack.debian_base import DEFAULT_TAG, ensure_base
from devstack.procs import free_port, sigterm_as_keyboard_interrupt

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_DIR = ROOT / "docker" / "debian"
COMPOSE_FILES = (ROOT / "docker-compose.yml", DEBIAN_DIR / "compose.yml")
IMAGES = {
    "WALLBOARD_IMAGE": "wallboard-image-test:app",
    "WALLBOARD_POSTGRES_IMAGE": "wallboard-image-test:postgres",
    "WALLBOARD_REDIS_IMAGE": "wallboard-image-test:redis",
}
# On every image built here: an earlier build's, untagged by the next, is found by it and removed.
LABEL = "wallboard-image-test"
# Exit code when the test could not run at all (no Docker here), apart from a failure (1):
# CI says so loudly and carries on (.ci/run).
NOT_RUN = 3
DOCKERD_LOG = Path(tempfile.gettempdir()) / f"wallboard-image-test-dockerd-{os.getuid()}.log"
DOCKERD_START_S = 60
# The compose set starts in order: PostgreSQL, migrate, seed_demo, then the web server.
HEALTHY_S = 240
# pbxsim's default traffic (6 callers a minute) changes a queue well within this.
LIVE_S = 90
T = TypeVar("T")


class NotRunError(RuntimeError):
    """Docker (or a tool the test needs) is missing or cannot be started here."""


class FailedError(RuntimeError):
    """The image, or the set it runs, did not do what it should."""


# What a broken image or set raises on the way (a refused socket, a page without JSON, …).
FAILURES = (FailedError, TimeoutError, OSError, ValueError, KeyError, httpx.HTTPError,
            WebSocketException, subprocess.CalledProcessError)  # fmt: skip


def say(message: str) -> None:
    print(f"image-test: {message}", flush=True)


def wait_for(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """check()'s first truthy answer, polled until timeout; FailedError names what never came."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise FailedError(f"{what}: not within {timeout:g} s")
        time.sleep(1)


def system_program(name: str) -> str | None:
    """Its path; Debian puts daemons in /usr/sbin, which a non-root PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin")


def docker_answers() -> bool:
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return info.returncode == 0


def start_dockerd() -> None:
    """Start dockerd in the background, left running like a service, and wait for it."""
    dockerd = system_program("dockerd")
    if dockerd is None:
        raise NotRunError("dockerd is not installed (Debian: apt-get install docker.io)")
    # Not root: only a sudo that asks no password can start it.
    argv = [dockerd] if os.geteuid() == 0 else ["sudo", "-n", dockerd]
    say(f"starting dockerd (log: {DOCKERD_LOG})")
    with DOCKERD_LOG.open("ab") as log:
        daemon = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    deadline = time.monotonic() + DOCKERD_START_S
    while not docker_answers():
        if daemon.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join(DOCKERD_LOG.read_text(errors="replace").splitlines()[-15:])
            raise NotRunError(f"dockerd did not start; the end of its log:\n{tail}")
        time.sleep(0.5)


def ensure_docker() -> None:
    """A Docker daemon that answers, started here if need be."""
    if not docker_answers():
        start_dockerd()


def compose_command() -> list[str]:
    """Compose v2 (the docker plugin) or v1 (Debian's docker-compose): both read these files."""
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if plugin.returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise NotRunError("Docker Compose is not installed (Debian: apt-get install docker-compose)")


def check_tools() -> list[str]:
    """Fail early, as not run, on a missing tool; returns the compose command."""
    if shutil.which("docker") is None:
        raise NotRunError("Docker is not installed (Debian: apt-get install docker.io)")
    if system_program("debootstrap") is None:
        raise NotRunError("debootstrap is not installed (Debian: apt-get install debootstrap)")
    return compose_command()


def run(argv: list[str], env: dict[str, str] | None = None) -> str:
    """Run a command; its output on failure becomes the FailedError's message."""
    done = subprocess.run(
        argv, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise FailedError(f"`{' '.join(argv[:4])} …` exited with {done.returncode}:\n{tail}")
    return done.stdout


def build_images(base: str) -> None:
    """The app image from the Dockerfile, Redis and PostgreSQL from Debian's packages; then the
    images these tags left behind are removed, so that runs do not fill the disk."""
    args = ["--build-arg", f"BASE_IMAGE={base}", "--label", LABEL]
    for name in ("postgres", "redis"):
        dockerfile = str(DEBIAN_DIR / f"{name}.Dockerfile")
        tag = IMAGES[f"WALLBOARD_{name.upper()}_IMAGE"]
        run(["docker", "build", "-q", *args, "-f", dockerfile, "-t", tag, str(DEBIAN_DIR)])
    run(["docker", "build", "-q", *args, "-t", IMAGES["WALLBOARD_IMAGE"], str(ROOT)])
    run(["docker", "image", "prune", "--force", "--filter", f"label={LABEL}"])


class ComposeSet:
    """The compose set under a project name of its own, on a free host port."""

    def __init__(self, compose: list[str]) -> None:
        self.project = f"wallboard-image-test-{secrets.token_hex(4)}"
        self.port = free_port()
        files = [arg for path in COMPOSE_FILES for arg in ("-f", str(path))]
        self.argv = [*compose, "-p", self.project, *files]
        self.env = {**IMAGES, "WALLBOARD_PORT": str(self.port),
                    "SECRET_KEY": secrets.token_urlsafe(50)}  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"

    def __call__(self, *args: str) -> str:
        return run([*self.argv, *args], self.env)

    def logs(self, *services: str, tail: str = "all") -> str:
        return self("logs", "--no-color", f"--tail={tail}", *services)


def healthy(base: str) -> dict[str, Any] | None:
    """/healthz's answer once it says the PBX link is connected and a worker beats."""
    try:
        answer = httpx.get(f"{base}/healthz", timeout=5)
    except httpx.HTTPError:
        return None
    health: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
    link, beat = health.get("pbx_link") or {}, health.get("beat") or {}
    connected = link.get("state") == "connected" and beat.get("age_s", 99) < 10
    return health if connected else None


def seeded_password(compose: ComposeSet) -> str:
    """The supervisor's password, as the init service (seed_demo) printed it."""
    found = re.search(r"user supervisor, password (\S+)", compose.logs("init"))
    if found is None:
        raise FailedError("the init service printed no supervisor login")
    return found.group(1)


def sign_in(base: str, password: str) -> str:
    """Sign in through the login form, open the board page and one of its static files (what
    collectstatic put in the image); return the session's Cookie header."""
    with httpx.Client(base_url=base, timeout=10) as client:
        form = client.get("/accounts/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            raise FailedError("the login page has no CSRF field")
        data = {"username": "supervisor", "password": password,
                "csrfmiddlewaretoken": token.group(1)}  # fmt: skip
        if client.post("/accounts/login/", data=data).status_code != 302:
            raise FailedError("the seeded supervisor could not sign in")
        page = client.get("/boards/demo/")
        style = re.search(r'href="(/static/[^"]+\.css)"', page.text)
        if style is None or client.get(style.group(1)).status_code != 200:
            raise FailedError(f"the board page ({page.status_code}) or its stylesheet did not load")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def queue_deltas(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The queue deltas a delta or batch frame carries."""
    frames = frame.get("frames", []) if frame["type"] == "batch" else [frame]
    return [f for f in frames if f["type"] == "delta" and f["stream"].startswith("queue:")]


async def next_frame(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await socket.recv())
    return frame


async def board_is_live(base: str, cookie: str) -> str:
    """The board socket's snapshot shows the PBX link connected and the queues' agents, then a
    queue changes with the simulator's traffic: what a screen shows as LIVE."""
    url = base.replace("http://", "ws://") + "/ws/board/demo/"
    async with (
        asyncio.timeout(LIVE_S),
        connect(url, additional_headers={"Cookie": cookie}, origin=Origin(base)) as socket,
    ):
        snapshot = await next_frame(socket)
        streams = snapshot.get("streams", {})
        link = (streams.get("link", {}).get("data") or {}).get("state")
        agents = (streams.get("queue:6400", {}).get("data") or {}).get("agents", [])
        if snapshot["type"] != "snapshot" or link != "connected" or not agents:
            raise FailedError(f"the board's snapshot is not live: link {link}, agents {agents}")
        while not (deltas := queue_deltas(await next_frame(socket))):
            pass
    return f"{len(agents)} agents in queue 6400, then a change of {deltas[0]['stream']}"


@contextlib.contextmanager
def step(what: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    say(f"{what}…")
    started = time.monotonic()
    try:
        yield
    finally:
        timings.append((what, time.monotonic() - started))


def check_the_set(compose: ComposeSet, timings: list[tuple[str, float]]) -> None:
    with step("start the compose set", timings):
        compose("up", "-d", "--no-build")
    with step("wait for /healthz with the PBX link connected", timings):
        health = wait_for(lambda: healthy(compose.base), HEALTHY_S, "/healthz connected")
        say(f"/healthz: database {health['database']}, redis {health['redis']}, PBX connected")
    with step("sign in and open the board", timings):
        cookie = sign_in(compose.base, seeded_password(compose))
    with step("see the board live", timings):
        try:
            say(asyncio.run(board_is_live(compose.base, cookie)))
        except TimeoutError:
            raise FailedError(f"the board socket was not live within {LIVE_S} s") from None


def image_test(compose_cmd: list[str], timings: list[tuple[str, float]]) -> None:
    with step("make the Debian base image (cached by its tag)", timings):
        say(f"{DEFAULT_TAG}: {'made now' if ensure_base() else 'cached'}")
    with step("build the images", timings):
        build_images(DEFAULT_TAG)
    compose = ComposeSet(compose_cmd)
    try:
        check_the_set(compose, timings)
    except BaseException:
        with contextlib.suppress(FailedError):
            print(compose.logs(tail="40"), file=sys.stderr)
        raise
    finally:
        with step("tear the set down", timings):
            compose("down", "-v", "--remove-orphans")


def report(verdict: str, timings: list[tuple[str, float]]) -> None:
    lines = [f"  {seconds:7.1f} s  {what}" for what, seconds in timings]
    total = sum(seconds for _, seconds in timings)
    print("\n".join(["", f"IMAGE TEST {verdict} in {total:.1f} s", *lines]), flush=True)


def not_run(reason: str) -> int:
    banner = "!" * 72
    print(f"{banner}\nIMAGE TEST NOT RUN: {reason}\n{banner}", file=sys.stderr, flush=True)
    return NOT_RUN


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--docker-only", action="store_true",
        help=f"only make sure the tools are here and dockerd answers (exit {NOT_RUN} if not)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    timings: list[tuple[str, float]] = []
    try:
        with sigterm_as_keyboard_interrupt():  # a CI timeout's SIGTERM still tears the set down
            compose_cmd = check_tools()
            with step("make sure dockerd answers", timings):
                ensure_docker()
            if args.docker_only:
                return 0
            image_test(compose_cmd, timings)
    except NotRunError as error:
        return not_run(str(error))
    except FAILURES as error:
        print(f"image-test: {type(error).__name__}: {error}", file=sys.stderr)
        report("FAILED", timings)
        return 1
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM, once the set is down
        report("INTERRUPTED", timings)
        return 130
    report("PASSED", timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
