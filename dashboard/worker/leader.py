"""One active worker per PBX: a Redis lease, and writes fenced by it."""

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import cast

import redis.asyncio as aioredis

log = logging.getLogger(__name__)

LEADER_KEY = "wb:leader"
# A killed leader's lease runs out within LEASE_MS; a standby polling every POLL_S then takes
# over, so failover takes under 10 s. The leader renews three times per lease.
LEASE_MS = 6000
RENEW_S = 2.0
POLL_S = 1.0

# Take a free lease, or our own again: after a Redis failover the promoted replica still holds
# the lease we held, and waiting for it to lapse would keep the boards still for nothing.
_TAKE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# Renew only our own lease; a lease that ran out and was taken is lost for good.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# The fence: write the keys only while still holding the lease, atomically with the check.
_FENCED_SET = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i]) end
return 1
"""


class LeadershipLost(Exception):
    """Another worker holds the lease now: stop publishing at once."""


class Leadership:
    def __init__(self, redis: aioredis.Redis, worker_id: str) -> None:
        self.redis = redis
        self.worker_id = worker_id
        self.server = ""  # the Redis server (its run_id) that we took the lease on

    async def acquire(self) -> None:
        """Wait (as a standby) until this worker holds the lease."""
        while True:
            if await self._run(_TAKE, [LEADER_KEY], [self.worker_id, LEASE_MS]):
                break
            await asyncio.sleep(POLL_S)  # polling: Redis cannot tell us when a lease lapses
        self.server = await self._server()
        log.info("Worker %s is now the active worker", self.worker_id)

    async def hold(self) -> None:
        """Renew the lease until it is lost (then raise LeadershipLost)."""
        while True:
            await asyncio.sleep(RENEW_S)
            renewed = await self._run(_RENEW, [LEADER_KEY], [self.worker_id, LEASE_MS])
            if not renewed:
                raise LeadershipLost(f"worker {self.worker_id} lost the lease")
            await self._same_server()

    async def _server(self) -> str:
        return str((await self.redis.info("server"))["run_id"])

    async def _same_server(self) -> None:
        """A failover to a replica (Sentinel) or a restart puts us on a server that may lack our
        last writes: lead afresh (a new epoch, every stream rewritten, the day taken over)."""
        if await self._server() != self.server:
            raise LeadershipLost(f"worker {self.worker_id}: Redis is another server now")

    async def release(self) -> None:
        await self._run(_RELEASE, [LEADER_KEY], [self.worker_id])

    async def _run(self, script: str, keys: Sequence[str], args: Sequence[str | int]) -> int:
        """Run a Lua script atomically (redis-py types EVAL as sync-or-async: it is async)."""
        reply = self.redis.eval(script, len(keys), *keys, *args)
        return int(await cast(Awaitable[int], reply))

    async def assert_leading(self) -> None:
        """For writes outside Redis, which the fence cannot cover atomically."""
        if await self.redis.get(LEADER_KEY) != self.worker_id:
            raise LeadershipLost(f"worker {self.worker_id} no longer holds the lease")

    async def fenced_set(self, key: str, value: str) -> None:
        """SET `key` only if we still lead; a paused ex-leader that wakes up writes nothing."""
        await self.fenced_set_many({key: value})

    async def fenced_set_many(self, values: dict[str, str]) -> None:
        """SET all keys at once (atomically), only if we still lead."""
        keys = [LEADER_KEY, *values]
        argv = [self.worker_id, *values.values()]
        if not await self._run(_FENCED_SET, keys, argv):
            raise LeadershipLost(f"worker {self.worker_id} no longer holds the lease")
