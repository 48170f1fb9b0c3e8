"""`python -m bench.limit`: the limit — a bare `websockets` server that broadcasts each frame its
feeder sends (already encoded) to every other socket, and does nothing else."""

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from websockets.asyncio.server import ServerConnection, broadcast, serve

FEED_PATH = "/feed"


class Broadcaster:
    def __init__(self) -> None:
        self.screens: set[ServerConnection] = set()

    async def handle(self, socket: ServerConnection) -> None:
        if socket.request is not None and socket.request.path == FEED_PATH:
            async for frame in socket:
                broadcast(self.screens, frame)
            return
        self.screens.add(socket)
        try:
            await socket.wait_closed()
        finally:
            self.screens.discard(socket)


async def serve_until_stopped(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(Broadcaster().handle, "127.0.0.1", port, compression=None, max_size=None):
        print(f"limit listening on ws://127.0.0.1:{port}", flush=True)
        await stop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.limit", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve_until_stopped(parser.parse_args(argv).port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
