"""In Chromium: the board a supervisor sees, and a paired TV, update live without a reload."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.browser]
WAIT_MS = 10_000


def sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.web_url}/boards/demo/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", stack.password)
    page.click("button[type=submit]")
    expect(page.locator("#freshness")).to_have_text("LIVE", timeout=WAIT_MS)


def test_a_supervisor_watches_callers_come_and_go(chromium: Browser, stack: Stack) -> None:
    page = chromium.new_page()
    sign_in(page, stack)
    sales = page.locator('[data-queue="6400"]')
    expect(sales.locator(".queue-name")).to_have_text("Sales")
    expect(sales.locator(".waiting")).to_have_text("0")
    page.evaluate("window.notReloaded = true")

    call = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550001"})
    expect(sales.locator(".waiting")).to_have_text("1", timeout=WAIT_MS)
    expect(sales.locator(".longest")).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=WAIT_MS)

    stack.sim("POST", f"calls/{call['call_id']}/abandon")
    expect(sales.locator(".waiting")).to_have_text("0", timeout=WAIT_MS)
    expect(sales.locator(".longest")).to_have_text("–")

    on_call = sales.locator('[data-figure="on_call"]')
    expect(on_call).to_have_text("0", timeout=WAIT_MS)
    answered = stack.sim("POST", "calls", {"queue": "6400", "caller": "5550002"})
    stack.sim("POST", f"calls/{answered['call_id']}/answer", {"agent": "1001"})
    expect(on_call).to_have_text("1", timeout=WAIT_MS)
    expect(sales.locator(".waiting")).to_have_text("0")
    expect(sales.locator('[data-today="offered"]')).to_have_text("2")
    expect(sales.locator('[data-today="answered"]')).to_have_text("1")
    expect(sales.locator('[data-today="service_level"]')).to_have_text("100%")
    assert page.evaluate("window.notReloaded") is True
    page.close()


def test_a_tv_paired_by_its_one_time_link_shows_the_board_read_only(
    chromium: Browser, stack: Stack
) -> None:
    page = chromium.new_context().new_page()
    page.goto(stack.tv_link)
    page.click("text=Pair this screen")
    expect(page).to_have_url(f"{stack.web_url}/tv/")
    expect(page.locator("#freshness")).to_have_text("LIVE", timeout=WAIT_MS)
    expect(page.locator("text=Log out")).to_have_count(0)
    stack.sim("POST", "calls", {"queue": "6401", "caller": "5550003"})
    expect(page.locator('[data-queue="6401"] .waiting')).to_have_text("1", timeout=WAIT_MS)
    page.context.close()
