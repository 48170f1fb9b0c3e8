"""In Chromium, freshness that cannot lie: a frozen worker, a hung PBX and a silent web server
each turn the board STALE within 10 s of their last sign of life, the status line naming which;
meanwhile the figures are dimmed, wait timers stop and the data age only grows. LIVE comes back
when the silent part does, or when a standby worker takes over from a frozen leader."""

import contextlib
import os
import re
import signal
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from playwright.sync_api import Page, expect

from dashboard.worker.leader import LEADER_KEY
from devstack.procs import ManagedProcess
from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import RECOVER_MS, WAIT_MS
from tests.integration.stack import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]

STALE_WITHIN_S = 10  # the promise: STALE, naming what is silent, within 10 s of its last word
LIVE_AGAIN_WITHIN_S = 5  # a resumed worker, or a standby's takeover once it leads: about 3 s


@contextlib.contextmanager
def frozen(process: ManagedProcess) -> Iterator[float]:
    """Stop a process (SIGSTOP) and resume it on the way out, whatever happened; yields when."""
    assert process.pid is not None
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield time.monotonic()
    finally:
        os.kill(process.pid, signal.SIGCONT)


def seconds_since(moment: float) -> float:
    return round(time.monotonic() - moment, 1)


def data_age_s(page: Page) -> int:
    """The data age the status line shows, in seconds."""
    found = re.search(r"(\d+):(\d\d)$", page.locator("#data-age").inner_text())
    assert found, page.locator("#data-age").inner_text()
    return int(found.group(1)) * 60 + int(found.group(2))


def stale_naming(page: Page, silent: str, label: str, since: float) -> float:
    """Wait (within the promise) until the board is STALE naming `silent`; seconds it took."""
    board = page.locator("#board")
    budget_ms = STALE_WITHIN_S * 1000 - (time.monotonic() - since) * 1000
    expect(board).to_have_attribute("data-silent", silent, timeout=max(budget_ms, 1))
    took = seconds_since(since)
    expect(board).to_have_attribute("data-freshness", re.compile("stale|reconnecting"))
    expect(page.locator("#link-status")).to_have_text(label)
    return took


def live_within(page: Page, seconds: float, since: float) -> float:
    expect(page.locator("#board")).to_have_attribute(
        "data-freshness", "live", timeout=seconds * 1000
    )
    return seconds_since(since)


def assert_held_still(page: Page) -> None:
    """Not live: figures dimmed, the longest wait stopped, the data age growing, never reset."""
    opacity = page.locator("#queues").evaluate("node => getComputedStyle(node).opacity")
    assert float(opacity) < 1
    ages = [data_age_s(page)]

    def age_grew(seconds: int) -> Callable[[], bool]:
        def check() -> bool:
            """the data age grew (time passed on screen)"""
            ages.append(data_age_s(page))
            return ages[-1] >= ages[0] + seconds

        return check

    wait_until(age_grew(1), timeout=WAIT_MS / 1000)  # a tick after STALE showed
    longest = page.locator('[data-queue="6400"] .longest').inner_text()
    wait_until(age_grew(3), timeout=WAIT_MS / 1000)
    assert ages == sorted(ages), ages  # it only grows
    assert page.locator('[data-queue="6400"] .longest').inner_text() == longest


def waiting_caller(browser_stack: BrowserStack, page: Page) -> str:
    """A caller left waiting in Sales (scripted calls are left alone), its wait ticking."""
    call_id = str(
        browser_stack.stack.sim("POST", "calls", {"queue": "6400", "caller": "5550901"})["call_id"]
    )
    longest = page.locator('[data-queue="6400"] .longest')
    expect(longest).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=WAIT_MS)
    return call_id


def leader(browser_stack: BrowserStack) -> ManagedProcess:
    with redis.Redis.from_url(browser_stack.rig.redis_url, decode_responses=True) as client:
        holder = wait_until(lambda: client.get(LEADER_KEY), timeout=15)
    pid = int(str(holder).rsplit(":", 1)[1])
    return next(worker for worker in browser_stack.rig.workers if worker.pid == pid)


