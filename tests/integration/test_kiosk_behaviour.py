"""In Chromium, what a screen does unattended: TV rotation without a blank frame, Wake Lock,
the quiet-hour reload, a console whose session ended, the board's language, the sound alert,
and no growth of DOM, timers or listeners after many calls."""

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import RECOVER_MS, WAIT_MS, live, pair_tv, sign_in
from tests.integration.stack import orm, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ROTATION_S = 5  # the kiosk's floor: a shorter rotation_s is raised to it
# Browser-boundary stubs: they count what the page asks of the platform.
WAKE_LOCK = """
window.wakeLockRequests = 0;
Object.defineProperty(navigator, "wakeLock", {configurable: true, value: {request: async (type) => {
    window.wakeLockRequests += 1;
    return {type, released: false, release: async () => {}, addEventListener() {}};
}}});
"""
AUDIO = """
window.oscillatorStarts = 0;
window.AudioContext = class {
    constructor() { this.currentTime = 0; this.destination = {}; }
    createOscillator() {
        const start = () => { window.oscillatorStarts += 1; };
        return {frequency: {}, connect: (node) => node, start, stop() {}};
    }
    createGain() {
        const gain = {setValueAtTime() {}, exponentialRampToValueAtTime() {}};
        return {gain, connect: (node) => node};
    }
};
"""
# What each painted frame showed: board name, tiles and freshness, recorded when it changes.
FRAMES = """
window.framesSeen = [];
const sample = () => {
    const tiles = [...document.querySelectorAll("#queues .tile")];
    const queues = tiles.map((tile) => tile.dataset.queue);
    const name = document.getElementById("board-name")?.textContent ?? "";
    const freshness = document.getElementById("board")?.dataset.freshness;
    const seen = `${name}|${queues.join(",")}|${freshness}`;
    if (window.framesSeen.at(-1) !== seen) window.framesSeen.push(seen);
    requestAnimationFrame(sample);
};
requestAnimationFrame(sample);
"""
# Live intervals, pending timeouts and listeners on nodes still in the page (or window/document).
RESOURCES = """
(() => {
    const intervals = new Set(), timeouts = new Set(), listeners = [];
    const [setI, clearI, setT, clearT] = [setInterval, clearInterval, setTimeout, clearTimeout];
    window.setInterval = (...args) => { const id = setI(...args); intervals.add(id); return id; };
    window.clearInterval = (id) => { intervals.delete(id); clearI(id); };
    window.setTimeout = (callback, ...rest) => {
        const id = setT((...args) => { timeouts.delete(id); callback(...args); }, ...rest);
        timeouts.add(id);
        return id;
    };
    window.clearTimeout = (id) => { timeouts.delete(id); clearT(id); };
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
        listeners.push({target: new WeakRef(this), type, listener});
        return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
        const at = listeners.findIndex((entry) =>
            entry.target.deref() === this && entry.type === type && entry.listener === listener);
        if (at >= 0) listeners.splice(at, 1);
        return remove.call(this, type, listener, options);
    };
    const attached = (target) => target === window || target === document || target?.isConnected;
    window.resources = () => ({
        nodes: document.getElementsByTagName("*").length,
        intervals: intervals.size,
        timeouts: timeouts.size,
        listeners: listeners.filter((entry) => attached(entry.target.deref())).length,
    });
})();
"""


def demo_tv(browser_stack: BrowserStack, settings: str) -> None:
    """The demo TV on the demo board alone, with these further settings."""
    orm(
        browser_stack.rig.env,
        "Display.objects.get(name='Demo TV').more_boards.clear(); Display.objects.filter("
        f"name='Demo TV').update(board=Board.objects.get(slug='demo'), {settings})",
    )


def board(browser_stack: BrowserStack, settings: str) -> None:
    """Change the demo board's settings."""
    orm(browser_stack.rig.env, f"Board.objects.filter(slug='demo').update({settings})")


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    yield context
    context.close()


def call(browser_stack: BrowserStack, queue: str, caller: str) -> str:
    return str(
        browser_stack.stack.sim("POST", "calls", {"queue": queue, "caller": caller})["call_id"]
    )


