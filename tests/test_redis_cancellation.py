"""The pinned redis-py lets a cancelled task stop: 8.0/8.1 swallow the cancellation of about one
command in three, which left the worker waiting forever for a task that would not end."""

import asyncio

import redis.asyncio as aioredis

ATTEMPTS = 200


async def test_a_task_cancelled_during_a_redis_command_stops(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    await client.set("wb:test:cancel", "1")

    async def busy() -> None:
        while True:
            await client.get("wb:test:cancel")

    ignored = 0
    for attempt in range(ATTEMPTS):
        task = asyncio.create_task(busy())
        await asyncio.sleep(0.001 * (attempt % 7))  # cancel at varied points of a command
        task.cancel()
        _, pending = await asyncio.wait([task], timeout=1)
        ignored += bool(pending)
        task.cancel()
        await asyncio.wait([task], timeout=1)
    await client.aclose()
    assert ignored == 0, f"{ignored} of {ATTEMPTS} cancellations were swallowed"