def test_a_frozen_worker_is_named_within_10_s_and_live_returns_when_it_resumes(
    console: Page, browser_stack: BrowserStack
) -> None:
    expect(console.locator("#board")).to_have_attribute("data-freshness", "live")
    call_id = waiting_caller(browser_stack, console)
    with frozen(leader(browser_stack)) as stopped_at:
        to_stale = stale_naming(console, "worker", "Worker: not responding", stopped_at)
        expect(console.locator("#banner")).to_contain_text("worker that follows the PBX")
        assert_held_still(console)
    resumed_at = time.monotonic()
    to_live = live_within(console, LIVE_AGAIN_WITHIN_S, resumed_at)
    expect(console.locator('[data-queue="6400"] .waiting')).to_have_text("1", timeout=WAIT_MS)
    print(f"freshness: frozen worker → STALE in {to_stale} s; resumed → LIVE in {to_live} s")
    browser_stack.stack.sim("POST", f"calls/{call_id}/abandon")


def test_a_hung_pbx_is_named_not_answering_within_10_s_with_an_age_that_never_resets(
    console: Page, browser_stack: BrowserStack
) -> None:
    live_within(console, WAIT_MS / 1000, time.monotonic())
    call_id = waiting_caller(browser_stack, console)
    with frozen(browser_stack.rig.processes["pbxsim"]) as stopped_at:
        to_stale = stale_naming(console, "pbx", "PBX: not answering", stopped_at)
        expect(console.locator("#banner")).to_contain_text("PBX link not answering since")
        # Counted from the PBX's last sign of life, not from the worker's own refresh.
        assert data_age_s(console) >= to_stale - 3
        assert_held_still(console)
    resumed_at = time.monotonic()
    to_live = live_within(console, RECOVER_MS / 1000, resumed_at)
    print(f"freshness: hung PBX → 'not answering' in {to_stale} s; resumed → LIVE in {to_live} s")
    browser_stack.stack.sim("POST", f"calls/{call_id}/abandon")


def test_a_silent_web_server_is_named_as_this_screens_connection(
    console: Page, browser_stack: BrowserStack
) -> None:
    live_within(console, WAIT_MS / 1000, time.monotonic())
    with frozen(browser_stack.web) as stopped_at:
        to_stale = stale_naming(console, "socket", "Server: no connection", stopped_at)
    resumed_at = time.monotonic()
    to_live = live_within(console, RECOVER_MS / 1000, resumed_at)
    print(f"freshness: frozen web server → STALE in {to_stale} s; resumed → LIVE in {to_live} s")


def test_a_standby_takes_over_from_a_frozen_leader_which_then_stands_by(
    console: Page, browser_stack: BrowserStack
) -> None:
    """Last in the module: it leaves two workers running, the first one standing by."""
    live_within(console, WAIT_MS / 1000, time.monotonic())
    browser_stack.rig.start_worker(wait_for=None)
    board = console.locator("#board")
    first_epoch = board.get_attribute("data-epoch") or ""
    # A takeover can be quick enough that STALE shows only briefly: the page records it.
    console.evaluate(WATCH_FRESHNESS)
    paused = leader(browser_stack)
    with frozen(paused) as stopped_at:
        stopped_ms = console.evaluate("Date.now()")
        expect(board).not_to_have_attribute("data-epoch", first_epoch, timeout=RECOVER_MS)
        to_live = live_within(console, 2 * STALE_WITHIN_S, stopped_at)
        new_epoch = board.get_attribute("data-epoch")  # the standby's, before the leader resumes
        seen = console.evaluate("window.freshnessSeen")
    not_live = [at for at, state in seen if at >= stopped_ms and state != "live"]
    assert not_live, seen  # the board did not stay LIVE through the takeover
    to_stale = round((not_live[0] - stopped_ms) / 1000, 1)
    assert to_stale <= STALE_WITHIN_S, seen
    wait_until(lambda: "standing by" in paused.output_tail())
    expect(board).to_have_attribute("data-freshness", "live")
    assert board.get_attribute("data-epoch") == new_epoch  # the old leader published nothing
    print(f"freshness: frozen leader → STALE in {to_stale} s; standby's board LIVE in {to_live} s")


# Every change of the board's freshness, with the page's clock.
WATCH_FRESHNESS = """() => {
    const board = document.getElementById("board");
    window.freshnessSeen = [];
    const note = () => window.freshnessSeen.push([Date.now(), board.dataset.freshness]);
    const attributeFilter = ["data-freshness"];
    new MutationObserver(note).observe(board, {attributes: true, attributeFilter});
}"""
