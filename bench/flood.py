"""`python -m bench.flood`: clients that flood the board socket with resyncs or pings and never
read. Daphne's memory and ordinary screens' pong round trip and /healthz time, before and during."""

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from bench.report import RESULTS, machine, percentiles, write_json
from bench.stack import Stack, product_stack
from bench.usage import UsageMeter

# An ordinary screen pings this often: within the server's budget of one message a second.
PROBE_EVERY_S = 1.5
PONG_TIMEOUT_S = 10.0
HEALTH_EVERY_S = 1.0
# A flooder reads nothing: one frame buffered, then the library stops reading the socket.
FLOODER_QUEUE = 1
MESSAGES = {"resync": '{"type":"resync"}', "ping": '{"type":"ping","seq":{}}'}


@dataclass
class Probes:
    """What the ordinary screens and /healthz saw while a phase ran."""

    pong_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    lost_pongs: int = 0


@dataclass
class Flood:
    """What the flooders managed: messages sent, sockets opened, how the server closed them."""

    sent: int = 0
    connections: int = 0
    closes: dict[str, int] = field(default_factory=dict)


def socket_args(stack: Stack, token: str) -> tuple[str, dict[str, str]]:
    url = f"ws://127.0.0.1:{stack.web_port}/ws/board/bench/"
    origin = f"http://127.0.0.1:{stack.web_port}"
    return url, {"Cookie": f"wb_display={token}", "Origin": origin}


async def observe(stack: Stack, token: str, probes: list[Probes]) -> None:
    """An ordinary screen: reads everything and times a ping's pong into the current phase."""
    url, headers = socket_args(stack, token)
    async with connect(url, additional_headers=headers, max_size=None) as socket:
        pong = asyncio.Event()
        reader = asyncio.create_task(read_pongs(socket, pong))
        try:
            while True:
                await probe_once(socket, pong, probes[-1])
                await asyncio.sleep(PROBE_EVERY_S)
        finally:
            reader.cancel()


async def read_pongs(socket: ClientConnection, pong: asyncio.Event) -> None:
    async for message in socket:
        if isinstance(message, str) and message.startswith('{"type":"pong"'):
            pong.set()


async def probe_once(socket: ClientConnection, pong: asyncio.Event, into: Probes) -> None:
    pong.clear()
    started = time.perf_counter()
    await socket.send(MESSAGES["ping"])
    try:
        await asyncio.wait_for(pong.wait(), PONG_TIMEOUT_S)
    except TimeoutError:
        into.lost_pongs += 1
        return
    into.pong_ms.append(1000 * (time.perf_counter() - started))


async def probe_health(stack: Stack, probes: list[Probes]) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.web_port}") as client:
        while True:
            started = time.perf_counter()
            with contextlib.suppress(httpx.HTTPError):
                await client.get("/healthz", timeout=30)
                probes[-1].health_ms.append(1000 * (time.perf_counter() - started))
            await asyncio.sleep(HEALTH_EVERY_S)


async def flood(stack: Stack, token: str, message: str, tally: Flood, reconnect: bool) -> None:
    """Send `message` as fast as the socket takes it, read nothing; reconnect at once when
    closed, if told to."""
    url, headers = socket_args(stack, token)
    while True:
        with contextlib.suppress(OSError, WebSocketException):
            async with connect(
                url, additional_headers=headers, max_size=None, max_queue=FLOODER_QUEUE
            ) as socket:
                tally.connections += 1
                await send_until_closed(socket, message, tally)
        if not reconnect:
            return
        await asyncio.sleep(0)


async def send_until_closed(socket: ClientConnection, message: str, tally: Flood) -> None:
    try:
        while True:
            await socket.send(message)
            tally.sent += 1
    except ConnectionClosed as closed:
        code = str(closed.rcvd.code if closed.rcvd else "none")
        tally.closes[code] = tally.closes.get(code, 0) + 1


def phase_figures(name: str, probes: Probes, rss: dict[str, float]) -> dict[str, Any]:
    return {"phase": name, "pong_ms": percentiles(probes.pong_ms),
            "healthz_ms": percentiles(probes.health_ms), "lost_pongs": probes.lost_pongs,
            "daphne_rss_mb": rss}  # fmt: skip


async def measure(pid: int, seconds: float) -> Any:
    """Daphne's memory over a phase whose length is what is measured (not a synchronisation)."""
    meter = UsageMeter({"daphne": pid})
    meter.start()
    await asyncio.sleep(seconds)
    return meter.stop()["daphne"]


async def run_phases(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    observers, flooders = stack.tokens[: args.screens], stack.tokens[args.screens :]
    probes, tally = [Probes()], Flood()
    tasks = [asyncio.create_task(observe(stack, token, probes)) for token in observers]
    tasks.append(asyncio.create_task(probe_health(stack, probes)))
    before = await measure(stack.pid("daphne"), args.baseline)
    probes.append(Probes())
    message = MESSAGES[args.kind]
    tasks += [
        asyncio.create_task(flood(stack, token, message, tally, args.reconnect))
        for token in flooders
    ]
    during = await measure(stack.pid("daphne"), args.duration)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "phases": [
            phase_figures("before", probes[0], {"end": round(before.end_rss_mb, 1)}),
            phase_figures("flood", probes[1], rss_figures(during)),
        ],
        "flood": vars(tally),
    }


def rss_figures(usage: Any) -> dict[str, float]:
    return {"start": round(usage.start_rss_mb, 1), "peak": round(usage.peak_rss_mb, 1),
            "end": round(usage.end_rss_mb, 1),
            "growth": round(usage.peak_rss_mb - usage.start_rss_mb, 1)}  # fmt: skip


def print_table(result: dict[str, Any]) -> None:
    print(f"{'phase':<8} {'pong p50':>9} {'pong p99':>9} {'lost':>5} {'healthz p99':>12}  MB")
    for row in result["phases"]:
        pong, health, rss = row["pong_ms"], row["healthz_ms"], row["daphne_rss_mb"]
        print(f"{row['phase']:<8} {pong.get('p50', '-'):>9} {pong.get('p99', '-'):>9} "
              f"{row['lost_pongs']:>5} {health.get('p99', '-'):>12}  {rss}")  # fmt: skip
    print("flood:", json.dumps(result["flood"]))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__)
    parser.add_argument("--scenario", default="contact-centre", help="pbxsim scenario")
    parser.add_argument("--screens", type=int, default=20, help="ordinary screens (probes)")
    parser.add_argument("--flooders", type=int, default=5)
    parser.add_argument("--kind", choices=sorted(MESSAGES), default="resync")
    parser.add_argument(
        "--reconnect", action=argparse.BooleanOptionalAction, default=True,
        help="a flooder cut off connects again at once",
    )  # fmt: skip
    parser.add_argument("--baseline", type=float, default=15.0, help="seconds before the flood")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of flood")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"flood: {args.flooders} {args.kind} flooders (reconnect: {args.reconnect}), "
          f"{args.screens} screens, "
          f"{args.baseline:g} s before, {args.duration:g} s of flood", flush=True)  # fmt: skip
    with product_stack(args.scenario, args.screens + args.flooders) as stack:
        result = asyncio.run(run_phases(stack, args))
    print_table(result)
    config = vars(args) | {"out": str(args.out), "machine": machine()}
    print(f"wrote {write_json('flood', {'config': config, **result}, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