def shows_at_least(rows: Locator, count: int) -> Callable[[], bool]:
    def check() -> bool:
        """enough rows on screen"""
        return rows.count() >= count

    return check


def end(browser_stack: BrowserStack, call_ids: list[str]) -> None:
    """Each caller hangs up: while waiting (abandoned), or after an agent answered."""
    for call_id in call_ids:
        for action in ("abandon", "hangup"):
            with contextlib.suppress(httpx.HTTPStatusError):  # answered already, or over
                browser_stack.stack.sim("POST", f"calls/{call_id}/{action}")
                break


def test_a_tv_rotates_its_boards_without_a_blank_frame_and_keeps_the_screen_awake(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    orm(
        browser_stack.rig.env,
        "front = Board.objects.update_or_create(slug='front', defaults={'name': 'Front', "
        "'queues': '6400'})[0]; back = Board.objects.update_or_create(slug='back', "
        "defaults={'name': 'Back', 'queues': '6401'})[0]; "
        "tv = Display.objects.get(name='Demo TV'); tv.board = front; "
        f"tv.rotation_s = {ROTATION_S}; tv.save(); tv.more_boards.set([back])",
    )
    context.add_init_script(WAKE_LOCK + FRAMES)
    tv = context.new_page()
    pair_tv(tv, browser_stack.new_tv_link())
    expect(tv.locator("#board-name")).to_have_text("Front")
    expect(tv.locator("#queues .tile")).to_have_count(1)
    rotation_ms = 3 * ROTATION_S * 1000
    expect(tv.locator("#board-name")).to_have_text("Back", timeout=rotation_ms)
    expect(tv.locator("#queues .tile")).to_have_count(1)
    expect(tv.locator('[data-queue="6401"] .waiting')).not_to_have_text("–")
    expect(tv.locator("#board-name")).to_have_text("Front", timeout=rotation_ms)
    live(tv)
    frames = tv.evaluate("window.framesSeen")
    first = next(at for at, frame in enumerate(frames) if "|6400|" in frame)
    painted = frames[first:]  # from the first snapshot on: never blank, never less than live
    assert painted[:3] == ["Front|6400|live", "Back|6401|live", "Front|6400|live"], frames
    assert tv.evaluate("window.wakeLockRequests") == 1
    tv.evaluate("""() => {
        for (const state of ["hidden", "visible"]) {
            Object.defineProperty(document, "visibilityState", {configurable: true, value: state});
            document.dispatchEvent(new Event("visibilitychange"));
        }
    }""")
    wait_until(lambda: tv.evaluate("window.wakeLockRequests") == 2, WAIT_MS / 1000)
    demo_tv(browser_stack, "rotation_s=30")


def test_a_tv_reloads_itself_once_at_the_quiet_hour_and_comes_back_live(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    # The reload is due in the hour we set now: keep clear of an hour's last minute.
    zone = ZoneInfo({**os.environ, **browser_stack.rig.env}.get("TIME_ZONE", "UTC"))
    now = wait_until(lambda: (at := datetime.now(zone)).minute < 59 and at, 65)
    demo_tv(browser_stack, f"reload_hour={now.hour}")
    context.clock.install()  # time runs on, but the test may jump it ahead
    tv = context.new_page()
    pair_tv(tv, browser_stack.new_tv_link())
    navigations: list[str] = []
    tv.on("framenavigated", lambda frame: navigations.append(frame.url))
    tv.evaluate("""() => {
        window.notReloaded = true;
        addEventListener("pagehide", () => sessionStorage.setItem("leftWhile",
            document.getElementById("board").dataset.freshness));
    }""")
    # Two hours on: the page is old enough to shed, but a reload must wait until it is fresh.
    context.clock.fast_forward("02:00:30")
    # A function, which Playwright evaluates once: a bare expression is re-evaluated with eval()
    # at every poll, which the page's CSP (no 'unsafe-eval') refuses.
    tv.wait_for_function("() => !window.notReloaded", timeout=RECOVER_MS + 30_000)
    live(tv)
    assert len(navigations) == 1, navigations
    assert tv.evaluate("sessionStorage.getItem('leftWhile')") == "live"
    demo_tv(browser_stack, "reload_hour=4")


def test_a_console_whose_session_ended_goes_to_the_login_page(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    console = context.new_page()
    sign_in(console, browser_stack.stack)
    orm(
        browser_stack.rig.env,
        "from django.contrib.sessions.models import Session; Session.objects.all().delete()",
    )
    browser_stack.stop_web()  # the socket, opened while signed in, is cut and reopened
    browser_stack.start_web()
    console.wait_for_url(re.compile(r"/login/\?next=%2Fboards%2Fdemo%2F$"), timeout=RECOVER_MS)
    expect(console.locator("input[name=password]")).to_be_visible()


@pytest.mark.parametrize(
    ("board_language", "browser_locale", "waiting", "live_badge"),
    [("th", "en-GB", "รอสาย", None), ("en", "th-TH", "Waiting", "LIVE")],
)
def test_a_board_speaks_its_own_language_whatever_the_browsers(
    chromium: Browser,
    browser_stack: BrowserStack,
    board_language: str,
    browser_locale: str,
    waiting: str,
    live_badge: str | None,
) -> None:
    board(browser_stack, f"language='{board_language}'")
    context = chromium.new_context(locale=browser_locale)
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    assert page.evaluate("document.documentElement.lang") == board_language
    expect(page.locator('[data-metric="waiting"] dt').first).to_contain_text(waiting)
    if live_badge:
        expect(page.locator("#freshness")).to_have_text(live_badge)
    else:  # translated, whatever it says
        expect(page.locator("#freshness")).not_to_have_text("LIVE")
    context.close()
    board(browser_stack, "language=''")


def test_the_sound_alert_is_off_until_chosen_then_remembered_and_beeps_on_a_breach(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    # Only the waiting count can breach here: the day's service level and waits never do.
    board(
        browser_stack,
        "waiting_warn=3, waiting_critical=6, service_level_warn=0, service_level_critical=0, "
        "longest_wait_warn_s=86400, longest_wait_critical_s=86400",
    )
    context.add_init_script(AUDIO)
    console = context.new_page()
    sign_in(console, browser_stack.stack)
    toggle = console.locator("#sound-toggle")
    expect(toggle).to_have_text("Sound alert: off")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_text("Sound alert: on")
    assert console.evaluate("window.oscillatorStarts") == 1  # the beep that confirms it works
    console.reload()
    live(console)
    expect(toggle).to_have_text("Sound alert: on")
    before = console.evaluate("window.oscillatorStarts")
    # 3 to 5 waiting is the warn level: one spare caller, should an agent answer one.
    calls = [call(browser_stack, "6400", f"555020{n}") for n in range(4)]
    expect(console.locator('[data-queue="6400"]')).to_have_attribute(
        "data-level", "warn", timeout=WAIT_MS
    )
    wait_until(lambda: console.evaluate("window.oscillatorStarts") > before, WAIT_MS / 1000)
    end(browser_stack, calls)
    expect(console.locator('[data-queue="6400"] .waiting')).to_have_text("0", timeout=WAIT_MS)


def test_many_callers_coming_and_going_leave_no_growth_of_nodes_timers_or_listeners(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    context.add_init_script(RESOURCES)
    console = context.new_page()
    sign_in(console, browser_stack.stack)
    waiting_rows = console.locator("#waiting-section tbody tr")
    expect(console.locator("#agents-section tbody tr").first).to_be_visible()
    before = console.evaluate("window.resources()")
    for batch in range(10):  # 200 callers, 20 at a time; agents may answer a few of them
        calls = [
            call(browser_stack, ("6400", "6401")[n % 2], f"55503{batch}{n:02}") for n in range(20)
        ]
        batch_rows = waiting_rows.filter(has_text=f"55503{batch}")
        wait_until(shows_at_least(batch_rows, 10), WAIT_MS / 1000)  # the batch is on screen
        end(browser_stack, calls)
        expect(waiting_rows).to_have_count(0, timeout=WAIT_MS)
    after = console.evaluate("window.resources()")
    assert after["nodes"] <= before["nodes"] + 10, (before, after)
    assert after["intervals"] == before["intervals"], (before, after)
    assert after["timeouts"] <= before["timeouts"] + 2, (before, after)
    assert after["listeners"] <= before["listeners"] + 5, (before, after)
