"""In Chromium, a board in Thai stays Thai through every freshness state: connecting, live, the
PBX link down, timed out or silent with its reason, the worker silent, the socket lost; the
PBX's English detail only in a tooltip (docs/glossary-th.md). The same run in English shows the
English sentences, so the frames do reach the screen. An action the PBX refuses is told in the
board's language too, whatever the browser's.

The board's socket is played by the test (Playwright's WebSocket routing): the frames are the
protocol's (docs/protocol.md), chosen to put the page in each state on cue."""

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.integration.browser_stack import BrowserStack
from tests.integration.screens import WAIT_MS, sign_in
from tests.integration.stack import orm

pytestmark = [pytest.mark.integration, pytest.mark.browser]

BOARD_NAME = "Demo call centre"  # seed_demo's
# Latin words a Thai screen may show: names (the board's, the signed-in user's), the glossary's
# untranslated terms (docs/glossary-th.md) and the language menu's own names.
ALLOWED_LATIN = {*BOARD_NAME.split(), "supervisor", "PBX", "HTTP", "API", "English", "Thai"}
WORKER_SILENT_WITHIN_MS = 10_000  # three missed beats (6 s), and the next check

# (state, reason, the English detail, what the English banner says for it)
LINK_CASES = [
    ("down", {"code": "pbx_error", "params": {"errcode": 70087}},
     "This server's IP is not allowed in the PBX API settings.",
     "this server's address is not allowed in the PBX's API settings"),
    ("reconnecting", {"code": "timeout", "params": {}}, "timed out during opening handshake",
     "the PBX did not answer in time"),
    ("not_answering", {"code": "pbx_silent", "params": {"seconds": 55}},
     "the PBX has not answered for 55 s (no event, no heartbeat response)",
     "nothing from the PBX for 55 s"),
    ("reconnecting", {"code": "other", "params": {}}, "ConnectionResetError",
     "an unexpected error (details in the tooltip)"),
]  # fmt: skip
EXPECTED_EN = {
    "connecting": "CONNECTING",
    "live": "LIVE",
    "stale": "STALE",
    "worker": "Worker: not responding",
    "socket": "Reconnecting to the server",
}


def now_ms() -> int:
    return int(time.time() * 1000)


def link(state: str, reason: dict[str, Any] | None = None, detail: str = "") -> dict[str, Any]:
    return {
        "state": state, "since": now_ms(), "detail": detail,
        "reason": reason or {"code": "", "params": {}}, "checked_at": now_ms(),
        "token_expires_at": None, "corrections": {}, "unusable": {}, "outcomes_from_cdrs": 0,
    }  # fmt: skip


