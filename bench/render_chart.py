"""The intraday chart drawn on the 1,000-agent console (docs/performance.md, *The intraday
chart*): a day of 96 intervals with every series the page draws, first drawn, then redrawn as
the current interval counts on, one redraw a frame."""

from typing import Any

from playwright.async_api import Page

from bench.report import percentiles

INTERVALS = 96
# In the console's page, beside its 1,000 agents: the page's own chart module, as the intraday
# page loads it. Each redraw is synchronous (uPlot's batch): the time is the whole draw.
DRAW = """async ([intervals, redraws]) => {
    const { IntradayChart } = await import("/static/board/intradaychart.js");
    const host = document.createElement("div");
    host.style.width = "1500px";
    document.querySelector("main").append(host);
    const start = Date.now() - (Date.now() % 900000) - 48 * 900000;
    const figures = (at, extra) => ({
        offered: 20 + (at % 7) + extra, answered: 18 + (at % 5), abandoned: at % 3,
        timed_out: at % 2, service_level: 50 + ((at * 7 + extra) % 50), asa_s: 10 + (at % 30),
        aht_s: 100 + (at % 60),
    });
    const day = (extra) => Array.from({ length: intervals }, (_, at) => ({
        start: start + at * 900000, today: figures(at, extra), lastWeek: figures(at + 3, 0),
    }));
    const thresholds = { service_level_warn: 80, service_level_critical: 60 };
    let began = performance.now();
    const chart = new IntradayChart(host, "Asia/Bangkok", thresholds);
    chart.plot.batch(() => chart.draw(day(0)));
    const first = performance.now() - began;
    const times = [];
    for (let n = 1; n <= redraws; n += 1) {
        await new Promise(requestAnimationFrame);
        began = performance.now();
        chart.plot.batch(() => chart.draw(day(n)));
        times.push(performance.now() - began);
    }
    host.remove();
    return { first, times, series: chart.plot.series.length - 1 };
}"""


async def chart_figures(page: Page, redraws: int) -> dict[str, Any]:
    """The first draw and the redraws (ms) of a day's chart on the page as it stands."""
    drawn = await page.evaluate(DRAW, [INTERVALS, redraws])
    return {
        "intervals": INTERVALS,
        "series": drawn["series"],
        "first_draw_ms": round(drawn["first"], 2),
        "redraw_ms": percentiles(drawn["times"]),
    }


def chart_line(figures: dict[str, Any]) -> str:
    redraw = figures["redraw_ms"]
    return (
        f"intraday chart, {figures['intervals']} intervals x {figures['series']} series: first "
        f"draw {figures['first_draw_ms']} ms; redraw p50 {redraw['p50']}, p95 {redraw['p95']}, "
        f"max {redraw['max']} ms ({redraw['count']} redraws)"
    )
