"""In Chromium (issue #16): tile totals that add up, in English and Thai; an alarm flashes its
figure, not the tile, stops by itself or when a supervisor acknowledges it (every screen of the
board follows, in every web process), shows a static marker under reduced motion, and a TV
whose display has sound alerts beeps on a breach with the kiosk's autoplay flag."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from devstack.procs import free_port
from tests.integration.browser_stack import BrowserStack
from tests.integration.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.integration.screens import WAIT_MS, live, pair_tv, sign_in
from tests.integration.stack import orm, start_daphne, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SALES, SUPPORT = "6400", "6401"
CRITICAL_WAITING = 6  # the demo board's waiting_critical
# Counts the tones the page starts on the real AudioContext, and whether it may play them.
AUDIO_PROBE = """
window.tones = [];
const Real = window.AudioContext;
window.AudioContext = class extends Real {
    createOscillator() {
        const oscillator = super.createOscillator();
        const start = oscillator.start.bind(oscillator);
        oscillator.start = (...args) => { window.tones.push(this.state); return start(...args); };
        return oscillator;
    }
};
"""


def call(browser_stack: BrowserStack, queue: str, caller: str) -> str:
    found = browser_stack.stack.sim("POST", "calls", {"queue": queue, "caller": caller})
    return str(found["call_id"])


def end(browser_stack: BrowserStack, *call_ids: str) -> None:
    for call_id in call_ids:
        browser_stack.stack.sim("POST", f"calls/{call_id}/abandon")


def flashing(figure: Locator) -> str:
    """The animation running on a tile figure's value ("none" when it is still)."""
    return str(figure.locator("dd").first.evaluate("node => getComputedStyle(node).animationName"))


def expect_flashing(figure: Locator, flashes: bool) -> None:
    def check() -> bool:
        """the figure flashes (or stops flashing) as expected"""
        return (flashing(figure) != "none") == flashes

    wait_until(check, WAIT_MS / 1000)


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    yield context
    context.close()


def figure(page: Page, queue: str, metric: str) -> Locator:
    return page.locator(f'[data-queue="{queue}"] [data-metric="{metric}"]')


def test_offered_equals_every_outcome_plus_waiting_on_screen(
    console: Page, browser_stack: BrowserStack
) -> None:
    stack = browser_stack.stack
    support = console.locator(f'[data-queue="{SUPPORT}"]')
    answered = call(browser_stack, SUPPORT, "5550201")
    stack.sim("POST", f"calls/{answered}/answer", {"agent": "1004"})
    stack.sim("POST", f"calls/{answered}/hangup")
    end(browser_stack, call(browser_stack, SUPPORT, "5550202"))  # at once: a short abandon
    stack.sim("POST", f"calls/{call(browser_stack, SUPPORT, '5550203')}/transfer")  # a key press
    late = call(browser_stack, SUPPORT, "5550204")
    # Past SHORT_ABANDON_SECONDS (5 s) on the board's own clock: a real abandon.
    past_short = re.compile(r"^0:(0[6-9]|[1-5]\d)$")
    expect(support.locator(".longest")).to_have_text(past_short, timeout=15_000)
    end(browser_stack, late)
    still = call(browser_stack, SUPPORT, "5550205")
    expect(support.locator('[data-today="offered"]')).to_have_text("5", timeout=WAIT_MS)
    shown = {
        name: support.locator(f'[data-today="{name}"]')
        for name in ("answered", "abandoned", "short_abandoned", "transferred", "timed_out")
    }
    expected = {"answered": "1", "abandoned": "1", "short_abandoned": "1", "transferred": "1"}
    for name, text in {**expected, "timed_out": "0"}.items():
        expect(shown[name]).to_have_text(text, timeout=WAIT_MS)
    expect(support.locator(".waiting")).to_have_text("1")
    # Abandoned ÷ (answered + abandoned + timed out + transferred): 1 of 3, short abandons apart.
    rate = figure(console, SUPPORT, "abandon_rate")
    expect(rate.locator("dd")).to_have_text("33.3%")
    expect(rate).to_have_attribute("data-level", "critical")  # the demo's 10 % critical
    title = str(figure(console, SUPPORT, "offered").get_attribute("title"))
    assert "Short abandoned + Transferred + Timed out + Waiting" in title
    end(browser_stack, still)


def test_a_thai_console_names_the_new_totals_in_thai(
    chromium: Browser, browser_stack: BrowserStack
) -> None:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="th-TH")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    for metric in ("abandon_rate", "short_abandoned", "transferred"):
        label = figure(page, SALES, metric).locator("dt").first
        expect(label).not_to_have_text(re.compile("[A-Za-z]"))
        assert re.search("[\u0e00-\u0e7f]", label.inner_text()), metric
    expect(page.locator("#ack-alarms")).not_to_have_text(re.compile("[A-Za-z]"))
    context.close()


