"""Fixtures running the product as real processes: `rig` (simulator + worker), `stack` (+ web)."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from devstack.procs import ProcessGroup
from devstack.redis import start_redis_server
from tests.integration.browser_stack import BrowserStack, redis_binary, serve
from tests.integration.screens import sign_in
from tests.integration.stack import READY_TIMEOUT_S, Rig, Stack, manage, rig_env


@pytest.fixture
def idle_rig(request: pytest.FixtureRequest, tmp_path: Path, clean_redis: str) -> Iterator[Rig]:
    """A migrated database and a running simulator (extra flags by indirect parametrisation);
    no worker yet."""
    env = rig_env(tmp_path, clean_redis)
    manage(env, "migrate", "--no-input", "-v0")
    with ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
        rig = Rig(env, group)
        rig.start_sim(env["PBX_CLIENT_SECRET"], getattr(request, "param", []))
        yield rig


@pytest.fixture
def rig(idle_rig: Rig) -> Rig:
    """The simulator and one worker, connected."""
    idle_rig.start_worker()
    return idle_rig


@pytest.fixture
def stack(rig: Rig) -> Stack:
    """Seeded demo data, then Daphne in front of the rig."""
    return serve(rig)[0]


@pytest.fixture(scope="module")
def browser_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserStack]:
    """One stack for a module of browser tests (they are slow to start), on a private Redis
    that a test may restart; Daphne may be restarted too. A module's STACK_SETTINGS (a dict)
    add to the environment of every process."""
    redis = start_redis_server(redis_binary())
    env = rig_env(tmp_path_factory.mktemp("browser"), redis.url)
    env.update(getattr(request.module, "STACK_SETTINGS", {}))
    shared: BrowserStack | None = None
    with contextlib.ExitStack() as cleanup:
        # Last out, and the Redis of the moment (a test may have restarted it).
        cleanup.callback(lambda: (shared.redis if shared else redis).stop())
        manage(env, "migrate", "--no-input", "-v0")
        group = cleanup.enter_context(ProcessGroup(ready_timeout=READY_TIMEOUT_S))
        rig = Rig(env, group)
        rig.start_sim(env["PBX_CLIENT_SECRET"])
        rig.start_worker()
        shared = BrowserStack(*serve(rig), redis)
        yield shared


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


@pytest.fixture(scope="module")
def console(chromium: Browser, browser_stack: BrowserStack) -> Iterator[Page]:
    """A supervisor's console, signed in, shared by a module's browser tests."""
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _missing_browser:
        terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(_missing_browser[0], red=True)
