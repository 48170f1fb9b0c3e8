"""Helpers to run the product for a test: pbxsim, workers and Daphne as real processes."""

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import redis

from dashboard.streams import LINK_STREAM, stream_key
from devstack.procs import ManagedProcess, ProcessGroup, free_port
from devstack.web import daphne_args
from tests.postgres import process_database_url
from tests.simcontrol import SimControl

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30
# Long enough for a dead link to be noticed (2 heartbeats of 5 s + 5 s) and the reconnect.
WAIT_S = 25
SIM_CLIENT_ID = "wallboard"


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def orm(env: dict[str, str], code: str) -> str:
    """Run `code` in the product's Django shell, as an admin would change the configuration
    (the models Board, Display and ActionAttempt imported); what it printed."""
    prelude = "from dashboard.models import ActionAttempt, Board, Display; "
    return manage(env, "shell", "--no-imports", "-c", prelude + code)


def keep_history(
    env: dict[str, str],
    intervals: dict[datetime, dict[str, int]],
    agents_day: date,
    agents: dict[str, Any],
    queue: str = "6400",
) -> None:
    """What the worker would have kept: `queue`'s intervals (each start with its counters), and
    the agents of `agents_day` as kept at its roll-over."""
    rows = [(start.isoformat(), counters) for start, counters in intervals.items()]
    data = {"day": agents_day.isoformat(), "agents": agents, "paused_since": {}, "held_since": {}}
    code = (
        "from datetime import datetime\n"
        "from dashboard.models import DaySnapshot, QueueInterval\n"
        f"for start, counters in {rows!r}:\n"
        f"    QueueInterval.objects.create(queue={queue!r}, start=datetime.fromisoformat(start),"
        " counters=counters)\n"
        f"DaySnapshot.objects.create(day={data['day']!r}, data={data!r})"
    )
    manage(env, "shell", "--no-imports", "-c", code)


# Tests search whole logs (for secrets, say): keep every line a test run's processes print.
LOG_LINES_KEPT = 200_000


def process(name: str, args: list[str], env: dict[str, str], **ready: Any) -> ManagedProcess:
    argv = [sys.executable, *args]
    return ManagedProcess(name, argv, env=env, cwd=ROOT, tail_lines=LOG_LINES_KEPT, **ready)


def start_daphne(rig: "Rig", port: int) -> ManagedProcess:
    """Daphne on 127.0.0.1:port in front of the rig, started once its health check answers."""
    argv = ["-m", "daphne", *daphne_args("127.0.0.1", port)]
    daphne = process("daphne", argv, rig.env, ready_url=f"http://127.0.0.1:{port}/healthz")
    rig.processes.start(daphne)
    return daphne


@dataclass
class Seeded:
    """Daphne on a database of its own: its port, its environment, the words the seed printed."""

    port: int
    env: dict[str, str]
    printed: list[str]
    daphne: ManagedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def seeded_daphne(workdir: Path, redis_url: str, seed: str, **settings: str) -> Iterator[Seeded]:
    """Daphne as production runs it, on a database in `workdir` that `seed` (a `manage.py shell`
    script) fills first; `settings` add to its environment."""
    env = {"DATABASE_URL": process_database_url(workdir), "REDIS_URL": redis_url, **settings}
    manage(env, "migrate", "--no-input", "-v0")
    printed = manage(env, "shell", "-c", seed).split() if seed else []
    port = free_port()
    argv = [sys.executable, "-m", "daphne", *daphne_args("127.0.0.1", port)]
    ready = f"http://127.0.0.1:{port}/healthz"
    with ManagedProcess("daphne", argv, env=env, cwd=ROOT, ready_url=ready) as daphne:
        daphne.wait_ready(READY_TIMEOUT_S)
        yield Seeded(port, env, printed, daphne)


def rig_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    return {
        "SECRET_KEY": "integration-test-only",
        "DATABASE_URL": process_database_url(tmp_path),
        "REDIS_URL": redis_url,
        "PBX_CLIENT_ID": SIM_CLIENT_ID,
        "PBX_CLIENT_SECRET": secrets.token_hex(8),
        "PBX_HEARTBEAT_SECONDS": "5",
    }


def wait_until(condition: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    """Poll a condition until it holds (returning its value) or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not true after {timeout} s: {condition.__doc__}"
        time.sleep(0.1)
    return value


def read_link(redis_url: str) -> dict[str, Any] | None:
    """The PBX link as the active worker last published it."""
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        raw = client.get(stream_key(LINK_STREAM))
    return json.loads(str(raw))["data"] if raw else None


def link_state(redis_url: str, state: str) -> Callable[[], bool]:
    def check() -> bool:
        link = read_link(redis_url)
        return link is not None and link["state"] == state

    return check


@dataclass
class Rig:
    """A simulator and the workers talking to it, sharing one database and one Redis."""

    env: dict[str, str]
    processes: ProcessGroup
    sim_url: str = ""
    workers: list[ManagedProcess] = field(default_factory=list)
    control: SimControl | None = None  # the running simulator's control API (start_sim)

    @property
    def redis_url(self) -> str:
        return self.env["REDIS_URL"]

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Drive the simulator's control API (ground truth, scripted callers, faults)."""
        assert self.control is not None, "start_sim() first"
        return self.control.request(method, path, body)

    @property
    def tls(self) -> bool:
        return "SIM_TLS_DIR" in self.env

    @property
    def tls_cert(self) -> Path:
        """The simulator's self-signed certificate, when started with --tls."""
        return Path(self.env["SIM_TLS_DIR"]) / "cert.pem"

    def start_sim(self, secret: str, extra: list[str] | None = None) -> None:
        extra = list(extra or [])
        if "--tls" in extra:
            extra += ["--tls-dir", self.env.setdefault("SIM_TLS_DIR", tempfile.mkdtemp())]
        argv = ["-m", "pbxsim", "--port", "0", "--client-id", SIM_CLIENT_ID,
                "--client-secret", secret, "--arrival-per-min", "0", *extra]  # fmt: skip
        pattern = r"pbxsim listening on (https?://\S+)"
        (url,) = self.processes.start(process("pbxsim", argv, self.env, ready_line_pattern=pattern))
        self.sim_url = str(url)
        self.env["PBX_URL"] = self.sim_url
        self.control = SimControl(self.sim_url, self.tls_cert if self.tls else None)

    def start_worker(self, wait_for: str | None = "connected") -> ManagedProcess:
        """Start a worker; by default wait until a worker has published a connected link."""
        name = f"worker{len(self.workers) + 1}"
        ready = {"ready_check": link_state(self.redis_url, wait_for)} if wait_for else {}
        worker = process(name, ["manage.py", "listen_pbx"], self.env, **ready)
        self.processes.start(worker)
        self.workers.append(worker)
        return worker


@dataclass
class Stack:
    """The whole product: a Rig plus Daphne, with the seeded supervisor's login and TV link."""

    rig: Rig
    web_url: str
    password: str
    tv_link: str

    @property
    def sim_url(self) -> str:
        return self.rig.sim_url

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.rig.sim(method, path, body)
