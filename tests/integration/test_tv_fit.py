"""In Chromium, a wall TV fits its screen whatever it shows (docs/tv-setup.md, "Screen sizes"):
1, 6 or 24 queues, a red banner or none, English or Thai, at 720p, 1080p and 4K. Every tile on
screen holds all its figures, none off screen or over another tile; a board of more queues than
fit readably shows them in pages, each in turn; the LIVE/STALE badge is at least as tall as a row
of labels and the status line at least 2.5 % of the screen height."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.screens import RECOVER_MS, WAIT_MS, pair_tv
from tests.integration.stack import Stack, manage, orm
from tests.integration.test_tv_kiosk import SIZES

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# 24 queues, half with Thai names, some long: what the TV of a big call centre shows.
SCENARIO = Path(__file__).with_name("wall_tv_queues.json")
QUEUES = [str(6400 + n) for n in range(24)]
PAGE_S = 5  # the kiosk's floor for a Display's seconds per board and page
STILL_S = 3600  # pages that turn only when the test turns them
# Resolves in the next rendering update, once the ResizeObservers made before it have run.
NEXT_FRAME = """() => new Promise((done) => {
    const observer = new ResizeObserver(() => { observer.disconnect(); done(); });
    observer.observe(document.documentElement);
})"""
# What a viewer would see wrong on the screen as it is now, and the sizes read across the room.
REPORT = """() => {
    const box = (node) => node.getBoundingClientRect();
    const shown = (node) => node.checkVisibility() && box(node).width > 0 && box(node).height > 0;
    const name = (node) => node.dataset.queue ?? (node.id || node.tagName);
    const within = (a, b) => a.top >= b.top - 0.5 && a.left >= b.left - 0.5
        && a.bottom <= b.bottom + 0.5 && a.right <= b.right + 0.5;
    const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
        && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const screen = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
    const root = document.documentElement;
    const problems = [];
    if (root.scrollHeight > innerHeight || root.scrollWidth > innerWidth) {
        problems.push(`the page is ${root.scrollWidth} by ${root.scrollHeight}`);
    }
    const head = [...document.querySelectorAll(".board-head > *, #banner")].filter(shown);
    const tiles = [...document.querySelectorAll("#queues .tile")].filter(shown);
    for (const node of [...head, ...tiles]) {
        if (!within(box(node), screen)) problems.push(`${name(node)} is off screen`);
    }
    tiles.forEach((tile, at) => {
        const outer = box(tile);
        for (const other of [...head, ...tiles.slice(at + 1)]) {
            if (overlap(outer, box(other))) problems.push(`${name(tile)} overlaps ${name(other)}`);
        }
        if (tile.scrollHeight > tile.clientHeight + 1 || tile.scrollWidth > tile.clientWidth + 1) {
            problems.push(`${name(tile)} holds more than it shows`);
        }
        for (const part of tile.querySelectorAll("h2, dt, dd")) {
            if (!shown(part) || !within(box(part), outer)) {
                problems.push(`${name(tile)}: "${part.textContent}" is cut off`);
            }
        }
    });
    const px = (nodes) => nodes.map((node) => parseFloat(getComputedStyle(node).fontSize));
    const all = (selector) => tiles.flatMap((tile) => [...tile.querySelectorAll(selector)]);
    const labels = all("dt");
    return {
        problems,
        banner: shown(document.getElementById("banner")),
        queues: tiles.map((tile) => tile.dataset.queue),
        labelPx: Math.min(...px(labels)),
        figurePx: Math.min(...px(all(".key-figures dd"))),
        labelRowPx: Math.max(...labels.map((n) => parseFloat(getComputedStyle(n).lineHeight))),
        badgePx: box(document.getElementById("freshness")).height,
        statusPx: Math.min(...px([...document.querySelectorAll("#link-status, #data-age")])),
    };
}"""


def show_queues(stack: Stack, count: int, language: str, page_s: int = STILL_S) -> str:
    """The demo board shows the first `count` queues in `language`, its TV turns pages every
    page_s; a fresh one-time TV link."""
    env, queues = stack.rig.env, ",".join(QUEUES[:count])
    out = manage(env, "seed_demo", "--base-url", stack.web_url, f"--password={stack.password}",
                 "--queues", queues)  # fmt: skip
    orm(
        env,
        f"Board.objects.filter(slug='demo').update(language='{language}'); "
        f"Display.objects.filter(name='Demo TV').update(rotation_s={page_s})",
    )
    return out.rsplit("TV link:", 1)[1].split()[0]


def open_tv(chromium: Browser, link: str, locale: str) -> Page:
    """A TV paired with `link`, once every tile has its figures."""
    tv = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale=locale).new_page()
    pair_tv(tv, link)
    cells = tv.locator('#queues :is(.waiting, [data-today="offered"])')  # names come with them
    expect(cells.filter(has_text="–")).to_have_count(0, timeout=WAIT_MS)
    return tv


def pages_turn_and_tell_alarms(chromium: Browser, stack: Stack, count: int) -> None:
    """The pages turn by themselves; the last page's dot turns amber while one of its queues
    has as many callers waiting as the board's warning level (3)."""
    tv = open_tv(chromium, show_queues(stack, count, "en", PAGE_S), "en-GB")
    dots = tv.locator("#pages > *")
    expect(dots.first).to_have_attribute("aria-current", "true")
    expect(dots.nth(1)).to_have_attribute("aria-current", "true", timeout=2 * PAGE_S * 1000)
    queue = QUEUES[count - 1]
    calls = [stack.sim("POST", "calls", {"queue": queue, "caller": f"55502{n}"}) for n in range(3)]
    expect(dots.last).to_have_attribute("data-level", "warn", timeout=WAIT_MS)
    expect(dots.first).to_have_attribute("data-level", "")
    for placed in calls:
        stack.sim("POST", f"calls/{placed['call_id']}/abandon")
    expect(dots.last).to_have_attribute("data-level", "", timeout=WAIT_MS)
    tv.context.close()


