"""In Chromium, a paired wall TV: the simulator's truth live, honest freshness through PBX-link,
web-server and Redis failures, sizes readable across a room from 720p to 4K, and Thai."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import (
    RECOVER_MS,
    THAI_FAMILY,
    WAIT_MS,
    drawn_with,
    pair_tv,
    screenshot,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]
SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]


@pytest.fixture(scope="module")
def tv(chromium: Browser, browser_stack: BrowserStack) -> Iterator[Page]:
    """The demo TV in English at 1080p, paired once for the module."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    page = context.new_page()
    pair_tv(page, browser_stack.stack.tv_link)
    yield page
    context.close()


def truth_waiting(browser_stack: BrowserStack) -> dict[str, int]:
    state = browser_stack.stack.sim("GET", "state")
    return {queue["number"]: len(queue["waiting"]) for queue in state["queues"]}


def call(browser_stack: BrowserStack, queue: str, caller: str) -> Any:
    return browser_stack.stack.sim("POST", "calls", {"queue": queue, "caller": caller})["call_id"]


def hang_up(browser_stack: BrowserStack, call_ids: list[str]) -> None:
    for call_id in call_ids:
        browser_stack.stack.sim("POST", f"calls/{call_id}/abandon")


def test_the_tv_shows_the_simulators_truth_and_colours_breaches(
    tv: Page, browser_stack: BrowserStack
) -> None:
    tv.evaluate("window.notReloaded = true")
    calls = [call(browser_stack, "6400", f"555010{n}") for n in range(3)]
    calls.append(call(browser_stack, "6401", "5550110"))
    for queue, count in truth_waiting(browser_stack).items():
        expect(tv.locator(f'[data-queue="{queue}"] .waiting')).to_have_text(
            str(count), timeout=WAIT_MS
        )
    sales = tv.locator('[data-queue="6400"]')
    expect(sales).to_have_attribute("data-level", "warn")  # 3 waiting: the board's warn level
    calls += [call(browser_stack, "6400", f"555011{n}") for n in range(3)]
    expect(sales.locator(".waiting")).to_have_text("6", timeout=WAIT_MS)
    expect(sales).to_have_attribute("data-level", "critical")
    # The figure that crossed flashes, not the tile (tests/integration/test_alarms_browser.py).
    flashes = "node => getComputedStyle(node).animationName"
    assert sales.locator('[data-metric="waiting"] > dd').evaluate(flashes) == "figure-flash"
    expect(tv.locator("#freshness")).to_have_text("LIVE")
    expect(tv.locator("#data-age")).to_contain_text("Data age")
    assert tv.evaluate("getComputedStyle(document.body).cursor") == "none"
    expect(tv.locator("text=Log out")).to_have_count(0)
    expect(tv.locator("#agents-section, .agent-actions, #sound-toggle")).to_have_count(0)
    screenshot(tv, "tv-en.png")
    hang_up(browser_stack, calls)
    expect(sales.locator(".waiting")).to_have_text("0", timeout=WAIT_MS)
    expect(sales).to_have_attribute("data-level", "")
    assert tv.evaluate("window.notReloaded") is True


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_tv_is_readable_across_the_room_without_scrolling(
    tv: Page, width: int, height: int
) -> None:
    tv.set_viewport_size({"width": width, "height": height})
    sizes = tv.evaluate("""() => {
        const px = (selector) => [...document.querySelectorAll(selector)].map(
            (node) => parseFloat(getComputedStyle(node).fontSize));
        const boxes = [...document.querySelectorAll(".tile, #freshness, #data-age, #link-status")]
            .map((node) => node.getBoundingClientRect());
        return {
            figures: px(".key-figures dd"), labels: px(".tile dt, .today h3"),
            scrolls: document.documentElement.scrollHeight > innerHeight
                || document.documentElement.scrollWidth > innerWidth,
            outside: boxes.filter((b) => b.bottom > innerHeight || b.right > innerWidth).length,
            tabular: getComputedStyle(document.querySelector(".waiting")).fontVariantNumeric,
        };
    }""")
    assert min(sizes["figures"]) >= 0.06 * height
    assert min(sizes["labels"]) >= 0.025 * height
    assert not sizes["scrolls"]
    assert sizes["outside"] == 0
    assert sizes["tabular"] == "tabular-nums"
    tv.set_viewport_size({"width": 1920, "height": 1080})


