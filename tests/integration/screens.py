"""What the browser tests do on screens: sign in, pair a TV, measure fonts, save screenshots."""

import json
import os
import tempfile
from dataclasses import dataclass
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


# The family static/board.css ships (static/fonts/noto-sans-thai/) for Thai.
THAI_FAMILY = "Noto Sans Thai"


@dataclass
class DrawnWith:
    """How a text was drawn."""

    text: str
    # weight -> FontFace status of each face of the family we ship ("loaded" once fetched and
    # decoded, "error" if it could not be).
    faces: dict[str, str]
    # document.fonts.check() for the text in that family: no face it needs is still to load.
    checks: bool
    # (family, custom) of each font Chromium drew the text with; custom fonts came from an
    # @font-face rule, so a system font of the same name (Debian's fonts-noto-core has one) is not.
    fonts: list[tuple[str, bool]]


def drawn_with(page: Page, selector: str) -> DrawnWith:
    """How the first text in the element at `selector` was drawn: with which fonts (DevTools'
    CSS.getPlatformFontsForNode), and the state of the Thai faces we ship. Measuring widths
    cannot tell our font from a system copy of the same design; this can."""
    found = page.evaluate(
        """async ([selector, family]) => {
            await document.fonts.ready;
            const text = document.querySelector(selector).firstChild.textContent;
            const faces = [...document.fonts].filter(
                (face) => face.family.replaceAll('"', "") === family);
            return {
                text,
                faces: Object.fromEntries(faces.map((face) => [face.weight, face.status])),
                checks: document.fonts.check(`48px "${family}"`, text),
            };
        }""",
        [selector, THAI_FAMILY],
    )
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        cdp.send("DOM.getDocument", {"depth": 0})  # DOM.requestNode needs the document known
        script = f"document.querySelector({json.dumps(selector)}).firstChild"
        text = cdp.send("Runtime.evaluate", {"expression": script})["result"]
        node = cdp.send("DOM.requestNode", {"objectId": text["objectId"]})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    used = [(font["familyName"], font["isCustomFont"]) for font in fonts if font["glyphCount"]]
    return DrawnWith(found["text"], found["faces"], found["checks"], used)
