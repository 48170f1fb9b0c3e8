"""In Chromium, the wall TV's clock: the time in the installation's TIME_ZONE by the server's
clock, though the TV's own zone and clock are wrong; in English and Thai; the TV still fits its
screen at every size with the clock on it."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, live, pair_tv
from tests.integration.test_tv_kiosk import SIZES

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ZONE = "Asia/Bangkok"  # the installation's, and its PBX's (pbxsim's default)
TV_ZONE = "America/New_York"  # what the TV's browser thinks, wrongly
TV_CLOCK_BEHIND = timedelta(hours=5, minutes=13)  # and how wrong the TV's own clock is
# The module's stack (its web server and workers) runs in ZONE.
STACK_SETTINGS = {"TIME_ZONE": ZONE}
TITLES = {"en-GB": f"Local time ({ZONE})", "th-TH": f"เวลาท้องถิ่น ({ZONE})"}


def open_tv(chromium: Browser, link: str, locale: str) -> Page:
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, locale=locale, timezone_id=TV_ZONE
    )
    page = context.new_page()
    page.clock.install(time=datetime.now() - TV_CLOCK_BEHIND)
    pair_tv(page, link)
    return page


def local_now() -> set[str]:
    """HH:MM in ZONE now, and a minute on (the clock may turn while the test reads it)."""
    now = datetime.now(ZoneInfo(ZONE))
    return {f"{now:%H:%M}", f"{now + timedelta(minutes=1):%H:%M}"}


def fits(tv: Page) -> dict[str, object]:
    found: dict[str, object] = tv.evaluate("""() => {
        const inside = (node) => {
            const box = node.getBoundingClientRect();
            return box.bottom <= innerHeight && box.right <= innerWidth && box.width > 0;
        };
        const clock = document.querySelector("#wall-clock");
        return {
            scrolls: document.documentElement.scrollHeight > innerHeight
                || document.documentElement.scrollWidth > innerWidth,
            outside: [...document.querySelectorAll(".tile, #freshness, #data-age, #link-status")]
                .filter((node) => !inside(node)).length,
            clock: inside(clock),
            clockPx: parseFloat(getComputedStyle(clock).fontSize),
        };
    }""")
    return found


def check_clock(tv: Page, locale: str) -> None:
    clock = tv.locator("#wall-clock")
    expect(clock).to_have_attribute("title", TITLES[locale])
    # Within a second of the first snapshot, which tells the server's time.
    expect(clock).to_have_text(re.compile("^(" + "|".join(local_now()) + ")$"), timeout=WAIT_MS)
    for width, height in SIZES:
        tv.set_viewport_size({"width": width, "height": height})
        found = fits(tv)
        assert (found["scrolls"], found["outside"], found["clock"]) == (False, 0, True), found
        assert float(str(found["clockPx"])) >= 0.04 * height  # read across the room


@pytest.mark.parametrize("locale", ["en-GB", "th-TH"])
def test_the_tv_clock_keeps_the_installations_time(
    chromium: Browser, browser_stack: BrowserStack, locale: str
) -> None:
    """Each pairing retires the TV paired before (one demo display)."""
    link = browser_stack.stack.tv_link if locale == "en-GB" else browser_stack.new_tv_link()
    tv = open_tv(chromium, link, locale)
    live(tv)
    check_clock(tv, locale)
    tv.context.close()