def test_only_the_figure_that_crossed_flashes_and_it_stops_by_itself(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    orm(browser_stack.rig.env, "Board.objects.filter(slug='demo').update(flash_s=4)")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    calls = [call(browser_stack, SALES, f"555030{n}") for n in range(CRITICAL_WAITING)]
    waiting = figure(page, SALES, "waiting")
    expect(waiting).to_have_attribute("data-level", "critical", timeout=WAIT_MS)
    expect_flashing(waiting, True)
    tile = page.locator(f'[data-queue="{SALES}"]')
    assert tile.evaluate("tile => getComputedStyle(tile).animationName") == "none"
    assert flashing(figure(page, SALES, "longest")) == "none"
    expect_flashing(waiting, False)  # after flash_s, without anyone acknowledging
    expect(waiting).to_have_attribute("data-level", "critical")  # the colour stays
    end(browser_stack, *calls)
    expect(waiting).to_have_attribute("data-level", "", timeout=WAIT_MS)
    orm(browser_stack.rig.env, "Board.objects.filter(slug='demo').update(flash_s=60)")


def test_an_acknowledgement_stops_the_flashing_on_every_screen_of_the_board(
    context: BrowserContext, chromium: Browser, browser_stack: BrowserStack
) -> None:
    """The console on one web process, the TV on another: the TV follows within seconds."""
    port = free_port()
    other_web = start_daphne(browser_stack.rig, port)
    tv_context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    try:
        tv = tv_context.new_page()
        link = browser_stack.new_tv_link().replace(
            browser_stack.stack.web_url, f"http://127.0.0.1:{port}"
        )
        pair_tv(tv, link)
        console = context.new_page()
        sign_in(console, browser_stack.stack)
        calls = [call(browser_stack, SALES, f"555040{n}") for n in range(CRITICAL_WAITING)]
        for page in (console, tv):
            expect_flashing(figure(page, SALES, "waiting"), True)
        acknowledge = console.locator("#ack-alarms")
        expect(acknowledge).to_be_enabled()
        acknowledge.click()
        for page in (console, tv):
            expect_flashing(figure(page, SALES, "waiting"), False)
            expect(figure(page, SALES, "waiting")).to_have_attribute("data-level", "critical")
        expect(acknowledge).to_be_disabled()
        audit = "ActionAttempt.objects.filter(action='acknowledge', result='ok').count()"
        assert orm(browser_stack.rig.env, f"print({audit})").strip() == "1"
        # Below critical, then across it again: a new alarm, flashing everywhere.
        end(browser_stack, calls.pop())
        warned = figure(tv, SALES, "waiting")
        expect(warned).to_have_attribute("data-level", "warn", timeout=WAIT_MS)
        calls.append(call(browser_stack, SALES, "5550410"))
        for page in (console, tv):
            expect_flashing(figure(page, SALES, "waiting"), True)
        end(browser_stack, *calls)
    finally:
        tv_context.close()
        other_web.stop()


def test_reduced_motion_shows_a_still_marker_instead_of_flashing(
    chromium: Browser, browser_stack: BrowserStack
) -> None:
    context = chromium.new_context(
        viewport={"width": 1600, "height": 1000}, locale="en-GB", reduced_motion="reduce"
    )
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    calls = [call(browser_stack, SALES, f"555050{n}") for n in range(CRITICAL_WAITING)]
    waiting = figure(page, SALES, "waiting")
    expect(waiting).to_have_attribute("data-alarm", "new", timeout=WAIT_MS)
    value = waiting.locator("dd")
    assert value.evaluate("node => getComputedStyle(node).animationName") == "none"
    assert value.evaluate("node => getComputedStyle(node).outlineStyle") == "solid"
    end(browser_stack, *calls)
    expect(value).to_have_text("0", timeout=WAIT_MS)
    assert value.evaluate("node => getComputedStyle(node).outlineStyle") == "none"
    context.close()


def test_a_tv_with_sound_alerts_beeps_on_a_breach_without_a_click(
    chromium: Browser, browser_stack: BrowserStack
) -> None:
    """Last in the module: pairing the demo display again retires the earlier TV's credential.
    The kiosk's Chromium runs with the autoplay flag docs/tv-setup.md gives."""
    flags = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
    kiosk = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=flags)
    try:
        page = kiosk.new_page(viewport={"width": 1920, "height": 1080})
        page.add_init_script(AUDIO_PROBE)
        orm(
            browser_stack.rig.env,
            "Display.objects.filter(name='Demo TV').update(sound_alerts=False)",
        )
        pair_tv(page, browser_stack.new_tv_link())
        calls = [call(browser_stack, SALES, f"555060{n}") for n in range(3)]
        waiting = figure(page, SALES, "waiting")
        expect(waiting).to_have_attribute("data-level", "warn", timeout=WAIT_MS)
        assert page.evaluate("window.tones") == []  # sound alerts off: silent
        end(browser_stack, *calls)
        # Back below the threshold first: a page reloaded with the callers still waiting would
        # find Sales already in warning, and the next callers would cross nothing.
        expect(waiting.locator("dd")).to_have_text("0", timeout=WAIT_MS)
        # The tile beeps when it turns worse as a whole: the module's earlier abandons and
        # answers must not hold it at warning already (its worst figure), only waiting counts.
        only_waiting = (
            "abandon_rate_warn=1000, abandon_rate_critical=1000, "
            "service_level_warn=0, service_level_critical=0"
        )
        orm(browser_stack.rig.env, f"Board.objects.filter(slug='demo').update({only_waiting})")
        orm(
            browser_stack.rig.env,
            "Display.objects.filter(name='Demo TV').update(sound_alerts=True)",
        )
        page.reload()
        live(page)
        expect(page.locator(f'.tile[data-queue="{SALES}"]')).to_have_attribute(
            "data-level", "", timeout=WAIT_MS
        )
        before = len(page.evaluate("window.tones"))  # Sales' abandon rate may beep at once
        calls = [call(browser_stack, SALES, f"555061{n}") for n in range(3)]
        wait_until(lambda: len(page.evaluate("window.tones")) > before, WAIT_MS / 1000)
        assert set(page.evaluate("window.tones")) == {"running"}  # played, no click needed
        end(browser_stack, *calls)
    finally:
        kiosk.close()
