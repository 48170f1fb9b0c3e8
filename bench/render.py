"""`python -m bench.render`: how long Chromium takes to apply and paint one delta on a
1,000-agent board, and whether its JS heap and DOM stay flat over 100,000 deltas; and how long
the intraday chart takes to draw there. The real board page, Daphne and Redis; the benchmark
publishes in the worker's place."""

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.render_board import SyntheticBoard, build, queue_numbers
from bench.render_chart import chart_figures, chart_line
from bench.render_feed import Feed, start_feed
from bench.render_page import VIEWPORT, BoardPage, open_board
from bench.render_trace import timeline
from bench.report import RESULTS, machine, percentiles, write_json
from bench.stack import bench_env, daphne_process, private_redis, run_python
from dashboard.streams import compact
from devstack.procs import ProcessGroup, free_port
from devstack.web import APPLICATION

SLUG = "bench-render"
USERNAME = "bench"
CHECKPOINTS = 10  # heap and DOM readings over the long run
# Every change of the board's freshness once it showed LIVE (page clock, state, what is silent):
# a board that went STALE (dimmed, timers stopped) would not be measuring what a LIVE one costs.
WATCH_FRESHNESS = """() => {
    const board = document.getElementById("board");
    const changes = (window.__wbFreshness = []);
    let last = board.dataset.freshness;
    const note = () => {
        const state = board.dataset.freshness;
        if (state !== last) changes.push([Date.now(), state, board.dataset.silent || ""]);
        last = state;
    };
    const attributeFilter = ["data-freshness"];
    new MutationObserver(note).observe(board, {attributes: true, attributeFilter});
    return Date.now();
}"""


def seed(queues: list[str]) -> str:
    """The board and a staff user (the console with every section and the action UI)."""
    # Models load only once django.setup() has run with the benchmark's settings.
    from django.contrib.auth.models import User

    from dashboard.models import Board

    Board.objects.update_or_create(
        slug=SLUG, defaults={"name": "Render benchmark", "queues": ",".join(queues)}
    )
    password = secrets.token_urlsafe(16)
    User.objects.create_user(USERNAME, password=password, is_staff=True)
    return password


def bin_percentiles(bins: list[int], bin_ms: float) -> dict[str, float]:
    """Percentiles of a histogram (each bin's upper edge: never flattering). The last bin holds
    everything slower than the range: a figure that lands there is the range's end."""
    total = sum(bins)
    if not total:
        return {"count": 0}

    def edge(index: int) -> float:
        return round(min(index + 1, len(bins) - 1) * bin_ms, 2)

    def at(q: float) -> float:
        running, rank = 0, min(total, int(q * total) + 1)
        for index, count in enumerate(bins):
            running += count
            if running >= rank:
                return edge(index)
        return edge(len(bins) - 1)

    top = max(index for index, count in enumerate(bins) if count)
    return {"count": total, "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": edge(top),
            "beyond_range": bins[-1]}  # fmt: skip


def frame_figures(samples: list[list[float]]) -> dict[str, Any]:
    """Per painted frame that carried exactly one delta: apply, render and both."""
    single = [(apply, render) for apply, render, deltas in samples if deltas == 1]
    return {
        "total_ms": percentiles([apply + render for apply, render in single]),
        "apply_ms": percentiles([apply for apply, _ in single]),
        "render_ms": percentiles([render for _, render in single]),
        "frames_with_several_deltas": sum(1 for *_, deltas in samples if deltas > 1),
    }


async def measure(args: argparse.Namespace, url: str, password: str) -> dict[str, Any]:
    board = build(args.agents, args.queues, int(time.time() * 1000), args.seed)
    feed = await start_feed(board)
    try:
        async with open_board(url, USERNAME, password) as page:
            watched_from = await page.page.evaluate(WATCH_FRESHNESS)
            await feed.attach(page)
            await feed.flood(page, args.warmup, args.window)
            if args.scroll_to:
                await page.scroll_to(args.scroll_to)
            await page.probe("probe.timing = true")
            busy = await page.busy()
            await feed.paced(page, args.timed, args.interval_ms / 1000)
            timed = frame_figures(await page.probe("probe.samples.splice(0)"))
            timed["main_thread_per_delta"] = per_delta(busy, await page.busy(), args.timed)
            await page.probe("probe.timing = false")
            trace = await page.traced(feed.paced(page, args.traced, args.interval_ms / 1000))
            timed["trace"] = timeline(trace, args.traced)
            chart = await chart_figures(page.page, args.chart_redraws)
            before = await page.memory()
            readings: list[dict[str, Any]] = []
            busy = await page.busy()
            soak_s = await soak(feed, page, args, readings)
            return {"timed": timed, "memory_before": before, "memory": readings,
                    "soak_s": round(soak_s, 1), **await probe_figures(page),
                    "intraday_chart": chart,
                    "freshness": await freshness(page, watched_from),
                    "soak_main_thread_per_delta": per_delta(busy, await page.busy(), args.deltas),
                    **frame_sizes(board)}  # fmt: skip
    finally:
        await feed.close()


