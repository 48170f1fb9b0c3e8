"""Helpers to run the whole product for a test: pbxsim, the worker and Daphne as processes."""

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

from dashboard.streams import LINK_STREAM, stream_key
from devstack.procs import ManagedProcess, ProcessGroup

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30


@dataclass
class Stack:
    web_url: str
    sim_url: str
    password: str
    tv_link: str
    processes: ProcessGroup

    def sim(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Drive the simulator's control API (ground truth, scripted callers)."""
        response = httpx.request(method, f"{self.sim_url}/_sim/{path}", json=body, timeout=5)
        response.raise_for_status()
        return response.json()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def link_connected(redis_url: str) -> Callable[[], bool]:
    """The worker is ready once it has published a connected PBX link."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def check() -> bool:
        raw = client.get(stream_key(LINK_STREAM))
        return bool(raw) and json.loads(str(raw))["data"]["state"] == "connected"

    return check


def start_sim(group: ProcessGroup, env: dict[str, str], secret: str) -> str:
    argv = ["-m", "pbxsim", "--port", "0", "--client-id", "wallboard",
            "--client-secret", secret, "--arrival-per-min", "0"]  # fmt: skip
    pattern = r"pbxsim listening on (http://\S+)"
    (url,) = group.start(process("pbxsim", argv, env, ready_line_pattern=pattern))
    assert url is not None
    return url


def process(name: str, args: list[str], env: dict[str, str], **ready: Any) -> ManagedProcess:
    return ManagedProcess(name, [sys.executable, *args], env=env, cwd=ROOT, **ready)
