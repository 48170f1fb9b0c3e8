"""A limit on refused board sockets per client address: a TV with a stale credential retrying
in a loop, or someone guessing credentials, costs one Redis call per attempt, not a query."""

from redis.asyncio import Redis

# Refused attempts one address may make per window before it is turned away unchecked.
MAX_REFUSALS = 30
WINDOW_S = 60


def _key(address: str) -> str:
    return f"wb:refused:{address}"


async def over_limit(redis: Redis, address: str) -> bool:
    return int(await redis.get(_key(address)) or 0) >= MAX_REFUSALS


async def note_refusal(redis: Redis, address: str) -> None:
    """Count a refusal; the window starts with the first one (a fixed window, not sliding)."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(_key(address))
        pipe.expire(_key(address), WINDOW_S, nx=True)
        await pipe.execute()
