"""Fixtures for the simulator tests: each test gets its own pbxsim on a free loopback port."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from pbxsim.config import SimConfig
from tests.pbxsim.sim_harness import RunningSim, StartSim, running_sim


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """Start simulators with SimConfig overrides; random traffic is off unless asked for."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> RunningSim:
            config = SimConfig(**{"arrival_per_min": 0.0, **overrides})
            return await stack.enter_async_context(running_sim(config))

        yield start


@pytest.fixture
async def sim(start_sim: StartSim) -> RunningSim:
    """A quiet simulator: only scripted callers, 60 s idle timeout."""
    return await start_sim()
