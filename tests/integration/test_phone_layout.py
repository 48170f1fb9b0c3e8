"""In Chromium as a phone (a mobile viewport, touch), 360 x 740 and 390 x 844, English and Thai:
every console view reflows to the screen's width with no sideways scrolling of the page: the
board with calls waiting and in progress, the reports, the agents' day, today by interval, the
second-factor page and the sign-in page. Each queue tile's figures, its service level included,
are on screen and uncovered, and a live call's action button takes a tap."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, live, sign_in
from tests.integration.stack import Stack, keep_history

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ZONE = ZoneInfo("Asia/Bangkok")
STACK_SETTINGS = {"TIME_ZONE": "Asia/Bangkok", "BUSINESS_DAY_START": "06:00"}
TODAY = (datetime.now(ZONE) - timedelta(hours=6)).date()
DAYS = [TODAY - timedelta(days=n) for n in range(7, 0, -1)]
YESTERDAY = DAYS[-1]
KEPT_AGENTS = {
    "1001": {"answered": 3, "missed": 0, "talk_ms": 360_000, "hold_ms": 0, "pause_ms": {}},
    "1002": {"answered": 7, "missed": 2, "talk_ms": 420_000, "hold_ms": 60_000,
             "pause_ms": {"Lunch": 1_800_000, "(no reason)": 120_000}},
}  # fmt: skip
PHONES = [ViewportSize(width=360, height=740), ViewportSize(width=390, height=844)]
LOCALES = ["en-GB", "th-TH"]
LISTEN = {"en-GB": "Listen", "th-TH": "ฟังสาย"}

# Whether the page is as wide as the screen (a mobile browser zooms out to show a wider page,
# and then reports that width as the window's), and which of the elements at `selector` (drawn,
# so not hidden) stick out of it.
OVERFLOW = """(selector) => {
    const width = window.innerWidth;
    const outside = [...document.querySelectorAll(selector)].filter((node) => {
        const box = node.getBoundingClientRect();
        return box.width > 0 && (box.left < 0 || box.right > width + 0.5);
    });
    return {
        innerWidth: width,
        scrollWidth: document.documentElement.scrollWidth,
        outside: outside.map((node) => node.outerHTML.slice(0, 120)),
    };
}"""
# The elements at `selector` that, scrolled to, have something else on top of their middle.
COVERED = """(selector) => [...document.querySelectorAll(selector)].filter((node) => {
    node.scrollIntoView({ block: "center" });
    const box = node.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return !node.contains(top);
}).map((node) => node.outerHTML.slice(0, 120))"""


def assert_fits(page: Page, phone: ViewportSize, selector: str) -> None:
    found: dict[str, Any] = page.evaluate(OVERFLOW, selector)
    assert found["innerWidth"] == phone["width"], (page.url, found)
    assert found["scrollWidth"] <= phone["width"], (page.url, found)
    assert found["outside"] == [], page.url


@pytest.fixture(scope="module")
def content(browser_stack: BrowserStack) -> Iterator[Stack]:
    """A week of kept intervals and yesterday's agents, a caller waiting and a call answered."""
    intervals = {
        datetime.combine(day, time(9), ZONE): {
            "offered": 10 * n, "answered": 9 * n, "answered_in_sl": 8 * n, "abandoned": n,
            "handled": 9 * n, "talk_ms": n * 600000,
        }
        for n, day in enumerate(DAYS, 1)
    }  # fmt: skip
    keep_history(browser_stack.rig.env, intervals, YESTERDAY, KEPT_AGENTS)
    stack = browser_stack.stack
    waiting = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550100"})["call_id"]
    answered = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550077"})["call_id"]
    stack.sim("POST", f"calls/{answered}/answer", {"agent": "1002"})
    stack.sim("POST", "agents/1003/pause", {"reason": "*01"})
    yield stack
    stack.sim("POST", "agents/1003/unpause")
    stack.sim("POST", f"calls/{waiting}/abandon")
    stack.sim("POST", f"calls/{answered}/hangup")


@pytest.fixture(params=[(phone, locale) for phone in PHONES for locale in LOCALES], ids=str)
def handset(
    request: pytest.FixtureRequest, chromium: Browser
) -> Iterator[tuple[BrowserContext, ViewportSize, str]]:
    phone, locale = request.param
    context = chromium.new_context(viewport=phone, is_mobile=True, has_touch=True, locale=locale)
    yield context, phone, locale
    context.close()


def test_every_console_view_fits_a_phone(
    handset: tuple[BrowserContext, ViewportSize, str], content: Stack
) -> None:
    context, phone, locale = handset
    page = context.new_page()
    page.goto(f"{content.web_url}/boards/demo/")
    page.wait_for_url("**/accounts/login/**")
    assert_fits(page, phone, ".login *")

    sign_in(page, content)
    tiles = page.locator("#queues .tile")
    expect(tiles).not_to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("#waiting-section tbody tr")).not_to_have_count(0, timeout=WAIT_MS)
    calls = page.locator("#calls-section tbody tr")
    expect(calls).not_to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("#agents-section tbody tr").first).to_be_visible(timeout=WAIT_MS)
    figures = "#queues .tile :is(h2, dd), .topbar *, .board-head > *"
    assert_fits(page, phone, figures)
    assert page.evaluate(COVERED, "#queues .tile dd") == []

    # Scrolled to, as by a thumb: the board does not render the lists while far off screen.
    page.locator("#calls-section").scroll_into_view_if_needed()
    lists = "#agents-section tbody tr:not([hidden]) td, #waiting-section td, #calls-section td"
    assert_fits(page, phone, lists)
    listen = calls.first.get_by_role("button", name=LISTEN[locale], exact=True)
    listen.tap()  # Playwright fails the tap if another element would take it
    dialog = page.locator("#wb-action-dialog")
    expect(dialog).to_be_visible()
    assert_fits(page, phone, "#wb-action-dialog, #wb-action-dialog *")
    dialog.locator("button[value=cancel]").tap()
    expect(dialog).to_be_hidden()

    query = f"date_from={DAYS[0]}&date_to={YESTERDAY}&grouping=day&queues=6400"
    page.goto(f"{content.web_url}/reports/?{query}")
    expect(page.locator("table.report tbody tr")).to_have_count(len(DAYS))
    assert_fits(page, phone, "main > *, .report-form *, table.report, .topbar *")

    page.goto(f"{content.web_url}/reports/agents/?day={YESTERDAY}")
    expect(page.locator("table.agent-day tbody tr")).to_have_count(len(KEPT_AGENTS))
    assert_fits(page, phone, "main > *, .report-form *, table.agent-day, .topbar *")

    page.goto(f"{content.web_url}/boards/demo/intraday/?queue=6400")
    live(page)
    expect(page.locator(".intraday-table tbody tr")).not_to_have_count(0, timeout=WAIT_MS)
    assert_fits(page, phone, ".board-head > *, .intraday-queues *, .intraday-chart, .panel")

    page.goto(f"{content.web_url}/accounts/second-factor/")
    expect(page.locator("#totp-secret")).to_be_visible()
    assert_fits(page, phone, ".login *, .topbar *")
