"""Shared fixtures: a Redis server of the session's own, and a small named cast of users; the
choice of database engine (`--postgres`, tests/postgres.py)."""

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from django.utils import translation

from dashboard.boards.livestore import close_live_redis
from dashboard.models import Board, Supervisor
from devstack.redis import start_private_redis
from tests.postgres import (
    DEFAULT_SERVER,
    RUN,
    SERVER_ENV,
    drop_created,
    end_sessions,
    fresh_name,
    refusal,
    with_name,
)
from tests.sockets import StartPublisher, publishing, with_db
from wallboard.env import channel_prefix, database_from_url

# Not database 0, so that nothing passes only because it fell back to a default.
TEST_REDIS_DB = 15


def pytest_addoption(parser: pytest.Parser) -> None:
    soak = parser.getgroup("soak", "the long fault-injection run (make soak)")
    soak.addoption("--soak-minutes", default="10", help="how long to inject faults")
    soak.addoption("--soak-screens", default="50", help="board screens connected throughout")
    soak.addoption("--soak-pbx-down-s", default="60", help="how long the PBX stays down")
    soak.addoption("--soak-seed", default="1", help="seed of the random fault order")
    parser.addoption(
        "--postgres",
        action="store_true",
        help=f"run on the PostgreSQL server at ${SERVER_ENV} (default {DEFAULT_SERVER})",
    )


# Why the PostgreSQL run could not start on this machine (a laptop without the server).
_postgres_missing: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """With --postgres, point the tests' database at PostgreSQL before pytest-django creates
    it. No server: CI (REQUIRE_POSTGRES=1) stops with an error, a laptop skips loudly."""
    if not config.getoption("postgres"):
        return
    server = os.environ.get(SERVER_ENV, DEFAULT_SERVER)
    reason = refusal(server)
    if reason is None:
        RUN.server = server
        # pytest-django creates (and drops) test_<NAME>; a fresh NAME lets runs share a server.
        url = with_name(server, fresh_name("run"))
        settings.DATABASES["default"] = database_from_url(url, str(settings.BASE_DIR))
        # Django has already read the SQLite entry (filling in its defaults) and opened a
        # handle on it: fill in the new one's, and drop the handle so the next is PostgreSQL's.
        connections.configure_settings(settings.DATABASES)
        del connections["default"]
    elif os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"{reason} (REQUIRE_POSTGRES=1: the PostgreSQL run must run)")
    else:
        _postgres_missing.append(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _postgres_missing:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=_postgres_missing[0]))
    elif not config.getoption("postgres"):
        # What only PostgreSQL can show (true concurrency: SQLite's in-memory test database
        # refuses a second writer at once rather than waiting) is not collected on SQLite.
        only_postgres = [item for item in items if item.get_closest_marker("postgres")]
        if only_postgres:
            config.hook.pytest_deselected(items=only_postgres)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def pytest_sessionfinish() -> None:
    """Drop the databases the started processes used (they have all stopped by now)."""
    if RUN.server is not None:
        drop_created(RUN.server)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's, but in the PostgreSQL run first end the sessions that async tests'
    executor threads leave open (Django closes only its own thread's): PostgreSQL refuses to
    drop a database that is in use."""
    yield
    if RUN.server is not None:
        end_sessions(RUN.server, str(settings.DATABASES["default"]["NAME"]))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_missing:
        terminalreporter.write_sep("!", "POSTGRESQL TESTS DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(_postgres_missing[0], red=True)


class ClosingLoop(asyncio.SelectorEventLoop):
    """An async test's event loop, which closes the live-state client that the code under test
    opened on it (one per loop) before it closes: left to the garbage collector, each of its
    connections would warn "unclosed Connection". (The channel layers close their own.)"""

    def close(self) -> None:
        if not self.is_closed() and not self.is_running():
            self.run_until_complete(close_live_redis())
        super().close()


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    return {"asyncio": ClosingLoop}


@pytest.fixture(scope="session", autouse=True)
def redis_url() -> Iterator[str]:
    """A redis-server of this session's own on a free loopback port, stopped at the end: two
    test runs on one machine never see each other's keys or channel-layer messages. Processes
    the tests start (Daphne, workers, the demo) inherit it through REDIS_URL."""
    with start_private_redis() as handle, pytest.MonkeyPatch.context() as patch:
        url = with_db(handle.url, TEST_REDIS_DB)
        patch.setenv("REDIS_URL", url)
        settings.REDIS_URL = url
        layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        layer["hosts"][0]["address"], layer["prefix"] = url, channel_prefix(url)
        yield url


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """A request in Thai activates Thai in the test's own thread (the test client runs the view
    there) and it would stay: the next test's messages would be Thai."""
    yield
    translation.deactivate()


@pytest.fixture
def clean_redis(redis_url: str) -> str:
    """An empty Redis (the server is this session's alone), so no live state leaks from one
    test to the next."""
    with redis.Redis.from_url(redis_url) as client:
        client.flushall()
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
def admin(db: None) -> Client:
    """The admin site's client, signed in as a superuser."""
    User.objects.create_superuser("root", password="root-password-1")
    client = Client()
    client.login(username="root", password="root-password-1")
    return client


@pytest.fixture
def dora(board: Board) -> User:
    """A supervisor of Sales (6400) only, the board shared with her; she listens in from
    extension 1100."""
    user = User.objects.create_user("dora", password="dora-password-1")
    board.viewers.add(user)
    Supervisor.objects.create(user=user, extension="1100", queues="6400")
    return user


@pytest.fixture
def charlie(db: None) -> User:
    """An administrator: sees every board."""
    return User.objects.create_user("charlie", password="charlie-password-1", is_staff=True)
