"""Redis fails over under Sentinel while calls flow: the worker and the web follow the promoted
replica, the board's screens are live again within 15 s of the primary's death, and once the
calls stop the board's figures equal the simulator's."""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_django.fixtures import Settings

from bench.livetruth import differences, fingerprint, truth_view
from bench.stack import LAYERS, seed_board
from devstack.procs import ProcessGroup, free_port
from tests.integration.browser_stack import redis_binary
from tests.integration.sentinel import MASTER, SentinelSet, port_of, sentinel_set
from tests.integration.soak_screens import ScreenFleet
from tests.integration.stack import READY_TIMEOUT_S, Rig, manage, rig_env, start_daphne, wait_until
from tests.integration.test_live_truth import BUSY, board_of, compared
from tests.programs import debian_program
from wallboard.redis_client import async_client, close_async_client, sync_client

pytestmark = pytest.mark.integration

LIVE_AGAIN_S = 15  # the promise: from the primary's death to every screen live again
SCREENS = 2
STEP_S, STEP_EVERY_S = 2, 0.25  # traffic: 2 simulated seconds every quarter of a second
SETTLE_S = 30  # once the calls stop: the worker's resync (every 5 s) and CDR read-back


class Traffic:
    """The simulator's clock moved on in a background thread: callers come, wait and leave."""

    def __init__(self, rig: Rig) -> None:
        self.rig, self.stopped = rig, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(STEP_EVERY_S):
            self.rig.sim("POST", "clock/advance", {"seconds": STEP_S})

    def __enter__(self) -> "Traffic":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)


@pytest.fixture
def sentinels() -> Iterator[SentinelSet]:
    sentinel = debian_program("redis-sentinel", "redis-sentinel", "the Redis failover test")
    with sentinel_set(redis_binary(), sentinel) as found:
        yield found


@pytest.fixture(params=LAYERS)
def sentinel_rig(
    request: pytest.FixtureRequest, tmp_path: Path, sentinels: SentinelSet
) -> Iterator[Rig]:
    """The simulator (busy) and a worker finding Redis through Sentinel, on either channel
    layer (each connects through Sentinel in its own way)."""
    env = rig_env(tmp_path, sentinels.primary.url) | sentinels.settings()
    env |= {"PBX_RESYNC_SECONDS": "5", "CHANNEL_LAYER": request.param}
    manage(env, "migrate", "--no-input", "-v0")
    with ProcessGroup(ready_timeout=READY_TIMEOUT_S) as group:
        rig = Rig(env, group)
        rig.start_sim(env["PBX_CLIENT_SECRET"], BUSY)
        rig.start_worker()
        yield rig


def fleet(rig: Rig, port: int) -> ScreenFleet:
    queues = [q["number"] for q in rig.sim("GET", "state")["queues"]]
    (token,) = seed_board(rig.env, queues, 1)
    url, origin = f"ws://127.0.0.1:{port}/ws/board/bench/", f"http://127.0.0.1:{port}"
    return ScreenFleet(url, origin, f"wb_display={token}", SCREENS)


def live_on_a_new_epoch(screens: ScreenFleet, old_epoch: str, since: float) -> bool:
    """every screen has a fresh snapshot of the new leader's epoch, and frames since"""
    return screens.all_fresh_since(since) and all(
        s.epoch not in ("", old_epoch) for s in screens.screens
    )


def board_equals_truth(rig: Rig, web: httpx.Client) -> list[str]:
    """Where the board's figures (its snapshot API) differ from the simulator's; [] if equal."""
    first = rig.sim("GET", "state")
    board = board_of(web.get("/api/boards/bench/snapshot/").raise_for_status().json())
    if fingerprint(rig.sim("GET", "state")) != fingerprint(first):
        return ["the simulator moved while sampled"]
    found = differences(compared(truth_view(first)), board)
    return [line for lines in found.values() for line in lines]


def settled(rig: Rig, web: httpx.Client) -> None:
    """Wait until the board equals the truth, or fail saying where they differ."""

    def equal() -> bool:
        """the board equals the simulator's truth"""
        return not board_equals_truth(rig, web)

    try:
        wait_until(equal, SETTLE_S)
    except AssertionError as error:
        raise AssertionError("; ".join(board_equals_truth(rig, web))[:3000]) from error


def offered(rig: Rig) -> int:
    return sum(queue["today"]["offered"] for queue in rig.sim("GET", "state")["queues"])


def more_calls(rig: Rig, count: int = 10) -> None:
    """Wait until `count` more callers have come (the traffic flows)."""
    before = offered(rig)
    wait_until(lambda: offered(rig) >= before + count, READY_TIMEOUT_S)


@pytest.mark.timeout(60)
async def test_a_command_under_way_lands_on_the_promoted_replica(
    sentinels: SentinelSet, settings: Settings
) -> None:
    """Commands retried across the failover (not only new connections) find the new primary,
    on either kind of client, and the writes the replica had taken are there."""
    settings.REDIS_URL = sentinels.primary.url
    settings.REDIS_SENTINELS = [("127.0.0.1", port) for port in sentinels.sentinel_ports]
    settings.REDIS_SENTINEL_MASTER = MASTER
    blocking, client = sync_client(decode_responses=True), async_client(decode_responses=True)
    await client.set("wb:test", "kept")
    assert blocking.wait(1, 5000) == 1  # the replica has it
    sentinels.kill_primary()
    async with asyncio.timeout(LIVE_AGAIN_S):
        assert await client.get("wb:test") == "kept"
    assert await asyncio.to_thread(blocking.get, "wb:test") == "kept"
    assert sentinels.master_port() == port_of(sentinels.replica)
    await close_async_client(client)
    blocking.close()


@pytest.mark.timeout(240)
def test_the_boards_follow_a_redis_failover_and_lose_nothing(
    sentinel_rig: Rig, sentinels: SentinelSet
) -> None:
    """Live again means: every screen on the epoch of the worker's new lead (it must start one,
    the promoted replica may lack its last writes) and frames coming; this within 15 s."""
    rig, port, started = sentinel_rig, free_port(), time.monotonic()
    start_daphne(rig, port)
    with fleet(rig, port) as screens, Traffic(rig):
        wait_until(lambda: screens.all_fresh_since(started), READY_TIMEOUT_S)
        more_calls(rig)
        old_epoch, killed_at = screens.screens[0].epoch, time.monotonic()
        sentinels.kill_primary()
        wait_until(lambda: sentinels.master_port() == port_of(sentinels.replica), LIVE_AGAIN_S)
        wait_until(lambda: live_on_a_new_epoch(screens, old_epoch, killed_at), LIVE_AGAIN_S)
        live_after = time.monotonic() - killed_at
        print(f"boards live again {live_after:.1f} s after the primary's death")
        more_calls(rig)
    headers = {"Cookie": screens.cookie}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as web:
        settled(rig, web)
    assert live_after < LIVE_AGAIN_S
