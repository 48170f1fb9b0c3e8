"""What the browser tests do on screens: sign in, pair a TV, measure fonts, save screenshots."""

import os
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.integration.stack import ROOT, Stack

WAIT_MS = 10_000
# A restarted Redis or web server: the worker's failover, a reconnect backoff and a resync.
RECOVER_MS = 60_000
# The README's screenshots are replaced only when asked (make screenshots): a test run must not
# leave the working tree changed. Otherwise they are still taken, into a scratch directory.
SCREENSHOTS = ROOT / "docs" / "screenshots"


def live(page: Page) -> None:
    expect(page.locator("#board")).to_have_attribute("data-freshness", "live", timeout=WAIT_MS)


def sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.web_url}/boards/demo/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", stack.password)
    page.click("button[type=submit]")
    live(page)


def pair_tv(page: Page, link: str) -> None:
    """Open a one-time TV link and pair: the kiosk board follows."""
    page.goto(link)
    page.click("form.unpaired button[type=submit]")
    page.wait_for_url("**/tv/")
    live(page)


def screenshot(page: Page, name: str) -> None:
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else scratch_folder()
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def scratch_folder() -> Path:
    return Path(tempfile.gettempdir()) / "wallboard-screenshots"


def shipped_thai_font_renders(page: Page, text: str) -> bool:
    """The page's Thai came from the font we ship: it was fetched and used, and its glyphs
    measure differently from a browser's fallback (boxes, or some other font)."""
    found = page.evaluate(
        """async (text) => {
            await document.fonts.ready;
            const width = (family) => {
                const probe = document.createElement("span");
                probe.style.cssText = `position:absolute;white-space:nowrap;font:48px ${family}`;
                probe.textContent = text;
                document.body.append(probe);
                const measured = probe.getBoundingClientRect().width;
                probe.remove();
                return measured;
            };
            const loaded = [...document.fonts].filter((face) =>
                face.family.replaceAll('"', "") === "Noto Sans Thai" && face.status === "loaded");
            return {
                loaded: loaded.length,
                checks: document.fonts.check('48px "Noto Sans Thai"', text),
                shipped: width('"Noto Sans Thai"'),
                fallback: width('"No Such Family", sans-serif'),
            };
        }""",
        text,
    )
    return bool(
        found["loaded"] and found["checks"] and found["shipped"] > 0
        and abs(found["shipped"] - found["fallback"]) > 1
    )  # fmt: skip
