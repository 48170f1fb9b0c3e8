"""In Chromium: the supervisor console updates live without a reload, sorts and filters its
agents, and speaks Thai."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_a_supervisor_watches_callers_come_and_go(
    console: Page, browser_stack: BrowserStack
) -> None:
    stack = browser_stack.stack
    sales = console.locator('[data-queue="6400"]')
    expect(sales.locator(".queue-name")).to_have_text("Sales")
    expect(sales.locator(".waiting")).to_have_text("0")
    console.evaluate("window.notReloaded = true")

    call = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550001"})
    expect(sales.locator(".waiting")).to_have_text("1", timeout=WAIT_MS)
    expect(sales.locator(".longest")).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=WAIT_MS)
    waiting_row = console.locator("#waiting-section tbody tr", has_text="5550001")
    expect(waiting_row.locator(".queue")).to_have_text("Sales")
    expect(waiting_row.locator(".wait")).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=WAIT_MS)

    stack.sim("POST", f"calls/{call['call_id']}/abandon")
    expect(sales.locator(".waiting")).to_have_text("0", timeout=WAIT_MS)
    expect(sales.locator(".longest")).to_have_text("–")
    expect(waiting_row).to_have_count(0)

    on_call = sales.locator('[data-figure="on_call"]')
    expect(on_call).to_have_text("0", timeout=WAIT_MS)
    answered = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550002"})
    stack.sim("POST", f"calls/{answered['call_id']}/answer", {"agent": "1001"})
    expect(on_call).to_have_text("1", timeout=WAIT_MS)
    agent = console.locator('tr[data-agent="1001"]')
    expect(agent.locator(".state-chip")).to_have_text("On call")
    expect(agent.locator(".in-state")).to_have_text(re.compile(r"^0:\d\d$"))
    expect(agent.locator(".agent-actions")).to_have_count(1)
    expect(sales.locator(".waiting")).to_have_text("0")
    expect(sales.locator('[data-today="offered"]')).to_have_text("2")
    expect(sales.locator('[data-today="answered"]')).to_have_text("1")
    expect(sales.locator('[data-today="service_level"]')).to_have_text("100%")
    title = sales.locator('[data-metric="service_level"]').get_attribute("title")
    assert "service-level time" in str(title)
    screenshot(console, "console-en.png")
    stack.sim("POST", f"calls/{answered['call_id']}/hangup")
    expect(on_call).to_have_text("0", timeout=WAIT_MS)
    assert console.evaluate("window.notReloaded") is True


def agent_column(page: Page, cell: str) -> list[str]:
    return page.locator(f"#agents-section tbody tr:visible td.{cell}").all_inner_texts()


def test_the_console_sorts_and_filters_agents(console: Page, browser_stack: BrowserStack) -> None:
    stack = browser_stack.stack
    stack.sim("POST", "agents/1004/pause", {"reason": "Lunch"})
    expect(console.locator('tr[data-agent="1004"] .pause')).to_have_text("Lunch", timeout=WAIT_MS)
    numbers = agent_column(console, "number")
    assert len(numbers) == 8
    assert numbers == sorted(numbers)
    console.click('th[data-sort="number"] button')
    assert agent_column(console, "number") == sorted(numbers, reverse=True)
    console.click('th[data-sort="name"] button')
    names = agent_column(console, "name")
    assert names == sorted(names, key=str.casefold)

    console.select_option("#agent-state-filter", "paused")
    expect(console.locator("#agents-section tbody tr:visible")).to_have_count(1)
    assert agent_column(console, "number") == ["1004"]
    console.select_option("#agent-state-filter", "")
    console.fill("#agent-filter", numbers[1])
    assert agent_column(console, "number") == [numbers[1]]
    console.fill("#agent-filter", "")
    stack.sim("POST", "agents/1004/unpause")
    expect(console.locator('tr[data-agent="1004"] .state-chip')).not_to_have_text(
        "Paused", timeout=WAIT_MS
    )


def test_the_console_speaks_thai(chromium: Browser, browser_stack: BrowserStack) -> None:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="th-TH")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    assert page.evaluate("document.documentElement.lang") == "th"
    expect(page.locator("#agents-section h2")).to_have_text("เจ้าหน้าที่")
    expect(page.locator('th[data-sort="state"] button')).to_have_text("สถานะ")
    expect(page.locator('tr[data-agent="1001"] .state-chip')).not_to_have_text(
        re.compile("[A-Za-z]")
    )
    screenshot(page, "console-th.png")
    context.close()
