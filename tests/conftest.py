"""Shared fixtures: a real Redis for every test session, and a small named cast of users."""

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User

from dashboard.models import Board
from devstack.redis import DEFAULT_URL, ensure_redis
from tests.sockets import StartPublisher, publishing, with_db
from wallboard.env import channel_prefix

# Tests use their own Redis database so they never clobber a demo sharing the same server;
# TEST_REDIS_DB lets two test runs share one server without flushing each other's data.
TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "15"))


def pytest_addoption(parser: pytest.Parser) -> None:
    soak = parser.getgroup("soak", "the long fault-injection run (make soak)")
    soak.addoption("--soak-minutes", default="10", help="how long to inject faults")
    soak.addoption("--soak-screens", default="50", help="board screens connected throughout")
    soak.addoption("--soak-pbx-down-s", default="60", help="how long the PBX stays down")
    soak.addoption("--soak-seed", default="1", help="seed of the random fault order")


@pytest.fixture(scope="session", autouse=True)
def redis_url() -> Iterator[str]:
    """The Redis at REDIS_URL if one answers, else a private one (never a silent skip)."""
    with ensure_redis(os.environ.get("REDIS_URL", DEFAULT_URL)) as handle:
        url = with_db(handle.url, TEST_REDIS_DB)
        settings.REDIS_URL = url
        layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        layer["hosts"][0]["address"], layer["prefix"] = url, channel_prefix(url)
        yield url


@pytest.fixture
def clean_redis(redis_url: str) -> str:
    """An empty test database, so no live state leaks from one test to the next."""
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


@pytest.fixture
async def publisher() -> AsyncIterator[StartPublisher]:
    """Start publishers as the active worker would (holding the lease), over the real layer."""
    async with publishing() as start:
        yield start


@pytest.fixture
def board(db: None) -> Board:
    return Board.objects.create(slug="sales", name="Sales floor", queues="6400,6401")


@pytest.fixture
def alice(board: Board) -> User:
    """A viewer the sales board is shared with."""
    user = User.objects.create_user("alice", password="alice-password-1")
    board.viewers.add(user)
    return user


@pytest.fixture
def bob(db: None) -> User:
    """A signed-in user with no boards."""
    return User.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def charlie(db: None) -> User:
    """An administrator: sees every board."""
    return User.objects.create_user("charlie", password="charlie-password-1", is_staff=True)
