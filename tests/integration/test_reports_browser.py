"""In Chromium, in English and Thai: a supervisor asks for a 30-day report of their queue, reads
its table (days in the installation's zone), downloads it as CSV and XLSX and prints it without
the form; opens the agents' day from the console's agents table, and sorts it."""

import csv
from datetime import datetime, time, timedelta
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, screenshot, sign_in
from tests.integration.stack import keep_history

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ZONE = ZoneInfo("Asia/Bangkok")
STACK_SETTINGS = {"TIME_ZONE": "Asia/Bangkok", "BUSINESS_DAY_START": "06:00"}
# The 30 business days before today's (the day starts at 06:00 in Bangkok).
TODAY = (datetime.now(ZONE) - timedelta(hours=6)).date()
DAYS = [TODAY - timedelta(days=n) for n in range(30, 0, -1)]
YESTERDAY = DAYS[-1]
# Yesterday's agents as the worker kept them at the day's roll-over.
KEPT_AGENTS = {
    "1001": {"answered": 3, "missed": 0, "talk_ms": 360_000, "hold_ms": 0, "pause_ms": {},
             "logged_in_ms": 28_800_000},
    "1002": {"answered": 7, "missed": 2, "talk_ms": 420_000, "hold_ms": 60_000,
             "pause_ms": {"Lunch": 1_800_000, "(no reason)": 120_000},
             "pauses": {"Lunch": 1, "(no reason)": 2}, "logged_in_ms": 30_600_000},
    "1003": {"answered": 5, "missed": 1, "talk_ms": 900_000, "hold_ms": 0, "pause_ms": {},
             "logged_in_ms": 14_400_000},
}  # fmt: skip


@pytest.fixture(scope="module")
def history(browser_stack: BrowserStack) -> BrowserStack:
    """Queue 6400, each of the 30 days at 09:00 local: n calls offered on the nth day."""
    intervals = {
        datetime.combine(day, time(9), ZONE): {
            "offered": n, "answered": n, "answered_in_sl": n, "handled": n, "talk_ms": n * 60000
        }
        for n, day in enumerate(DAYS, 1)
    }  # fmt: skip
    keep_history(browser_stack.rig.env, intervals, YESTERDAY, KEPT_AGENTS)
    return browser_stack


def signed_in_page(chromium: Browser, history: BrowserStack, locale: str) -> Page:
    context = chromium.new_context(
        viewport={"width": 1600, "height": 1000}, locale=locale, accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, history.stack)
    return page


def ask_for_the_month(page: Page, history: BrowserStack) -> None:
    page.goto(f"{history.stack.web_url}/reports/")
    page.fill("input[name=date_from]", DAYS[0].isoformat())
    page.fill("input[name=date_to]", YESTERDAY.isoformat())
    page.locator("input[name=queues][value='6401']").uncheck()
    page.select_option("select[name=grouping]", "day")
    page.locator(".report-form button[type=submit]").click()
    expect(page.locator("table.report tbody tr")).to_have_count(30, timeout=WAIT_MS)


def downloaded(page: Page, link: str) -> bytes:
    with page.expect_download() as download:
        page.locator(".downloads a", has_text=link).click()
    path = download.value.path()
    assert path is not None
    return path.read_bytes()


def test_a_30_day_report_on_screen_in_csv_xlsx_and_print(
    chromium: Browser, history: BrowserStack
) -> None:
    page = signed_in_page(chromium, history, "en-GB")
    ask_for_the_month(page, history)
    first = page.locator("table.report tbody tr").first.locator("td").all_inner_texts()
    assert first[:3] == [DAYS[0].isoformat(), "6400", "1"]
    assert page.locator("table.report tbody tr").last.locator("td").nth(2).inner_text() == "30"
    lines = list(csv.reader(StringIO(downloaded(page, "Download CSV").decode())))
    assert lines[0][:3] == ["Period", "Queue", "Offered"]
    assert [line[0] for line in lines[1:]] == [day.isoformat() for day in DAYS]
    sheet = load_workbook(BytesIO(downloaded(page, "Download XLSX"))).active
    assert sheet is not None
    assert sheet["A31"].value == datetime.combine(YESTERDAY, datetime.min.time())
    assert sheet["C31"].value == 30
    page.emulate_media(media="print")
    expect(page.locator(".report-form")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("table.report")).to_be_visible()
    page.emulate_media(media="screen")
    screenshot(page, "report-en.png")
    page.context.close()


def test_the_report_in_thai(chromium: Browser, history: BrowserStack) -> None:
    page = signed_in_page(chromium, history, "th-TH")
    ask_for_the_month(page, history)
    expect(page.locator("h1")).to_have_text("รายงาน")
    expect(page.locator("table.report thead th").nth(2)).to_have_text("สายเข้า")
    sheet = load_workbook(BytesIO(downloaded(page, "ดาวน์โหลด XLSX"))).active
    assert sheet is not None
    assert sheet["A1"].value == "ช่วงเวลา"
    assert sheet["C2"].value == 1
    page.context.close()


def answered_column(page: Page) -> list[int]:
    return [
        int(text)
        for text in page.locator("table.agent-day tbody td:nth-child(3)").all_inner_texts()
    ]


def test_the_agents_day_from_the_console_and_sorted(
    chromium: Browser, history: BrowserStack
) -> None:
    page = signed_in_page(chromium, history, "en-GB")
    page.locator('table.agents tr[data-agent="1002"] a.agent-day-link').click()
    page.wait_for_url("**/reports/agents/#agent-1002")
    expect(page.locator("h1")).to_have_text("Agents' day")
    page.fill("input[name=day]", YESTERDAY.isoformat())
    page.locator(".report-form button[type=submit]").click()
    cells = page.locator("#agent-1002 td")
    expect(cells.nth(1)).to_have_text("8:30:00")  # logged in
    expect(cells.nth(2)).to_have_text("7")  # answered
    expect(cells.nth(8)).to_have_text("2")  # auto-pauses
    expect(page.locator("#agent-1002 .pause-reasons")).to_contain_text("Lunch: 0:30:00")
    expect(page.locator("#agent-1002 .pause-reasons")).to_contain_text("No reason: 0:02:00")
    page.locator('th[data-sort="answered"] a').click()
    expect(page.locator('th[data-sort="answered"]')).to_have_attribute("aria-sort", "ascending")
    assert answered_column(page) == [3, 5, 7]
    page.locator('th[data-sort="answered"] a').click()
    expect(page.locator('th[data-sort="answered"]')).to_have_attribute("aria-sort", "descending")
    assert answered_column(page) == [7, 5, 3]
    screenshot(page, "agent-day-en.png")
    page.context.close()


def test_the_agents_day_in_thai(chromium: Browser, history: BrowserStack) -> None:
    page = signed_in_page(chromium, history, "th-TH")
    page.goto(
        f"{history.stack.web_url}/reports/agents/?day={YESTERDAY.isoformat()}&sort=talk_s&desc=on"
    )
    expect(page.locator("h1")).to_have_text("วันทำงานของเจ้าหน้าที่")
    expect(page.locator('th[data-sort="talk_s"]')).to_have_text("เวลาสนทนา")
    expect(page.locator("table.agent-day tbody tr").first).to_have_attribute("data-agent", "1003")
    expect(page.locator("#agent-1002 .pause-reasons")).to_contain_text("ไม่ระบุเหตุผล: 0:02:00")
    page.context.close()
