"""`python -m bench.fanout`: PBX event → screen latency, frames, CPU and memory for the product,
beside the limit (bare websockets), the Daphne floor (a bare ASGI app under Daphne) and the
textbook design (group_send per event), same load."""

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from channels_redis.core import RedisChannelLayer
from websockets.asyncio.client import connect

from bench.pbxload import PbxLog, burst_plan, drive, record, subscribe
from bench.report import (
    RESULTS,
    Phase,
    change_latencies,
    extra_lines,
    first_screen,
    machine,
    peak_frames_per_s,
    percentiles,
    phase_json,
    pooled,
    sent_latencies,
    table,
    usage_table,
    write_json,
)
from bench.screens import Fleet, Key, close_fleet, frame_keys, open_fleet
from bench.stack import (
    LAYERS,
    SIM_CLIENT_ID,
    WEB_SERVERS,
    Stack,
    product_stack,
    python_process,
    web_process,
)
from bench.textbook import GROUP, PATH
from bench.usage import Usage, UsageMeter, rss_mb
from devstack.procs import free_port

# After the load, frames still in flight are waited for until the screens are quiet this long.
QUIET_S = 1.0
DRAIN_MAX_S = 15.0
# (seconds from the start, the keys of the deltas it carries, the frame's text)
Timeline = list[tuple[float, list[Key], str]]


async def drain(fleet: Fleet) -> None:
    deadline, last, quiet_since = time.monotonic() + DRAIN_MAX_S, -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < QUIET_S:
        await asyncio.sleep(0.1)
        if fleet.frames != last:
            last, quiet_since = fleet.frames, time.monotonic()


async def measured(
    fleet: Fleet, pids: dict[str, int], load: Callable[[], Awaitable[None]]
) -> tuple[float, dict[str, Any]]:
    """Run the load and wait for the screens to go quiet; (window s, usage by process)."""
    meter = UsageMeter({**pids, "bench": os.getpid()})
    meter.start()
    started = time.monotonic()
    fleet.counting = True
    await load()
    await drain(fleet)
    fleet.counting = False
    return time.monotonic() - started, meter.stop()


def phase(design: str, fleet: Fleet, window: float, usage: dict[str, Any], server: str,
          latency: tuple[list[float], int], **extra: Any) -> Phase:  # fmt: skip
    screens = len(fleet.receipts)
    return Phase(
        design, screens, round(window, 2), percentiles(latency[0]),
        fleet.frames / screens / window, fleet.bytes / 1024 / screens / window,
        fleet.frames, fleet.gaps, fleet.resyncs, latency[1], usage, server, extra,
    )  # fmt: skip


def web_rss_mb(stack: Stack) -> float:
    return sum(rss_mb(stack.pid(name)) for name in stack.web_names)


def web_usage(usage: dict[str, Usage], names: list[str]) -> str:
    """The usage entry standing for the web server: the one process's, or with several a "web"
    entry added for them together (CPU summed, peak RSS as the sum of each one's peak)."""
    if len(names) == 1:
        return names[0]
    usage["web"] = Usage(
        cpu_s=sum(usage[n].cpu_s for n in names),
        peak_rss_mb=sum(usage[n].peak_rss_mb for n in names),
        start_rss_mb=sum(usage[n].start_rss_mb for n in names),
        end_rss_mb=sum(usage[n].end_rss_mb for n in names),
    )
    return "web"


async def product_phase(stack: Stack, args: argparse.Namespace) -> tuple[Phase, PbxLog, Timeline]:
    """The product's screens, spread over its web processes in turn (each reached directly)."""
    origins = [f"http://127.0.0.1:{port}" for port in stack.web_ports]
    urls = [f"{origin.replace('http', 'ws', 1)}/ws/board/bench/" for origin in origins]
    log, recording = PbxLog(), asyncio.Event()
    observer = await subscribe(stack.sim_url, SIM_CLIENT_ID, stack.env["PBX_CLIENT_SECRET"])
    recorder = asyncio.create_task(record(observer, log, recording))
    idle_rss = web_rss_mb(stack)
    fleet, tasks = await open_fleet(
        args.screens, urls,
        lambda i: {"Cookie": f"wb_display={stack.tokens[i]}", "Origin": origins[i % len(urls)]},
        snapshot=True,
    )  # fmt: skip
    per_screen_kb = (web_rss_mb(stack) - idle_rss) * 1024 / args.screens
    recording.set()
    started = time.monotonic()
    load = lambda: drive(stack.sim_url, stack.queues, args.events_per_s, args.duration, log)  # noqa: E731
    pids = {name: stack.pid(name) for name in (*stack.web_names, "worker", "pbxsim", "redis")}
    window, usage = await measured(fleet, pids, load)
    server = web_usage(usage, stack.web_names)
    await close_fleet([*tasks, recorder])
    await observer.close()
    log.stamp_markers()
    changes, missing = change_latencies(fleet, log.markers.values())
    result = phase("product", fleet, window, usage, server, (pooled(changes), missing),
                   first_screen_ms=first_screen(changes),
                   peak_frames_per_s=peak_frames_per_s(fleet),
                   daphne_kb_per_screen_connected=round(per_screen_kb, 1),
                   pbx_frames=len(log.frames), events_requested=log.events_requested,
                   markers=len(log.markers), web_processes=len(stack.web_ports))  # fmt: skip
    return result, log, timeline_of(fleet, started)


