"""The worker process: stand by until it holds the lease, then run the Worker; stop on loss."""

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import time

import redis.asyncio as aioredis
from channels.layers import BaseChannelLayer
from redis.exceptions import RedisError

from dashboard.live.today import Thresholds
from dashboard.pbx.api import PbxApi
from dashboard.pbx.backoff import Backoff
from dashboard.worker.concurrency import first_to_finish
from dashboard.worker.daybook import DayBook
from dashboard.worker.leader import Leadership, LeadershipLost
from dashboard.worker.loop import Worker
from dashboard.worker.publish import Publisher
from dashboard.worker.timing import Timing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DaySettings:
    """How today's figures are counted: the PBX's time zone, the day's start, thresholds."""

    zone: str
    starts_at: time
    thresholds: Thresholds


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class WorkerProcess:
    def __init__(
        self,
        api: PbxApi,
        redis: aioredis.Redis,
        layer: BaseChannelLayer,
        timing: Timing,
        day: DaySettings,
    ) -> None:
        self.api = api
        self.day = day
        self.layer = layer
        self.timing = timing
        self.leadership = Leadership(redis, worker_id())
        self.leading = False

    async def run(self) -> None:
        """Lead or stand by, forever; Redis outages and lost leases send us back to standby."""
        backoff = Backoff(cap_s=10.0)
        while True:
            try:
                await self.leadership.acquire()
                self.leading = True
                backoff.reset()
                await self._lead()
            except LeadershipLost as lost:
                log.warning("%s; standing by", lost)
            except RedisError as error:
                log.warning("Redis unavailable (%s); retrying", error)
            self.leading = False
            await asyncio.sleep(backoff.next_delay())

    async def _lead(self) -> None:
        daybook = DayBook(self.leadership, self.day.zone, self.day.starts_at, self.day.thresholds)
        publisher = Publisher(self.leadership, self.layer, also_store=daybook.stored)
        worker = Worker(self.api, self.leadership, publisher, daybook, self.timing)
        await first_to_finish(worker.run, self.leadership.hold)

    async def shutdown(self) -> None:
        """Clean exit: the active worker gives the PBX token back and frees the lease at once."""
        if self.leading:
            # Each step on its own: a PBX that cannot take the token back must not keep the
            # lease held until it times out.
            with contextlib.suppress(Exception):
                await self.api.tokens.revoke()
            with contextlib.suppress(Exception):
                await self.leadership.release()