@contextlib.contextmanager
def pbx_link_cut(stack: Stack, tv: Page) -> Iterator[None]:
    """The PBX link down, as the worker reports it: the red banner says so until it is back."""
    stack.sim("POST", "faults/errcode", {"endpoint": "subscribe", "errcode": -2})
    stack.sim("POST", "faults/drop_sockets")
    expect(tv.locator("#banner")).to_contain_text("PBX", timeout=WAIT_MS)
    try:
        yield
    finally:
        stack.sim("POST", "faults/clear")
    expect(tv.locator("#board")).to_have_attribute("data-freshness", "live", timeout=RECOVER_MS)
    expect(tv.locator("#banner")).to_be_hidden()


def settled_report(tv: Page) -> dict[str, Any]:
    """The screen once laid out for what it shows now: after the next rendering update, whose
    ResizeObservers (the TV's layout first, then ours) run after a resize or a banner."""
    tv.evaluate(NEXT_FRAME)
    report: dict[str, Any] = tv.evaluate(REPORT)
    return report


def every_page(tv: Page) -> Iterator[dict[str, Any]]:
    """The report of each page in turn, turned as by the TV's remote."""
    dots = tv.locator("#pages > *")
    pages = max(1, dots.count())
    for turn in range(pages):
        if turn:
            shown = tv.locator("#pages > [aria-current=true]").evaluate(
                "(dot) => [...dot.parentNode.children].indexOf(dot)"
            )
            tv.keyboard.press("PageDown")
            expect(dots.nth((shown + 1) % pages)).to_have_attribute("aria-current", "true")
        yield settled_report(tv)


def check_every_size(tv: Page, count: int, banner: bool) -> None:
    for width, height in SIZES:
        tv.set_viewport_size({"width": width, "height": height})
        seen: list[str] = []
        for report in every_page(tv):
            context = (width, height, report)
            assert report["problems"] == [], context
            assert report["banner"] is banner, context
            assert report["figurePx"] >= 0.06 * height, context  # read across the room
            assert report["labelPx"] >= 0.025 * height, context
            assert report["badgePx"] >= report["labelRowPx"], context
            assert report["statusPx"] >= 0.025 * height, context
            if count == 1:  # nothing else on screen: the key figures at their full size
                assert report["figurePx"] >= 0.099 * height, context
            seen += report["queues"]
        assert sorted(seen) == QUEUES[:count], (width, height)  # each queue once a round


@pytest.mark.parametrize("idle_rig", [["--scenario", str(SCENARIO)]], indirect=True, ids=[""])
@pytest.mark.parametrize("count", [1, 6, 24])
def test_the_tv_fits_its_screen_whatever_it_shows(
    chromium: Browser, stack: Stack, count: int
) -> None:
    if count > 3:  # more than fit readably: pages
        pages_turn_and_tell_alarms(chromium, stack, count)
    for language, locale in (("en", "en-GB"), ("th", "th-TH")):
        tv = open_tv(chromium, show_queues(stack, count, language), locale)
        expect(tv.locator("#queues .tile")).to_have_count(count)
        check_every_size(tv, count, banner=False)
        with pbx_link_cut(stack, tv):
            check_every_size(tv, count, banner=True)
        tv.context.close()
