"""The shared PBX token against pbxsim: one token however many processes, reused after Redis
loses it, refreshed ahead of expiry, given back on shutdown."""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import redis.asyncio as aioredis

from dashboard.pbx.rest import PbxRest, PbxSettings
from dashboard.pbx.tokens import RENEW_MARGIN_S, TokenManager
from dashboard.token_vault import DatabaseTokenVault
from tests.integration.stack import SIM_CLIENT_ID, Rig

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PROCESSES = 5


@dataclass
class Processes:
    """Builds TokenManagers as separate processes would (own HTTP client), sharing Redis, the
    database and a clock that the tests move in step with the simulator's."""

    settings: PbxSettings
    redis: aioredis.Redis
    offset: float = 0.0
    clients: list[PbxRest] = field(default_factory=list)

    def clock(self) -> float:
        return time.time() + self.offset

    def manager(self) -> TokenManager:
        self.clients.append(PbxRest(self.settings))
        return TokenManager(self.clients[-1], self.redis, DatabaseTokenVault(), self.clock)


@pytest.fixture
async def processes(idle_rig: Rig) -> AsyncIterator[Processes]:
    settings = PbxSettings(idle_rig.sim_url, SIM_CLIENT_ID, idle_rig.env["PBX_CLIENT_SECRET"])
    built = Processes(settings, aioredis.Redis.from_url(idle_rig.redis_url))
    yield built
    for client in built.clients:
        await client.aclose()
    await built.redis.aclose()


async def live_tokens(rig: Rig) -> dict[str, int]:
    state = await asyncio.to_thread(rig.sim, "GET", "state")
    return state["tokens"]  # type: ignore[no-any-return]


async def test_many_processes_asking_at_once_share_one_login(
    idle_rig: Rig, processes: Processes
) -> None:
    tokens = await asyncio.gather(*(processes.manager().token() for _ in range(PROCESSES)))
    assert len(set(tokens)) == 1
    assert (await live_tokens(idle_rig))["peak_live"] == 1


async def test_a_wiped_redis_gets_the_token_back_from_the_database(
    idle_rig: Rig, processes: Processes
) -> None:
    first = await processes.manager().token()
    await processes.redis.flushdb()
    assert await processes.manager().token() == first
    assert (await live_tokens(idle_rig))["peak_live"] == 1


async def test_a_token_near_expiry_is_refreshed_not_replaced(
    idle_rig: Rig, processes: Processes
) -> None:
    manager = processes.manager()
    first = await manager.token()
    ahead = 1800 - RENEW_MARGIN_S + 10
    await asyncio.to_thread(idle_rig.sim, "POST", "clock/advance", {"seconds": ahead})
    processes.offset = ahead
    second = await manager.token()
    assert second != first
    figures = await live_tokens(idle_rig)
    assert (figures["live"], figures["peak_live"]) == (1, 1)


async def test_revoking_gives_the_token_back(idle_rig: Rig, processes: Processes) -> None:
    manager = processes.manager()
    await manager.token()
    await manager.revoke()
    assert (await live_tokens(idle_rig))["live"] == 0
    assert await manager.current() is None
