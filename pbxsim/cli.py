"""Command line: parse flags, serve the simulator, print the ready line, stop on SIGINT/SIGTERM."""

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import ssl
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from pbxsim.app import create_app
from pbxsim.config import (
    AGENT_STATUS_STYLES,
    CALL_PATHS,
    CDR_UID_STYLES,
    ONWARD_PATHS,
    TRANSFER_REPORTS,
    WAITING_SHAPES,
    SimConfig,
)
from pbxsim.scenarios import BUILT_IN
from pbxsim.tls import server_context, write_self_signed

_DEFAULTS = SimConfig()


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The CLI flags; every one is documented in docs/pbxsim.md."""
    parser = argparse.ArgumentParser(prog="python -m pbxsim", description=__doc__)
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=8088, help="port to bind; 0 picks a free one (default 8088)")
    add("--client-id", default=_DEFAULTS.client_id, help="API client ID (get_token username)")
    add("--client-secret", default=_DEFAULTS.client_secret, help="API client secret")
    add("--seed", type=int, default=_DEFAULTS.seed, help="random seed of the call traffic")
    add(
        "--arrival-per-min",
        type=_non_negative,
        default=_DEFAULTS.arrival_per_min,
        help="random callers per minute per queue; 0 = scripted callers only",
    )
    add("--speed", type=_positive, default=_DEFAULTS.speed, help="simulated seconds per second")
    add("--scenario", default=_DEFAULTS.scenario, help=f"{', '.join(BUILT_IN)} or a JSON file")
    add("--sn", default=_DEFAULTS.sn, help="PBX serial number sent in event frames")
    add("--model", default=_DEFAULTS.model, help="PBX model in system/information")
    add("--firmware", default=_DEFAULTS.firmware, help="firmware version in system/information")
    add("--time-zone", default=_DEFAULTS.time_zone, help="PBX time zone (CDR times)")
    add("--tls", action="store_true", help="serve https/wss with a fresh self-signed certificate")
    add("--tls-dir", type=Path, help="where --tls writes cert.pem/key.pem (default: a temp dir)")
    _add_guess_switches(parser)
    return parser.parse_args(argv)


def _add_guess_switches(parser: argparse.ArgumentParser) -> None:
    """Flags for what the reference marks GUESS (docs/pbxsim.md lists them)."""
    add = parser.add_argument
    add(
        "--msg-object",
        type=int,
        action="append",
        default=[],
        metavar="TYPE",
        help="send this event type's msg as a JSON object, not a string (repeatable)",
    )
    add("--queue-prefix", action="store_true", help='30029 queue_number as "queue-6400"')
    add("--agent-status-style", choices=AGENT_STATUS_STYLES, default=_DEFAULTS.agent_status_style)
    add("--waiting-shape", choices=WAITING_SHAPES, default=_DEFAULTS.waiting_shape)
    add("--call-path", choices=CALL_PATHS, default=_DEFAULTS.call_path)
    add("--ivr-number", default=_DEFAULTS.ivr_number, help="the IVR in front of the queues")
    add("--listener-member", action="store_true", help="a listening supervisor is a member")
    add("--onward-path", choices=ONWARD_PATHS, default=_DEFAULTS.onward_path)
    add("--transfer-report", choices=TRANSFER_REPORTS, default=_DEFAULTS.transfer_report)
    add("--cdr-uid-style", choices=CDR_UID_STYLES, default=_DEFAULTS.cdr_uid_style)
    add("--cdr-call-id", action="store_true", help="cdr/list rows also carry the call_id")


# Flags whose destination differs from the SimConfig field they set.
_RENAMED = {"msg_object": "object_msg_types", "queue_prefix": "queue_number_prefix"}


def config_from(args: argparse.Namespace) -> SimConfig:
    """The simulator settings the flags describe (host and port are not settings)."""
    names = {f.name for f in dataclasses.fields(SimConfig)}
    values = {_RENAMED.get(k, k): v for k, v in vars(args).items()}
    values["object_msg_types"] = frozenset(values["object_msg_types"])
    return SimConfig(**{k: v for k, v in values.items() if k in names})


def _tls(args: argparse.Namespace, stack: contextlib.ExitStack) -> ssl.SSLContext | None:
    """With --tls: a fresh self-signed certificate, its path announced on stderr."""
    if not args.tls:
        return None
    directory = args.tls_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
    cert, key = write_self_signed(args.host, directory)
    print(f"pbxsim certificate: {cert}", file=sys.stderr, flush=True)
    return server_context(cert, key)


async def serve(config: SimConfig, host: str, port: int, tls: ssl.SSLContext | None = None) -> None:
    """Run until SIGINT or SIGTERM, announcing the bound address on stdout once listening."""
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, ssl_context=tls).start()
        bound_port = runner.addresses[0][1]
        scheme = "https" if tls else "http"
        # Other tools wait for exactly this line, so flush it at once.
        print(f"pbxsim listening on {scheme}://{host}:{bound_port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m pbxsim`."""
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        asyncio.run(serve(config_from(args), args.host, args.port, _tls(args, stack)))
    return 0
