"""The `stack` fixture: a whole running product (simulator, worker, Daphne) per test."""

import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.procs import ManagedProcess, ProcessGroup, free_port
from tests.integration.stack import (
    READY_TIMEOUT_S,
    ROOT,
    Stack,
    link_connected,
    manage,
    process,
    start_sim,
)


@pytest.fixture
def stack(tmp_path: Path, clean_redis: str) -> Iterator[Stack]:
    """Seeded database, then simulator → worker → Daphne, each waited ready before the next."""
    secret, web_port = secrets.token_hex(8), free_port()
    env = {
        "SECRET_KEY": "integration-test-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": clean_redis,
        "PBX_CLIENT_ID": "wallboard",
        "PBX_CLIENT_SECRET": secret,
        "PBX_HEARTBEAT_SECONDS": "5",
    }
    manage(env, "migrate", "--no-input", "-v0")
    out = manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{web_port}")
    password = re.search(r"password (\S+)", out)
    assert password is not None
    with ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
        sim_url = start_sim(group, env, secret)
        env["PBX_URL"] = sim_url
        group.start(process("worker", ["manage.py", "listen_pbx"], env,
                             ready_check=link_connected(clean_redis)))  # fmt: skip
        daphne = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1",
                  "-p", str(web_port), "wallboard.asgi:application"]  # fmt: skip
        group.start(ManagedProcess("daphne", daphne, env=env, cwd=ROOT,
                                   ready_url=f"http://127.0.0.1:{web_port}/healthz"))  # fmt: skip
        yield Stack(f"http://127.0.0.1:{web_port}", sim_url, password.group(1), group)
