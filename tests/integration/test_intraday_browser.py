"""In Chromium, in English and Thai: a supervisor opens today's intraday chart from the board, and
sees today's intervals as kept (times in TIME_ZONE), last week's line beside them, the service
level coloured by the board's thresholds, and the current interval counting on live."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, live, screenshot, sign_in
from tests.integration.stack import manage, wait_until
from tests.integration.test_csp_browser import VIOLATIONS
from tests.integration.test_tv_fit import check_every_size, open_tv

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ZONE = ZoneInfo("Asia/Bangkok")


def two_hours_ago() -> datetime:
    """A business day that began two hours ago (on a quarter hour): it has closed intervals
    whenever the test runs, and no new day begins during it."""
    began = datetime.now(ZONE) - timedelta(hours=2)
    return began.replace(minute=began.minute - began.minute % 15, second=0, microsecond=0)


DAY_START = two_hours_ago()
STACK_SETTINGS = {"TIME_ZONE": "Asia/Bangkok", "BUSINESS_DAY_START": DAY_START.strftime("%H:%M")}
# Kept intervals of queue 6400: the day's first three today, and its first a week ago.
# Service level 40 % (critical at the default 60), 100 %, 70 % (warn at 80).
SEEDED = {
    DAY_START: {"offered": 7, "answered": 5, "abandoned": 1, "timed_out": 1, "answered_in_sl": 2,
                "answered_wait_ms": 150_000, "handled": 5, "talk_ms": 600_000},
    DAY_START + timedelta(minutes=15): {"offered": 4, "answered": 4, "answered_in_sl": 4},
    DAY_START + timedelta(minutes=30): {"offered": 10, "answered": 10, "answered_in_sl": 7},
    DAY_START - timedelta(days=7): {"offered": 12, "answered": 12, "answered_in_sl": 12},
}  # fmt: skip
CRITICAL, WARN = (255, 90, 95), (240, 180, 41)  # board.css: --critical, --warn


@pytest.fixture(scope="module")
def history(browser_stack: BrowserStack) -> BrowserStack:
    rows = ", ".join(f"({start.isoformat()!r}, {counters!r})" for start, counters in SEEDED.items())
    code = (
        "from dataclasses import asdict; from datetime import datetime; "
        "from dashboard.live.today import QueueDay; from dashboard.models import QueueInterval\n"
        f"for start, counters in [{rows}]:\n"
        "    QueueInterval.objects.create(queue='6400', start=datetime.fromisoformat(start), "
        "counters=asdict(QueueDay(**counters)))"
    )
    manage(browser_stack.rig.env, "shell", "--no-imports", "-c", code)
    return browser_stack


def open_intraday(page: Page) -> None:
    """From the board, by the queue tile's link, as a supervisor would."""
    page.locator('.tile[data-queue="6400"] .trend-link').click()
    page.wait_for_url("**/boards/demo/intraday/?queue=6400")
    live(page)
    rows = page.locator(".intraday-table tbody tr")
    wait_until(lambda: rows.count() == intervals_so_far(), WAIT_MS / 1000)


