"""In Chromium, under the Content-Security-Policy the server sends: the console (with its actions
and their dialog), the TV, the pairing page and the admin pages run with no violation, and the
board's WebSocket connects."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, pair_tv, sign_in
from tests.integration.stack import manage

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# Every violation in a document, as the page itself sees it (the list starts anew on each load).
VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    window.cspViolations.push(`${event.effectiveDirective}: ${event.blockedURI} at ${where}`);
});
"""
ADMIN = "csp-admin"
ADMIN_PASSWORD = "admin-password-for-csp-1"


class Watched:
    """A page whose CSP reports, in the document and on the console, are kept."""

    def __init__(self, context: BrowserContext) -> None:
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self.on_console)

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def goto(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "unsafe" not in policy

    def assert_clean(self) -> None:
        """No violation in the document on screen, nor any reported on the console so far."""
        assert self.page.evaluate("() => window.cspViolations") == []
        assert self.console == []


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    context.add_init_script(VIOLATIONS)
    yield context
    context.close()


def test_the_console_and_its_actions_run_under_the_policy(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    watched = Watched(context)
    watched.goto(f"{browser_stack.stack.web_url}/accounts/login/")
    watched.assert_clean()
    sign_in(watched.page, browser_stack.stack)  # live: the WebSocket connected
    page = watched.page
    # The actions module, imported on demand, styles itself with a stylesheet link.
    pause = page.locator('tr[data-agent="1003"] button.action-pause')
    expect(pause).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate(
        """() => [...document.styleSheets].some((sheet) => sheet.href?.endsWith("/actions.css")
            && sheet.cssRules.length > 0)"""
    )
    pause.click()
    dialog = page.locator("#wb-action-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    watched.assert_clean()


def test_the_tv_runs_under_the_policy(context: BrowserContext, browser_stack: BrowserStack) -> None:
    watched = Watched(context)
    pair_tv(watched.page, browser_stack.new_tv_link())  # live: the WebSocket connected
    expect(watched.page.locator('[data-queue="6400"]')).to_be_visible()
    watched.assert_clean()


def test_an_unpaired_tv_runs_its_pairing_script_under_the_policy(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    watched = Watched(context)
    with watched.page.expect_request("**/tv/pairing/", timeout=WAIT_MS):
        watched.goto(f"{browser_stack.stack.web_url}/tv/")  # the module polls every 3 s
    expect(watched.page.locator(".pairing-code")).to_be_visible()
    watched.assert_clean()


def test_the_admin_pages_run_under_the_policy(
    context: BrowserContext, browser_stack: BrowserStack
) -> None:
    web_url = browser_stack.stack.web_url
    code = (
        "from django.contrib.auth.models import User as U; "
        f"U.objects.filter(username='{ADMIN}').exists() or "
        f"U.objects.create_superuser('{ADMIN}', '', '{ADMIN_PASSWORD}')"
    )
    manage(browser_stack.rig.env, "shell", "--no-imports", "-c", code)
    watched = Watched(context)
    watched.goto(f"{web_url}/admin/login/")
    watched.page.fill("input[name=username]", ADMIN)
    watched.page.fill("input[name=password]", ADMIN_PASSWORD)
    watched.page.click("input[type=submit]")
    expect(watched.page.locator("#user-tools")).to_contain_text(ADMIN)
    watched.assert_clean()
    for path in (
        "/admin/",
        "/admin/dashboard/display/",
        "/admin/dashboard/display/pair/",
        "/admin/dashboard/board/add/",
        "/admin/pbx-health/",
    ):
        watched.goto(f"{web_url}{path}")
        watched.page.wait_for_load_state("load")
        watched.assert_clean()
