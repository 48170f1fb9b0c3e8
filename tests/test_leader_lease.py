"""The worker's lease after a Redis failover: the promoted replica still names the leader, which
takes its own lease again at once; another worker's lease is still waited out."""

import asyncio

import pytest

from dashboard.boards.livestore import close_live_redis, live_redis
from dashboard.worker.leader import LEADER_KEY, LEASE_MS, POLL_S, Leadership

pytestmark = pytest.mark.usefixtures("clean_redis")


async def test_a_leader_takes_its_own_lease_again_at_once() -> None:
    """As on a replica promoted after the primary died: our lease is there, still running."""
    redis = live_redis()
    await redis.set(LEADER_KEY, "host:1", px=LEASE_MS)
    async with asyncio.timeout(POLL_S / 2):
        await Leadership(redis, "host:1").acquire()
    assert await redis.pttl(LEADER_KEY) > LEASE_MS - 1000
    await close_live_redis()


async def test_another_workers_running_lease_is_not_taken() -> None:
    redis = live_redis()
    await redis.set(LEADER_KEY, "host:2", px=LEASE_MS)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(POLL_S * 2):
            await Leadership(redis, "host:1").acquire()
    assert await redis.get(LEADER_KEY) == "host:2"
    await close_live_redis()
