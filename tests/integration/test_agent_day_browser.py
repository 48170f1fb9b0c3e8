"""In Chromium, in English and Thai: the console's agents table shows each agent's talk, hold and
pause time today, the pause time by reason in visible text, and sorts by each from its header
(mouse or keyboard), saying so in aria-sort."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, screenshot, sign_in
from tests.integration.stack import Stack, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def spent(stack: Stack, number: str, figure: str) -> int:
    """The simulator's talk_ms or hold_ms of an agent so far."""
    agents = stack.sim("GET", "state")["agents"]
    return int(next(a["times"][figure] for a in agents if a["number"] == number))


def answered_call(stack: Stack, agent: str, talk_ms: int, hold_ms: int = 0) -> None:
    """A call `agent` answers, holds for `hold_ms` and talks on for `talk_ms` in all (at speed 1
    the simulator's clock is the wall clock: the call must really last)."""
    call_id = stack.sim("POST", "calls", {"queue": "6400", "caller": f"55502{agent}"})["call_id"]
    stack.sim("POST", f"calls/{call_id}/answer", {"agent": agent})
    if hold_ms:
        stack.sim("POST", f"calls/{call_id}/hold")
        wait_until(lambda: spent(stack, agent, "hold_ms") >= hold_ms)
        stack.sim("POST", f"calls/{call_id}/unhold")
    wait_until(lambda: spent(stack, agent, "talk_ms") >= talk_ms)
    stack.sim("POST", f"calls/{call_id}/hangup")


@pytest.fixture(scope="module")
def agent_day(browser_stack: BrowserStack) -> Iterator[Stack]:
    """1002 talked longest (with a hold), then 1001; 1003 is at lunch, 1004 paused for no
    reason."""
    stack = browser_stack.stack
    answered_call(stack, "1002", 2500, hold_ms=1100)
    answered_call(stack, "1001", 1200)
    stack.sim("POST", "agents/1003/pause", {"reason": "*01"})
    stack.sim("POST", "agents/1004/pause")
    yield stack
    for number in ("1003", "1004"):
        stack.sim("POST", f"agents/{number}/unpause")


def first_agents(page: Page) -> list[str]:
    return page.locator("#agents-section tbody tr:visible td.number").all_inner_texts()[:3]


def sorts_by_talk_time(page: Page) -> None:
    """Once by mouse (ascending), once by keyboard (descending)."""
    heading = page.locator('th[data-sort="talk"]')
    heading.locator("button").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    heading.locator("button").press("Enter")
    expect(heading).to_have_attribute("aria-sort", "descending")
    assert first_agents(page) == ["1002", "1001", "1003"]  # ties by extension
    expect(page.locator('th[data-sort="number"]')).to_have_attribute("aria-sort", "none")


def test_a_supervisor_sorts_agents_by_talk_time_and_reads_pause_reasons(
    console: Page, agent_day: Stack
) -> None:
    busiest = console.locator('tr[data-agent="1002"]')
    expect(busiest.locator("td.talk-time")).to_have_text("0:02", timeout=WAIT_MS)
    expect(busiest.locator("td.hold-time")).to_have_text("0:01")
    expect(console.locator('th[data-sort="talk"] button')).to_have_text("Talk time")
    sorts_by_talk_time(console)
    lunch = console.locator('tr[data-agent="1003"] td.pause-time')
    expect(lunch.locator(".pause-reason")).to_have_text("Lunch", timeout=WAIT_MS)
    running = lunch.locator(".day-total").inner_text()
    expect(lunch.locator(".day-total")).not_to_have_text(running, timeout=WAIT_MS)  # it ticks
    expect(lunch.locator(".pause-reason")).to_be_visible()
    no_reason = console.locator('tr[data-agent="1004"] td.pause-time .pause-reason')
    expect(no_reason).to_have_text("No reason")
    console.locator('th[data-sort="pause_time"] button').click()
    console.locator('th[data-sort="pause_time"] button').click()
    assert first_agents(console)[:2] == ["1003", "1004"]
    screenshot(console, "console-agent-day-en.png")


def test_the_agents_day_speaks_thai(
    chromium: Browser, browser_stack: BrowserStack, agent_day: Stack
) -> None:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="th-TH")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    expect(page.locator('th[data-sort="talk"] button')).to_have_text("เวลาสนทนา")
    expect(page.locator('th[data-sort="hold"] button')).to_have_text("เวลาพักสาย")
    expect(page.locator('th[data-sort="pause_time"] button')).to_have_text("เวลาพัก")
    sorts_by_talk_time(page)
    reasons = page.locator("td.pause-time .pause-reason")
    expect(reasons).to_have_text(["Lunch", "ไม่ระบุเหตุผล"])  # a PBX's own reason stays as it is
    screenshot(page, "console-agent-day-th.png")
    context.close()
