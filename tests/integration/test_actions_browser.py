"""In Chromium: a supervisor pauses an agent with a reason and unpauses them, and whispers into
an agent's call, seeing it ring their extension and then monitor."""

import pytest
from playwright.sync_api import Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def confirm(page: Page) -> None:
    page.locator("#wb-action-dialog button.wb-confirm").click()


def test_a_supervisor_pauses_an_agent_with_a_reason_then_unpauses(
    console: Page, browser_stack: BrowserStack
) -> None:
    row = console.locator('tr[data-agent="1003"]')
    row.locator("button.action-pause").click()
    dialog = console.locator("#wb-action-dialog")
    dialog.locator("select[name=reason]").select_option(label="Lunch")
    dialog.locator("select[name=queues]").select_option("6400")
    confirm(console)
    expect(console.locator('.wb-toast[data-kind="ok"]').last).to_have_text(
        "Agent 1003 is paused in 6400.", timeout=WAIT_MS
    )
    expect(row.locator("td.pause")).to_have_text("Lunch", timeout=WAIT_MS)
    truth = browser_stack.stack.sim("GET", "state")
    agent = next(a for a in truth["agents"] if a["number"] == "1003")
    assert [(q["number"], q["paused"], q["pause_reason"]) for q in agent["queues"]] == [
        ("6400", True, "Lunch"),
        ("6401", False, ""),
    ]

    row.locator("button.action-unpause").click()
    confirm(console)
    expect(row.locator("button.action-pause")).to_be_visible(timeout=WAIT_MS)
    expect(row.locator("td.pause")).to_have_text("")


def test_a_supervisor_whispers_and_sees_ringing_then_monitoring(
    console: Page, browser_stack: BrowserStack
) -> None:
    stack = browser_stack.stack
    call = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550077"})
    stack.sim("POST", f"calls/{call['call_id']}/answer", {"agent": "1002"})
    call_row = console.locator(f'#calls-section tr[data-key="{call["call_id"]}"]')
    call_row.locator("button.action-whisper").click()
    expect(console.locator("#wb-action-dialog")).to_contain_text("rings your extension 1100")
    confirm(console)
    monitors = console.locator("#wb-monitors")
    expect(monitors).to_contain_text("Ringing your extension 1100…", timeout=WAIT_MS)
    expect(monitors.locator('.wb-monitor[data-phase="monitoring"]')).to_contain_text(
        "Whisper on agent Bee Lim (1002) — monitoring", timeout=WAIT_MS
    )
    stack.sim("POST", f"calls/{call['call_id']}/hangup")
    expect(monitors).to_be_hidden(timeout=WAIT_MS)
