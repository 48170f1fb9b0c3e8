"""Running coroutines together so that none of them can fail unnoticed."""

import asyncio
from collections.abc import Awaitable, Callable


async def first_to_finish(*jobs: Callable[[], Awaitable[None]]) -> None:
    """Run jobs together; when one ends (or fails), cancel the rest and re-raise its error."""
    tasks = [asyncio.ensure_future(job()) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()
