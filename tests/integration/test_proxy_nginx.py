"""The nginx lines docs/operations.md gives, run in a real nginx before a real Daphne: whatever a
client writes in X-Forwarded-For, the limits count it under its own address."""

from collections.abc import Iterator

import pytest

from dashboard.boards.pairing import CODES_PER_ADDRESS
from dashboard.boards.refusals import MAX_REFUSALS
from devstack.procs import free_port
from tests.proxied import (
    Served,
    board_answer,
    daphne_trusting,
    documented_nginx,
    new_tv,
    running_nginx,
)

pytestmark = pytest.mark.integration
# Clients on two loopback addresses of their own: nginx itself reaches Daphne from 127.0.0.1,
# the one trusted proxy.
CLIENT, NEIGHBOUR = "127.0.0.2", "127.0.0.3"
DOCUMENTED_UPSTREAM = "http://127.0.0.1:8000"
SECTION = "Behind a reverse proxy"


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    with daphne_trusting(tmp_path_factory.mktemp("daphne"), redis_url, "127.0.0.1") as served:
        yield served


@pytest.fixture(
    scope="module", params=["$remote_addr", "$proxy_add_x_forwarded_for"], ids=["set", "append"]
)
def nginx(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, daphne: Served
) -> Iterator[Served]:
    """nginx serving the documented block (X-Forwarded-For set as documented, or appended as
    for a load balancer in front)."""
    tmp, port = tmp_path_factory.mktemp("nginx"), free_port()
    locations = documented_nginx(SECTION).replace(
        DOCUMENTED_UPSTREAM, f"http://127.0.0.1:{daphne.port}"
    )
    locations = locations.replace(
        "X-Forwarded-For $remote_addr;", f"X-Forwarded-For {request.param};"
    )
    server = f"server {{ listen 127.0.0.1:{port}; {locations} }}"
    with running_nginx(tmp, server, ready_url=f"http://127.0.0.1:{port}/healthz"):
        yield Served(port, daphne.credential)


def test_the_guide_gives_one_nginx_block_for_pages_and_sockets() -> None:
    block = documented_nginx(SECTION)
    assert block.count("X-Forwarded-For $remote_addr;") == 2
    assert block.count(DOCUMENTED_UPSTREAM) == 2
    assert "location /ws/" in block


@pytest.mark.usefixtures("clean_redis")
def test_a_client_writing_x_forwarded_for_still_counts_as_itself_for_pairing(
    nginx: Served,
) -> None:
    for n in range(CODES_PER_ADDRESS):
        assert new_tv(nginx, f"10.9.{n}.1, {NEIGHBOUR}", source=CLIENT) == 200
    assert new_tv(nginx, "10.9.99.1", source=CLIENT) == 429
    assert new_tv(nginx, source=NEIGHBOUR) == 200


@pytest.mark.usefixtures("clean_redis")
async def test_a_client_cannot_get_its_neighbours_board_sockets_refused(nginx: Served) -> None:
    for n in range(MAX_REFUSALS):
        assert await board_answer(nginx, "guessed", f"{NEIGHBOUR}, 10.9.{n}.1", CLIENT) == 4401
    assert await board_answer(nginx, nginx.credential, source=CLIENT) == 4429
    assert await board_answer(nginx, nginx.credential, source=NEIGHBOUR) == "snapshot"