def intervals_so_far() -> int:
    """The day's 15-minute intervals up to the current one: the rows the table has now (the
    module is imported, and DAY_START fixed, well before a long run reaches these tests)."""
    return int((datetime.now(ZONE) - DAY_START).total_seconds() // (15 * 60)) + 1


def cells(page: Page, row: int) -> list[str]:
    return page.locator(".intraday-table tbody tr").nth(row).locator("td").all_inner_texts()


def levels(page: Page) -> list[str | None]:
    sl = page.locator('.intraday-table td[data-figure="today.service_level"]')
    return [sl.nth(row).get_attribute("data-level") for row in range(3)]


def drawn_in(page: Page, colour: tuple[int, int, int]) -> bool:
    """Whether the chart's canvas has pixels of this colour (the line's middle, not its edges)."""
    script = """([r, g, b]) => {
        const canvas = document.querySelector("#intraday-chart canvas");
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (let at = 0; at < data.length; at += 4) {
            const near = Math.abs(data[at] - r) + Math.abs(data[at + 1] - g)
                + Math.abs(data[at + 2] - b);
            if (near < 12 && data[at + 3] > 240) return true;
        }
        return false;
    }"""
    return bool(page.evaluate(script, list(colour)))


def last_week_at_first_interval(page: Page) -> str:
    """The legend's value of the last-week line where the cursor is, at the day's start."""
    over = page.locator("#intraday-chart .u-over")
    over.hover(position={"x": 1, "y": 10})
    return (
        page.locator("#intraday-chart .u-legend .u-series").nth(8).locator(".u-value").inner_text()
    )


def test_the_intraday_chart_and_table_in_english(chromium: Browser, history: BrowserStack) -> None:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    context.add_init_script(VIOLATIONS)  # the chart library within the Content-Security-Policy
    page = context.new_page()
    sign_in(page, history.stack)
    open_intraday(page)
    first = page.locator(".intraday-table tbody th").first
    expect(first).to_have_text(DAY_START.strftime("%H:%M"))  # Bangkok time, whatever the browser's
    assert cells(page, 0) == ["7", "5", "1", "1", "40%", "30s", "120s", "12", "100%"]
    assert cells(page, 2)[:5] == ["10", "10", "0", "0", "70%"]
    assert levels(page) == ["critical", "", "warn"]
    assert drawn_in(page, CRITICAL)
    assert drawn_in(page, WARN)
    assert last_week_at_first_interval(page) == "12"
    counts_on_live(page, history)
    assert page.evaluate("() => window.cspViolations") == []
    screenshot(page, "intraday-en.png")
    context.close()


def counts_on_live(page: Page, history: BrowserStack) -> None:
    """A caller joins queue 6400: the current interval (the last row) offers one call more."""
    current = page.locator(".intraday-table tbody tr.current td").first
    before = int(current.inner_text())
    call = history.stack.sim("POST", "calls", {"queue": "6400", "caller": "5550199"})["call_id"]
    expect(current).to_have_text(str(before + 1), timeout=WAIT_MS)
    history.stack.sim("POST", f"calls/{call}/abandon")


def test_the_intraday_page_in_thai(chromium: Browser, history: BrowserStack) -> None:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="th-TH")
    page = context.new_page()
    sign_in(page, history.stack)
    open_intraday(page)
    expect(page.locator(".intraday h1")).to_have_text("วันนี้ รายช่วงเวลา")
    expect(page.locator(".intraday-table thead th").nth(1)).to_have_text("สายเข้า")
    expect(page.locator("#intraday-chart .u-legend")).to_contain_text("สายเข้า สัปดาห์ที่แล้ว")
    assert cells(page, 0)[0] == "7"
    assert levels(page) == ["critical", "", "warn"]
    screenshot(page, "intraday-th.png")
    context.close()


def test_the_tv_shows_the_trend_strip_when_the_board_asks_and_still_fits(
    chromium: Browser, history: BrowserStack
) -> None:
    code = (
        "from dashboard.models import Board; "
        "Board.objects.filter(slug='demo').update(tv_trend_strip=True)"
    )
    manage(history.rig.env, "shell", "--no-imports", "-c", code)
    tv = open_tv(chromium, history.new_tv_link(), "th-TH")
    offered = tv.locator('.tile[data-queue="6400"] .trend-strip polyline.offered')
    expect(offered).to_have_attribute(
        "points", re.compile(r"^0,\S+ 1,\S+ 2,\S+ 3,"), timeout=WAIT_MS
    )
    service_level = tv.locator('.tile[data-queue="6400"] .trend-strip polyline.service-level')
    expect(service_level).to_have_attribute("points", re.compile(r"^0,60\.0 1,0\.0 2,30\.0"))
    expect(tv.locator(".tile .trend-strip")).to_have_count(2)  # one a queue
    check_every_size(tv, 2, banner=False)
    screenshot(tv, "tv-trend-strip-th.png")
    tv.context.close()
