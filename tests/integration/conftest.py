"""The `stack` fixture: a whole running product (simulator, worker, Daphne) per test."""

import os
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

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
    manage(env, "collectstatic", "--no-input", "-v0")
    out = manage(env, "seed_demo", "--base-url", f"http://127.0.0.1:{web_port}")
    password, tv_link = re.search(r"password (\S+)", out), re.search(r"TV link:\s+(\S+)", out)
    assert password is not None
    assert tv_link is not None
    with ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
        sim_url = start_sim(group, env, secret)
        env["PBX_URL"] = sim_url
        group.start(process("worker", ["manage.py", "listen_pbx"], env,
                             ready_check=link_connected(clean_redis)))  # fmt: skip
        daphne = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1",
                  "-p", str(web_port), "wallboard.asgi:application"]  # fmt: skip
        group.start(ManagedProcess("daphne", daphne, env=env, cwd=ROOT,
                                   ready_url=f"http://127.0.0.1:{web_port}/healthz"))  # fmt: skip
        yield Stack(
            f"http://127.0.0.1:{web_port}", sim_url, password.group(1), tv_link.group(1), group
        )


CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no GPU and a closed network (see README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_missing_browser: list[str] = []


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (no browser download). Missing: CI fails, a laptop
    skips with a loud banner at the end of the run.

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread, which
    async tests of other modules could not start theirs beside."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        _missing_browser.append(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _missing_browser:
        terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(_missing_browser[0], red=True)
