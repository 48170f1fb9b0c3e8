"""In Chromium: a new TV shows a code, an admin pairs it by that code, the TV shows its board
without anyone touching it; revoking the display in the admin cuts the TV off within seconds."""

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, live
from tests.integration.stack import manage

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ADMIN = "pairing-admin"
# The TV asks every few seconds whether it was paired, and revocation is checked every 2 s.
REVOKED_WITHIN_MS = 5_000


def make_admin(browser_stack: BrowserStack) -> str:
    password = "admin-password-for-pairing-1"
    code = (
        "from django.contrib.auth.models import User as U; "
        f"U.objects.filter(username='{ADMIN}').exists() or "
        f"U.objects.create_superuser('{ADMIN}', '', '{password}')"
    )
    manage(browser_stack.rig.env, "shell", "--no-imports", "-c", code)
    return password


def admin_signs_in(page: Page, web_url: str, password: str) -> None:
    page.goto(f"{web_url}/admin/login/")
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(ADMIN)


def test_a_tv_paired_by_its_code_shows_its_board_until_revoked(
    chromium: Browser, browser_stack: BrowserStack
) -> None:
    web_url = browser_stack.stack.web_url
    tv = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{web_url}/tv/")
    code = tv.locator(".pairing-code").inner_text().strip()
    assert len(code) >= 6, code
    admin = chromium.new_context().new_page()
    admin_signs_in(admin, web_url, make_admin(browser_stack))
    admin.goto(f"{web_url}/admin/dashboard/display/pair/")
    admin.fill("input[name=code]", code)
    admin.select_option("select[name=display]", label="Demo TV")
    admin.locator("form:has(input[name=code]) [type=submit]").click()
    expect(admin.locator(".messagelist")).to_contain_text(code)
    tv.wait_for_url("**/tv/", timeout=WAIT_MS)
    live(tv)
    expect(tv.locator('[data-queue="6400"]')).to_be_visible()
    admin.goto(f"{web_url}/admin/dashboard/display/")
    admin.locator("tr", has_text="Demo TV").locator("input[type=checkbox]").check()
    admin.select_option("select[name=action]", "revoke_displays")
    revoked_at = time.monotonic()
    admin.click("button[name=index]")
    expect(tv.locator("#banner")).to_contain_text("Access revoked", timeout=REVOKED_WITHIN_MS)
    assert time.monotonic() - revoked_at < REVOKED_WITHIN_MS / 1000
    expect(tv.locator("#freshness")).not_to_have_text("LIVE")