def timeline_of(fleet: Fleet, started: float) -> Timeline:
    """The frames the product delivered (batches whole), at the time its first screen got each."""
    return sorted((t - started, frame_keys(text), text) for text, t in fleet.first_got.items())


async def replay(timeline: Timeline, send: Callable[[str], Awaitable[None]]) -> dict[Key, float]:
    """Send each frame at its offset; latency counts from when it was due, not when sent."""
    started, sent = time.monotonic(), {}
    for offset, keys, text in timeline:
        due = started + offset
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        sent.update(dict.fromkeys(keys, due))
        await send(text)
    return sent


async def limit_phase(stack: Stack, screens: int, timeline: Timeline) -> Phase:
    port = free_port()
    argv = ["-m", "bench.limit", "--port", str(port)]
    stack.group.start(python_process("limit", argv, stack.env, ready_line_pattern="listening"))
    return await fed_phase("limit", stack, port, screens, timeline)


async def daphne_floor_phase(stack: Stack, screens: int, timeline: Timeline, web: str) -> Phase:
    port = free_port()
    app = "bench.daphne_floor:application"
    stack.group.start(web_process("floor", app, port, stack.env, web))  # the product's: "daphne"
    return await fed_phase("floor", stack, port, screens, timeline)


async def fed_phase(
    design: str, stack: Stack, port: int, screens: int, timeline: Timeline
) -> Phase:
    """A server that broadcasts what its feeder sends, fed the product's frames on time."""
    fleet, tasks = await open_fleet(screens, f"ws://127.0.0.1:{port}/", lambda i: {}, False)
    sent: dict[Key, float] = {}
    async with connect(f"ws://127.0.0.1:{port}/feed", compression=None, max_size=None) as feed:

        async def load() -> None:
            sent.update(await replay(timeline, feed.send))

        window, usage = await measured(fleet, {design: stack.pid(design)}, load)
    await close_fleet(tasks)
    return phase(design, fleet, window, usage, design, sent_latencies(fleet, sent))


async def textbook_phase(stack: Stack, screens: int, log: PbxLog) -> Phase:
    port = stack.start_textbook()
    url = f"ws://127.0.0.1:{port}/{PATH}"
    fleet, tasks = await open_fleet(screens, url, lambda i: {}, False)
    layer = RedisChannelLayer(hosts=[stack.redis.url])
    started = log.frames[0][0] if log.frames else 0.0
    timeline = [(t - started, [("pbx", i)], text) for i, (t, text) in enumerate(log.frames, 1)]
    numbers = itertools.count(1)  # the textbook's seq: the PBX frame's number, in order

    async def send(text: str) -> None:
        message = {"type": "bench.event", "seq": next(numbers), "event": json.loads(text)}
        await layer.group_send(GROUP, message)

    sent: dict[Key, float] = {}

    async def load() -> None:
        sent.update(await replay(timeline, send))

    pids = {"textbook": stack.pid("textbook"), "redis": stack.pid("redis")}
    window, usage = await measured(fleet, pids, load)
    await close_fleet(tasks)
    await layer.flush()
    return phase("textbook", fleet, window, usage, "textbook", sent_latencies(fleet, sent))


def ratios(product: Phase, others: list[Phase]) -> dict[str, dict[str, float | None]]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    return {
        other.design: {
            "p50": ratio(product.latency_ms.get("p50"), other.latency_ms.get("p50")),
            "p99": ratio(product.latency_ms.get("p99"), other.latency_ms.get("p99")),
            "cpu_per_frame": ratio(product.server_cpu_us_per_frame, other.server_cpu_us_per_frame),
        }
        for other in others
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with product_stack(
        args.scenario, args.screens, args.layer, args.web, args.web_processes
    ) as stack:
        product, log, timeline = await product_phase(stack, args)
        phases = [product]
        if not args.product_only:
            phases += [await limit_phase(stack, args.screens, timeline),
                       await daphne_floor_phase(stack, args.screens, timeline, args.web),
                       await textbook_phase(stack, args.screens, log)]  # fmt: skip
    print(table(phases))
    print(usage_table(phases))
    print(extra_lines(phases))
    return {"phases": phases, "ratios": ratios(product, phases[1:])}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--scenario", default="small", help="pbxsim scenario (small, …)")
    parser.add_argument("--events-per-s", type=float, default=20.0, help="30011 events/s")
    parser.add_argument("--screens", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument(
        "--layer", choices=LAYERS, default=LAYERS[0], help="the product's channel layer"
    )
    parser.add_argument(
        "--web", choices=WEB_SERVERS, default=WEB_SERVERS[0],
        help="the server of the product and the floor (the product ships Daphne)",
    )  # fmt: skip
    parser.add_argument(
        "--web-processes", type=int, default=1,
        help="web processes of the product, its screens spread over them in turn",
    )  # fmt: skip
    parser.add_argument("--product-only", action="store_true", help="skip the references")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"fanout: {args.scenario}, {args.events_per_s:g} events/s (bursts of "
          f"{burst_plan(args.events_per_s)[0]}), {args.screens} screens over "
          f"{args.web_processes} web process(es), {args.duration:g} s",
          flush=True)  # fmt: skip
    config = vars(args) | {"out": str(args.out), "machine": machine()}
    result = asyncio.run(run(args))
    phases = [phase_json(p) for p in result["phases"]]
    path = write_json("fanout", {"config": config, **result, "phases": phases}, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