class FakeServer:
    """The board socket's server side, driven by the test: a snapshot, then deltas; pings get
    their pong, so only the beats decide whether the worker looks alive."""

    def __init__(self) -> None:
        self.socket: WebSocketRoute | None = None
        self.seqs: dict[str, int] = {}

    def accept(self, socket: WebSocketRoute) -> None:
        self.socket = socket
        socket.on_message(self.answer)

    def wait_for_socket(self, page: Page) -> None:
        """Until the page's socket reached us: a routed socket fires no page event, and the sync
        API runs our handler only while it talks to the browser, so each poll is a round trip."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while self.socket is None:
            assert time.monotonic() < deadline, "the page opened no board socket"
            page.evaluate("() => 0")

    def answer(self, message: str | bytes) -> None:
        if json.loads(message).get("type") == "ping":
            self.send({"type": "pong", "server_time": now_ms()})

    def send(self, frame: dict[str, Any]) -> None:
        assert self.socket is not None, "the page has not opened its socket"
        self.socket.send(json.dumps(frame))

    def snapshot(self) -> None:
        self.seqs = {"link": 1, "beat": 1, "queue:6400": 1}
        streams = {
            "link": {"seq": 1, "data": link("connected")},
            "beat": {"seq": 1, "data": {"at": now_ms(), "pbx_heard_at": now_ms()}},
            "queue:6400": {"seq": 1, "data": None},
        }
        board = {"slug": "demo", "name": BOARD_NAME, "queues": ["6400"], "thresholds": {},
                 "alarms": {}, "sections": {}}  # fmt: skip
        self.send({"type": "snapshot", "epoch": "e1", "server_time": now_ms(), "board": board,
                   "streams": streams})  # fmt: skip

    def delta(self, stream: str, data: dict[str, Any]) -> None:
        self.seqs[stream] += 1
        self.send({"type": "delta", "epoch": "e1", "stream": stream, "seq": self.seqs[stream],
                   "data": data})  # fmt: skip

    def beat(self) -> None:
        self.delta("beat", {"at": now_ms(), "pbx_heard_at": now_ms()})


@pytest.fixture(params=["th", "en"])
def language(request: pytest.FixtureRequest, browser_stack: BrowserStack) -> Iterator[str]:
    orm(
        browser_stack.rig.env,
        f"Board.objects.filter(slug='demo').update(language='{request.param}')",
    )
    yield request.param
    orm(browser_stack.rig.env, "Board.objects.filter(slug='demo').update(language='')")


@pytest.fixture
def context(chromium: Browser, language: str) -> Iterator[BrowserContext]:
    # The browser asks for the other language: the board's own must win, on every line.
    other = "en-GB" if language == "th" else "th-TH"
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale=other)
    yield context
    context.close()


def open_board(context: BrowserContext, browser_stack: BrowserStack, server: FakeServer) -> Page:
    page = context.new_page()
    page.route_web_socket("**/ws/board/**", server.accept)
    stack = browser_stack.stack
    page.goto(f"{stack.web_url}/boards/demo/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", stack.password)
    page.click("button[type=submit]")
    expect(page.locator("#board")).to_have_attribute("data-freshness", "connecting")
    server.wait_for_socket(page)
    return page


def latin_words(page: Page) -> set[str]:
    """The Latin-script words on screen that the glossary does not allow."""
    shown = page.locator("body").inner_text()
    return set(re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", shown)) - ALLOWED_LATIN


def check_speaks(page: Page, language: str, english: str) -> None:
    """Thai: no English word on screen. English: the expected sentence is there."""
    if language == "en":
        expect(page.locator("body")).to_contain_text(english)
    else:
        assert latin_words(page) == set(), english


def test_every_state_speaks_the_boards_language(
    context: BrowserContext, browser_stack: BrowserStack, language: str
) -> None:
    server = FakeServer()
    page = open_board(context, browser_stack, server)
    board = page.locator("#board")
    check_speaks(page, language, EXPECTED_EN["connecting"])
    server.snapshot()
    expect(board).to_have_attribute("data-freshness", "live")
    check_speaks(page, language, EXPECTED_EN["live"])
    for state, reason, detail, english in LINK_CASES:
        server.delta("link", link(state, reason, detail))
        server.beat()
        expect(page.locator("#link-status")).to_have_attribute("data-state", state)
        # The raw detail, which nobody can translate, is there for whoever fixes the PBX.
        expect(page.locator("#banner")).to_have_attribute("title", detail)
        expect(page.locator("#banner")).not_to_contain_text(detail)
        check_speaks(page, language, english)
    server.delta("link", link("connected"))
    server.beat()
    expect(board).to_have_attribute("data-freshness", "live")
    # No more beats: the worker is silent.
    expect(board).to_have_attribute("data-silent", "worker", timeout=WORKER_SILENT_WITHIN_MS)
    check_speaks(page, language, EXPECTED_EN["worker"])
    expect(page.locator("#banner")).to_have_attribute("title", "")
    assert server.socket is not None
    server.socket.close()
    expect(board).to_have_attribute("data-freshness", "reconnecting", timeout=WAIT_MS)
    check_speaks(page, language, EXPECTED_EN["socket"])


# What the console's toast says when the PBX refuses a pause (errcode 70132: not supported),
# worded by the server in the board's language, which the browser does not ask for.
REFUSED = {
    "en": "The PBX does not allow this (feature disabled or not permitted).",
    "th": "PBX ไม่อนุญาตให้ทำสิ่งนี้ (ฟีเจอร์ถูกปิดหรือไม่ได้รับอนุญาต)",
}


def test_an_action_refused_by_the_pbx_is_told_in_the_boards_language(
    context: BrowserContext, browser_stack: BrowserStack, language: str
) -> None:
    page = context.new_page()
    sign_in(page, browser_stack.stack)
    fault = {"endpoint": "agent/pause", "errcode": 70132}
    browser_stack.stack.sim("POST", "faults/errcode", fault)
    try:
        page.locator('tr[data-agent="1003"] button.action-pause').click()
        page.locator("#wb-action-dialog button.wb-confirm").click()
        toast = page.locator('.wb-toast[data-kind="error"]').last
        expect(toast).to_have_text(REFUSED[language], timeout=WAIT_MS)
    finally:
        browser_stack.stack.sim("POST", "faults/errcode", fault | {"errcode": 0})