def per_delta(before: dict[str, float], after: dict[str, float], deltas: int) -> dict[str, float]:
    """The renderer's main-thread ms (and style or layout passes) per delta between readings."""
    return {
        name.removesuffix("Duration").removesuffix("Count") + ("_ms" if "Duration" in name else ""):
        round((after[name] - before[name]) * (1000 if "Duration" in name else 1) / deltas, 2)
        for name in after
    }  # fmt: skip


async def soak(feed: Feed, page: BoardPage, args: argparse.Namespace, readings: list[Any]) -> float:
    """The long run, flow-controlled; heap and DOM every tenth of it. Its duration in s."""

    async def checkpoint(done: int) -> None:
        readings.append({"after_deltas": done, **await page.memory()})

    started = time.monotonic()
    every = max(1, args.deltas // CHECKPOINTS)
    await feed.flood(page, args.deltas, args.window, every, checkpoint)
    return time.monotonic() - started


async def probe_figures(page: BoardPage) -> dict[str, Any]:
    bin_ms = float(await page.probe("probe.BIN_MS"))
    apply_bins = await page.probe("Array.from(probe.applyBins)")
    tick_bins = await page.probe("Array.from(probe.tickBins)")
    return {
        "every_frame_apply_ms": bin_percentiles(apply_bins, bin_ms),
        "delta_frames_seen": await page.probe("probe.frames"),
        "tick_ms": bin_percentiles(tick_bins, bin_ms),
        "snapshot_apply_ms": [round(ms, 1) for ms in await page.probe("probe.snapshots")],
        "socket_closes": await page.probe("probe.closes"),
        "deltas_seen": await page.applied(),
    }


async def freshness(page: BoardPage, watched_from: int) -> dict[str, Any]:
    """The board's freshness at the end, and every change of it since it first showed LIVE (s
    after that, state, what was silent): none if it stayed LIVE throughout."""
    changes = await page.page.evaluate("window.__wbFreshness")
    return {
        "at_end": await page.page.get_attribute("#board", "data-freshness"),
        "changes": [[round((at - watched_from) / 1000, 1), state, silent]
                    for at, state, silent in changes],
    }  # fmt: skip


def freshness_line(figures: dict[str, Any]) -> str:
    if not figures["changes"] and figures["at_end"] == "live":
        return "the board stayed LIVE throughout"
    changes = ", ".join(
        f"{state} ({silent or '-'}) at {at} s" for at, state, silent in figures["changes"]
    )
    return f"the board did NOT stay LIVE: {changes}; {figures['at_end']} at the end"


def frame_sizes(board: SyntheticBoard) -> dict[str, int]:
    """Bytes of the largest queue stream's data (one delta) and of every stream's (a snapshot)."""
    sizes = [len(compact(data).encode()) for data in board.streams().values()]
    return {"queue_delta_bytes": max(sizes), "snapshot_data_bytes": sum(sizes)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Redis and Daphne of our own; this process seeds the board and then publishes."""
    state_dir = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        with private_redis() as handle, ProcessGroup(ready_timeout=60) as group:
            env = bench_env(state_dir, handle.url)
            run_python(env, "manage.py", "migrate", "--no-input", "-v0")
            os.environ.update(env)  # this process is the worker's stand-in: same settings
            import django

            django.setup()
            password = seed(queue_numbers(args.queues))
            port = free_port()
            group.start(daphne_process("daphne", APPLICATION, port, env))
            url = f"http://127.0.0.1:{port}/boards/{SLUG}/"
            return asyncio.run(measure(args, url, password))
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def growth(before: dict[str, Any], after: dict[str, Any], key: str) -> str:
    change = 100 * (after[key] - before[key]) / max(1, before[key])
    return f"{before[key]:,} → {after[key]:,} ({change:+.1f} %)"


def busy_line(timed: dict[str, float], soak: dict[str, float]) -> str:
    names = [name for name in timed if name.endswith("_ms")]
    return ", ".join(f"{name[:-3]} {timed[name]} / {soak[name]}" for name in names)


def timing_rows(result: dict[str, Any]) -> list[str]:
    timed = result["timed"]
    rows = [("delta applied + painted", timed["total_ms"]),
            ("  applied (the board's handler)", timed["apply_ms"]),
            ("  rendered (style, layout, paint)", timed["render_ms"]),
            ("every frame applied (whole run)", result["every_frame_apply_ms"]),
            ("one-second tick", result["tick_ms"])]  # fmt: skip
    lines = [f"{'ms':<34}{'n':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"]
    for name, figures in rows:
        cells = [str(figures.get(k, "-")) for k in ("count", "p50", "p95", "p99", "max")]
        if figures.get("beyond_range"):
            cells[-1] = f">{cells[-1]}"
        lines.append(f"{name:<34}" + "".join(f"{cell:>8}" for cell in cells))
    return lines


def table(args: argparse.Namespace, result: dict[str, Any]) -> str:
    timed, before, after = result["timed"], result["memory_before"], result["memory"][-1]
    trace = timed["trace"]
    return "\n".join([
        f"render: {args.agents} agents in {args.queues} queues, console "
        f"{VIEWPORT['width']}x{VIEWPORT['height']}"
        + (f" scrolled to {args.scroll_to}" if args.scroll_to else "")
        + f"; queue delta {result['queue_delta_bytes']:,} B,"
        f" snapshot {result['snapshot_data_bytes']:,} B",
        *timing_rows(result),
        f"timed frames painting more than one delta (left out above): "
        f"{timed['frames_with_several_deltas']}; {result['deltas_seen']:,} deltas came in "
        f"{result['delta_frames_seen']:,} frames",
        f"first snapshot applied in {result['snapshot_apply_ms'][0]} ms; snapshots "
        f"{len(result['snapshot_apply_ms'])}, socket closes {result['socket_closes']}; "
        + freshness_line(result["freshness"]),
        "renderer main thread per delta, timed / long run (ms): "
        + busy_line(timed["main_thread_per_delta"], result["soak_main_thread_per_delta"]),
        "timeline, main-thread ms per delta: "
        + ", ".join(f"{name} {ms}" for name, ms in trace["ms_per_delta"].items() if ms),
        f"layouts {trace['layouts']} ({trace['ms_per_layout']} ms each, "
        f"{trace['layout_dirty_objects_mean']} of {trace['layout_total_objects_mean']} layout "
        "objects dirty on average)",
        f"JS heap used after GC, {args.deltas:,} deltas in {result['soak_s']} s: "
        + growth(before, after, "heap_used_bytes"),
        f"DOM nodes {growth(before, after, 'dom_nodes')}; elements "
        f"{growth(before, after, 'elements')}; listeners "
        + growth(before, after, "event_listeners"),
        chart_line(result["intraday_chart"]),
    ])  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.render", description=__doc__)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=10, help="agents are dealt round them")
    parser.add_argument("--deltas", type=int, default=100_000, help="the long run (heap, DOM)")
    parser.add_argument("--timed", type=int, default=500, help="paced deltas timed one by one")
    parser.add_argument("--traced", type=int, default=100, help="paced deltas in a timeline trace")
    # A stream's coalescing window: each queue gets at most one delta per 100 ms.
    parser.add_argument("--interval-ms", type=float, default=100.0, help="between paced deltas")
    # By about 3 changes per agent the board's call and waiting lists have reached their size.
    parser.add_argument("--warmup", type=int, help="deltas first (default: 3 per agent)")
    parser.add_argument("--window", type=int, default=20, help="deltas ahead of the page, at most")
    parser.add_argument("--seed", type=int, default=1)
    # The agents table starts below a 1,600 x 1,000 window; "#agents-section" times it in view.
    parser.add_argument("--scroll-to", metavar="SELECTOR", help="scroll there after the warm-up")
    parser.add_argument("--chart-redraws", type=int, default=200, help="of the intraday chart")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = 3 * args.agents
    result = run(args)
    print(table(args, result))
    config = vars(args) | {"out": str(args.out), "machine": machine()}
    print(f"wrote {write_json('render', {'config': config, **result}, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
