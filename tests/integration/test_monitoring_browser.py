"""In Chromium, a supervisor listens in properly: names, not bare extensions; the monitored call
marked in the live calls; listen → whisper → barge on the same call; Stop hangs up only the
supervisor's leg. At a desk (1440 x 900, English) and on a phone (390 x 844, Thai)."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, sign_in
from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DESK = ViewportSize(width=1440, height=900)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture
def desk(chromium: Browser, browser_stack: BrowserStack) -> Iterator[Page]:
    context = chromium.new_context(viewport=DESK, locale="en-GB")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    yield page
    context.close()


@pytest.fixture
def phone(chromium: Browser, browser_stack: BrowserStack) -> Iterator[Page]:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="th-TH")
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    yield page
    context.close()


def answered_call(stack: Stack, agent: str) -> str:
    call = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550077"})
    stack.sim("POST", f"calls/{call['call_id']}/answer", {"agent": agent})
    return str(call["call_id"])


def on_a_call(page: Page, stack: Stack, agent: str, waiting_caller: str) -> tuple[str, Locator]:
    """A caller waiting in 6400, and the agent's answered call: its ID and its live-calls row."""
    stack.sim("POST", "calls", {"queue": "6400", "caller": waiting_caller})
    call_id = answered_call(stack, agent)
    return call_id, page.locator(f'#calls-section tr[data-key="{call_id}"]')


def monitor_calls(stack: Stack) -> list[dict[str, Any]]:
    """The simulator's live monitoring calls (call/listen's)."""
    return [call for call in stack.sim("GET", "state")["other_calls"] if call["monitors"]]


def talking(stack: Stack, call_id: str) -> list[str]:
    """The extensions talking on the customer's call, as the simulator holds it."""
    calls = [call for call in stack.sim("GET", "state")["calls"] if call["call_id"] == call_id]
    legs = [m["extension"] for call in calls for m in call["members"] if "extension" in m]
    return [leg["number"] for leg in legs if leg["member_status"] == "ANSWER"]


def assert_apart(first: Locator, second: Locator) -> None:
    """Neither box covers any part of the other."""
    a, b = first.bounding_box(), second.bounding_box()
    assert a is not None
    assert b is not None
    apart = (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )
    assert apart, (a, b)


def confirm(page: Page) -> None:
    page.locator("#wb-action-dialog button.wb-confirm").click()


def switch(page: Page, row: Locator, label: str, toast: str) -> None:
    """Switch our monitoring of the row's call to the mode `label`, and wait for it to be on."""
    row.get_by_role("button", name=label, exact=True).click()
    confirm(page)
    expect(page.locator('.wb-toast[data-kind="ok"]').last).to_have_text(toast, timeout=WAIT_MS)


def test_at_a_desk_the_supervisor_switches_modes_then_stops(
    desk: Page, browser_stack: BrowserStack
) -> None:
    stack = browser_stack.stack
    call_id, row = on_a_call(desk, stack, "1002", "5550100")
    row.get_by_role("button", name="Listen", exact=True).click()
    expect(desk.locator("#wb-action-dialog")).to_contain_text("Listen: agent Bee Lim (1002)'s call")
    confirm(desk)
    panel = desk.locator("#wb-monitors")
    entry = panel.locator('.wb-monitor[data-phase="monitoring"]')
    expect(entry).to_contain_text(
        "You (Sam Supervisor, 1100): Listen on agent Bee Lim (1002) — monitoring", timeout=WAIT_MS
    )
    expect(desk.locator(".wb-toast").last).to_have_text(
        "You are monitoring agent Bee Lim (1002)'s call."
    )
    marker = row.get_by_role("img", name="Monitored (Listen) by Sam Supervisor, extension 1100")
    expect(marker).to_be_visible()
    expect(desk.locator("#waiting-section tbody tr")).to_have_count(1)
    assert_apart(panel, desk.locator("#waiting-section"))
    assert_apart(panel, desk.locator("#calls-section table"))

    switch(desk, row, "Whisper", "Switched to Whisper on agent Bee Lim (1002)'s call.")
    whisper = "Monitored (Whisper) by Sam Supervisor, extension 1100"
    expect(row.get_by_role("img", name=whisper)).to_be_visible(timeout=WAIT_MS)
    whispering = monitor_calls(stack)
    switch(desk, row, "Barge in", "Switched to Barge in on agent Bee Lim (1002)'s call.")
    expect(entry).to_contain_text("Barge in on agent Bee Lim (1002) — monitoring", timeout=WAIT_MS)
    (barging,) = monitor_calls(stack)
    assert [call["call_id"] for call in whispering] != [barging["call_id"]]
    assert talking(stack, call_id) == ["1002"]

    panel.get_by_role("button", name="Stop monitoring agent Bee Lim (1002)'s call").click()
    expect(desk.locator('.wb-toast[data-kind="ok"]').last).to_have_text(
        "Monitoring of agent Bee Lim (1002)'s call stopped; the call goes on.", timeout=WAIT_MS
    )
    expect(panel).to_be_hidden(timeout=WAIT_MS)
    expect(row.locator(".wb-monitored")).to_have_count(0)
    assert monitor_calls(stack) == []
    assert talking(stack, call_id) == ["1002"]
    stack.sim("POST", f"calls/{call_id}/hangup")


def test_on_a_phone_in_thai_the_panel_covers_nothing_and_stop_works(
    phone: Page, browser_stack: BrowserStack
) -> None:
    stack = browser_stack.stack
    call_id, row = on_a_call(phone, stack, "1001", "5550101")
    row.get_by_role("button", name="กระซิบ", exact=True).click()  # Whisper
    confirm(phone)
    panel = phone.locator("#wb-monitors")
    expect(panel.locator('.wb-monitor[data-phase="monitoring"]')).to_contain_text(
        "คุณ (Sam Supervisor, 1100): กระซิบ เจ้าหน้าที่ Anan Chaiyo (1001) — กำลังมอนิเตอร์",
        timeout=WAIT_MS,
    )
    name = "กำลังมอนิเตอร์ (กระซิบ) โดย Sam Supervisor หมายเลขภายใน 1100"
    expect(row.get_by_role("img", name=name)).to_be_attached()
    expect(phone.locator("#waiting-section tbody tr")).not_to_have_count(0)
    assert_apart(panel, phone.locator("#waiting-section"))
    expect(row.get_by_role("button", name="กระซิบ", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    panel.get_by_role("button", name="หยุดมอนิเตอร์สายของเจ้าหน้าที่ Anan Chaiyo (1001)").click()
    expect(phone.locator('.wb-toast[data-kind="ok"]').last).to_have_text(
        "หยุดมอนิเตอร์สายของเจ้าหน้าที่ Anan Chaiyo (1001) แล้ว สายยังคงดำเนินต่อ", timeout=WAIT_MS
    )
    expect(panel).to_be_hidden(timeout=WAIT_MS)
    assert monitor_calls(stack) == []
    assert talking(stack, call_id) == ["1001"]
    stack.sim("POST", f"calls/{call_id}/hangup")
