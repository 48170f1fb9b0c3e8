"""The board page in Chromium for bench.render: sign in, read the probe, heap and DOM counters."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import CDPSession, Page, ViewportSize, async_playwright

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; the benchmark never downloads a browser
# Root in a container needs --no-sandbox; software rendering is what a TV's kiosk box does too.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PROBE = (Path(__file__).resolve().parent / "render_probe.js").read_text()
VIEWPORT = ViewportSize(width=1600, height=1000)
LIVE_TIMEOUT_MS = 30_000
# Each poll is a task on the page's main thread too: often enough, not so often it competes.
POLL_S = 0.01
# Chromium's main-thread counters (CDP Performance.getMetrics): durations in s, then counts.
BUSY = ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")
COUNTS = ("RecalcStyleCount", "LayoutCount")
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]


@dataclass
class BoardPage:
    """A signed-in console showing the bench board, with the probe installed."""

    page: Page
    cdp: CDPSession

    async def probe(self, expression: str) -> Any:
        """Evaluate `expression` in the page, with `probe` the page's probe (render_probe.js)."""
        return await self.page.evaluate(f"(probe => {expression})(window.__wbProbe)")

    async def applied(self) -> int:
        return int(await self.probe("probe.deltas"))

    async def wait_applied(self, target: int, timeout_s: float = 60.0) -> None:
        """Until the page has applied `target` deltas (polled: the page cannot call us back)."""
        deadline = time.monotonic() + timeout_s
        while await self.applied() < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page applied {await self.applied()} of {target} deltas")
            await asyncio.sleep(POLL_S)

    async def scroll_to(self, selector: str) -> None:
        """Bring `selector` to the top of the window, as a supervisor scrolling to it would."""
        await self.page.locator(selector).evaluate("element => element.scrollIntoView()")

    async def busy(self) -> dict[str, float]:
        """The renderer's main-thread time so far (s), by kind, and its style and layout passes."""
        metrics = (await self.cdp.send("Performance.getMetrics"))["metrics"]
        return {m["name"]: float(m["value"]) for m in metrics if m["name"] in BUSY + COUNTS}

    async def traced(self, work: Awaitable[None]) -> dict[str, Any]:
        """Chromium's timeline trace (CDP tracing) of the page while `work` runs."""
        browser = self.page.context.browser
        assert browser is not None
        await browser.start_tracing(page=self.page, categories=TRACE_CATEGORIES)
        try:
            await work
        finally:
            raw = await browser.stop_tracing()
        trace: dict[str, Any] = json.loads(raw)
        return trace

    async def memory(self) -> dict[str, int]:
        """After a full garbage collection: JS heap in use and live DOM nodes (CDP)."""
        await self.cdp.send("HeapProfiler.collectGarbage")
        heap = await self.cdp.send("Runtime.getHeapUsage")
        counters = await self.cdp.send("Memory.getDOMCounters")
        elements = await self.page.evaluate("document.getElementsByTagName('*').length")
        return {
            "heap_used_bytes": int(heap["usedSize"]),
            "heap_total_bytes": int(heap["totalSize"]),
            "dom_nodes": int(counters["nodes"]),
            "event_listeners": int(counters["jsEventListeners"]),
            "elements": int(elements),
        }


@contextlib.asynccontextmanager
async def open_board(url: str, username: str, password: str) -> AsyncIterator[BoardPage]:
    """Chromium on the board (through the login page, as a supervisor would), once LIVE."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport=VIEWPORT, locale="en-GB")
            await context.add_init_script(PROBE)
            page = await context.new_page()
            await page.goto(url)
            await page.fill("input[name=username]", username)
            await page.fill("input[name=password]", password)
            await page.click("button[type=submit]")
            live = '#board[data-freshness="live"]'
            await page.wait_for_selector(live, state="attached", timeout=LIVE_TIMEOUT_MS)
            cdp = await context.new_cdp_session(page)
            await cdp.send("Performance.enable")
            yield BoardPage(page, cdp)
        finally:
            await browser.close()