def test_the_tv_says_stale_while_the_pbx_link_is_cut(tv: Page, browser_stack: BrowserStack) -> None:
    board = tv.locator("#board")
    expect(board).to_have_attribute("data-freshness", "live", timeout=WAIT_MS)
    browser_stack.stack.sim("POST", "faults/errcode", {"endpoint": "subscribe", "errcode": -2})
    browser_stack.stack.sim("POST", "faults/drop_sockets")
    expect(board).to_have_attribute("data-freshness", "stale", timeout=WAIT_MS)
    expect(tv.locator("#banner")).to_contain_text("PBX link")
    expect(tv.locator("#freshness")).to_have_text("STALE")
    browser_stack.stack.sim("POST", "faults/clear")
    expect(board).to_have_attribute("data-freshness", "live", timeout=RECOVER_MS)
    expect(tv.locator("#banner")).to_be_hidden()


def test_the_tv_keeps_its_picture_while_the_web_server_restarts(
    tv: Page, browser_stack: BrowserStack
) -> None:
    first = call(browser_stack, "6401", "5550120")
    support = tv.locator('[data-queue="6401"] .waiting')
    expect(support).to_have_text("1", timeout=WAIT_MS)
    browser_stack.stop_web()
    expect(tv.locator("#board")).to_have_attribute(
        "data-freshness", "reconnecting", timeout=WAIT_MS
    )
    expect(tv.locator("#banner")).to_contain_text("Reconnecting")
    expect(support).to_have_text("1")  # the last picture, not a blank screen
    browser_stack.start_web()
    expect(tv.locator("#board")).to_have_attribute("data-freshness", "live", timeout=RECOVER_MS)
    second = call(browser_stack, "6401", "5550121")
    expect(support).to_have_text("2", timeout=WAIT_MS)
    hang_up(browser_stack, [first, second])
    expect(support).to_have_text("0", timeout=WAIT_MS)


def test_after_an_upgrade_the_tv_reloads_itself_and_the_console_offers_to(
    tv: Page, console: Page, browser_stack: BrowserStack
) -> None:
    """The web server comes back as a new release: a TV takes the new pages unattended; a
    console asks first, since its supervisor may be typing (docs/protocol.md, *Releases*)."""
    tv_board, console_board = tv.locator("#board"), console.locator("#board")
    served = tv_board.get_attribute("data-release")
    assert served
    assert served != "next"
    tv.evaluate("window.beforeTheUpgrade = true")
    browser_stack.stop_web()
    browser_stack.rig.env["RELEASE"] = "next"
    browser_stack.start_web()
    expect(tv_board).to_have_attribute("data-release", "next", timeout=RECOVER_MS)
    assert tv.evaluate("window.beforeTheUpgrade ?? false") is False  # a fresh page
    expect(tv_board).to_have_attribute("data-freshness", "live", timeout=WAIT_MS)
    notice = console.locator("#new-release")
    expect(notice).to_be_visible(timeout=RECOVER_MS)
    expect(console_board).to_have_attribute("data-release", served)  # not reloaded by itself
    notice.get_by_role("button", name="Reload").click()
    expect(console_board).to_have_attribute("data-release", "next", timeout=WAIT_MS)
    expect(console.locator("#new-release")).to_be_hidden()


def test_the_tv_starts_afresh_after_a_redis_restart(tv: Page, browser_stack: BrowserStack) -> None:
    board = tv.locator("#board")
    expect(board).to_have_attribute("data-freshness", "live", timeout=WAIT_MS)
    old_epoch = board.get_attribute("data-epoch")
    browser_stack.restart_redis()
    expect(board).not_to_have_attribute("data-epoch", old_epoch or "", timeout=RECOVER_MS)
    expect(board).to_have_attribute("data-freshness", "live", timeout=RECOVER_MS)
    caller = call(browser_stack, "6400", "5550130")
    expect(tv.locator('[data-queue="6400"] .waiting')).to_have_text("1", timeout=WAIT_MS)
    hang_up(browser_stack, [caller])


def test_a_thai_tv_shows_thai_in_the_shipped_font(
    chromium: Browser, browser_stack: BrowserStack
) -> None:
    """Last in the module: pairing the demo display again retires the English TV's credential."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="th-TH")
    page = context.new_page()
    pair_tv(page, browser_stack.new_tv_link())
    assert page.evaluate("document.documentElement.lang") == "th"
    expect(page.locator('[data-metric="waiting"] dt').first).to_contain_text("รอสาย")
    expect(page.locator("#freshness")).not_to_have_text("LIVE")  # translated too
    # Our Thai face was fetched and decoded, and it (not a system font of the same name, nor
    # any other) drew every glyph of a Thai label (the label's visible text, before its
    # definition for screen readers).
    label = drawn_with(page, '[data-metric="waiting"] dt')
    assert label.text == "รอสาย", label
    assert label.faces["400"] == "loaded", label
    assert label.checks, label
    assert label.fonts == [(THAI_FAMILY, True)], label
    screenshot(page, "tv-th.png")
    context.close()
