"""A Redis primary, its replica and three redis-sentinel processes on loopback, for failovers."""

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from devstack.procs import ManagedProcess, free_port
from devstack.redis import RedisHandle, pings, start_redis_server
from tests.integration.stack import wait_until

MASTER = "wallboard"
QUORUM = 2
# Small, so that a test's failover takes seconds: a primary silent for 1 s is down, and a
# failover that stalls is retried by another sentinel after 5 s.
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
READY_S = 20


@dataclass
class SentinelSet:
    """The servers, and how the product is told to find them."""

    primary: RedisHandle
    replica: RedisHandle
    sentinel_ports: list[int]

    def settings(self) -> dict[str, str]:
        """The environment of the product's processes: Sentinel, and REDIS_URL for its db."""
        sentinels = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return {
            "REDIS_URL": self.primary.url,
            "REDIS_SENTINELS": sentinels,
            "REDIS_SENTINEL_MASTER": MASTER,
        }

    def master_port(self) -> int:
        """The port of the primary that the first answering sentinel names."""
        for port in self.sentinel_ports:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis(port=port, socket_timeout=1, decode_responses=True)
                with client:
                    found: Any = client.sentinel_get_master_addr_by_name  # untyped in redis-py
                    _host, master = found(MASTER)
                    return int(master)
        raise AssertionError("no sentinel answers")

    def kill_primary(self) -> None:
        """SIGKILL: no goodbye, the sentinels must find out for themselves."""
        pid = self.primary.process.pid if self.primary.process else None
        assert pid is not None, "the primary is not running"
        os.kill(pid, signal.SIGKILL)


def port_of(handle: RedisHandle) -> int:
    return int(handle.url.rsplit(":", 1)[1].split("/")[0])


def replicate(replica: RedisHandle, primary: RedisHandle) -> None:
    """Make `replica` a replica of `primary` and wait until it has synchronised."""
    with redis.Redis.from_url(replica.url, decode_responses=True) as client:
        client.replicaof("127.0.0.1", port_of(primary))

        def synced() -> bool:
            """the replica's link to the primary is up"""
            replication: dict[str, Any] = client.info("replication")
            return replication.get("master_link_status") == "up"

        wait_until(synced, READY_S)


def sentinel_config(folder: Path, port: int, primary_port: int) -> Path:
    """A sentinel's configuration file (it rewrites it as it learns: one file each)."""
    path = folder / f"sentinel-{port}.conf"
    lines = [
        f"port {port}",
        "bind 127.0.0.1",
        f"dir {folder}",
        f"sentinel monitor {MASTER} 127.0.0.1 {primary_port} {QUORUM}",
        f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}",
        f"sentinel failover-timeout {MASTER} {FAILOVER_TIMEOUT_MS}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def sentinel_process(program: str, folder: Path, port: int, primary_port: int) -> ManagedProcess:
    config = sentinel_config(folder, port, primary_port)
    ready = f"redis://127.0.0.1:{port}"
    return ManagedProcess(
        f"sentinel:{port}", [program, str(config)], cwd=folder, ready_check=lambda: pings(ready)
    )


@contextlib.contextmanager
def sentinel_set(server: str, sentinel: str) -> Iterator[SentinelSet]:
    """Start it all (`server`: redis-server, `sentinel`: redis-sentinel); stop it all on exit."""
    with contextlib.ExitStack() as cleanup:
        primary = cleanup.enter_context(start_redis_server(server))
        replica = cleanup.enter_context(start_redis_server(server))
        replicate(replica, primary)
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="sentinel-")))
        ports = [free_port() for _ in range(3)]
        for port in ports:
            process = sentinel_process(sentinel, folder, port, port_of(primary))
            cleanup.enter_context(process)
            process.wait_ready(READY_S)
        found = SentinelSet(primary, replica, ports)
        wait_until(lambda: all_see_the_replica(found), READY_S)
        yield found


def all_see_the_replica(found: SentinelSet) -> bool:
    """Every sentinel knows the replica and the other sentinels (else no failover could
    happen: a sentinel learns of replicas and peers from the primary, within seconds)."""
    for port in found.sentinel_ports:
        with redis.Redis(port=port, socket_timeout=1, decode_responses=True) as client:
            master: dict[str, Any] = client.sentinel_master(MASTER)
            if master["num-slaves"] < 1 or master["num-other-sentinels"] < 2:
                return False
    return True
