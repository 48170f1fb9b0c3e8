"""`make demo` (devstack.demo) in Chromium, twice: `/` leads to the board, the site has its icon,
the printed admin login pairs a TV by its code, and a restart prints the same logins, keeps the
browser signed in and says that today's figures carried over."""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from devstack.procs import ManagedProcess, free_port
from tests.integration.screens import WAIT_MS, live
from tests.integration.stack import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.usefixtures("clean_redis")]
DEMO_READY_S = 120  # migrate, collectstatic, seed, the simulator, two workers and Daphne
CARRIED_OVER = "Figures of an earlier run today carry on"


@dataclass
class Demo:
    """What a run of the demo printed."""

    base: str
    password: str
    admin_password: str
    printed: str


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo-state"


def start_demo(state: Path, port: int) -> tuple[ManagedProcess, Demo]:
    env = {"DEMO_DIR": str(state), "DEMO_PORT": str(port)}
    process = ManagedProcess(
        "demo", [sys.executable, "-m", "devstack.demo"], env=env, cwd=ROOT,
        ready_line_pattern=r"^Ctrl-C stops everything", tail_lines=5000,
    )  # fmt: skip
    process.start()
    process.wait_ready(DEMO_READY_S)
    printed = process.output_tail()
    found = [re.search(pattern, printed) for pattern in (
        r"user supervisor, password (\S+)", r"user admin, password (\S+)")]  # fmt: skip
    assert all(found), printed
    password, admin_password = (match.group(1) for match in found if match)
    return process, Demo(f"http://127.0.0.1:{port}", password, admin_password, printed)


def sign_in(page: Page, user: str, password: str) -> None:
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")


def pair_by_code(admin: BrowserContext, tv: Page, demo: Demo) -> None:
    """The TV shows a code; the printed admin login enters it; the TV shows the board."""
    tv.goto(f"{demo.base}/tv/")
    code = tv.locator(".pairing-code").inner_text()
    page = admin.new_page()
    page.goto(f"{demo.base}/admin/dashboard/display/pair/")
    sign_in(page, "admin", demo.admin_password)
    page.fill("input[name=code]", code)
    demo_tv = page.locator("select[name=display] option", has_text="Demo TV")
    page.select_option("select[name=display]", demo_tv.get_attribute("value"))
    page.click("#pair-tv [type=submit]")
    expect(page.locator(".messagelist")).to_contain_text(f"The TV showing {code}")
    expect(tv.locator("#board")).to_have_attribute("data-kiosk", "true", timeout=WAIT_MS)
    live(tv)


def test_the_demos_first_ten_minutes(chromium: Browser, demo_dir: Path) -> None:
    port = free_port()
    first, demo = start_demo(demo_dir, port)
    assert CARRIED_OVER not in demo.printed  # nothing to carry over on a first run
    assert "Times:    in Asia/Bangkok (TIME_ZONE)" in demo.printed  # unless TIME_ZONE says
    supervisor = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    page = supervisor.new_page()
    try:
        page.goto(f"{demo.base}/")  # the root leads to the board, through the login
        sign_in(page, "supervisor", demo.password)
        expect(page).to_have_url(f"{demo.base}/boards/demo/")
        live(page)
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        answer = page.request.get(f"{demo.base}{icon}")
        assert answer.ok
        assert answer.headers["content-type"].startswith("image/svg+xml")
        with chromium.new_context(locale="en-GB") as admin, chromium.new_context() as tv_context:
            pair_by_code(admin, tv_context.new_page(), demo)
    finally:
        first.stop()
    second, again = start_demo(demo_dir, port)
    try:
        assert (again.password, again.admin_password) == (demo.password, demo.admin_password)
        assert CARRIED_OVER in again.printed
        page.reload()  # the same browser, signed in before the restart
        expect(page).to_have_url(f"{demo.base}/boards/demo/")
        live(page)
    finally:
        second.stop()
        supervisor.close()
