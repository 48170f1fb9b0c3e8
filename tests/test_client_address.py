"""Behind a proxy a client cannot choose its address: the parser, and the limits through Daphne."""

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from ipaddress import ip_network
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard.boards.pairing import CODES_PER_ADDRESS
from dashboard.boards.refusals import MAX_REFUSALS
from tests.integration.stack import ROOT
from tests.proxied import Served, board_answer, daphne_trusting, new_tv
from wallboard.client_address import ClientAddressMiddleware, env_networks, forwarded_client

LOCAL = [ip_network("127.0.0.1/32"), ip_network("::1/128")]
PROXIES = [ip_network("10.0.0.0/24")]


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        ("127.0.0.1", ["6.6.6.6, 203.0.113.9"], "203.0.113.9"),  # what the client wrote: ignored
        ("127.0.0.1", ["6.6.6.6", "203.0.113.9"], "203.0.113.9"),  # several headers, in order
        ("127.0.0.1", ["203.0.113.9, 127.0.0.1"], "203.0.113.9"),  # a trusted hop is skipped
        ("127.0.0.1", ["203.0.113.9:5123"], "203.0.113.9"),  # a port is dropped
        ("127.0.0.1", ["6.6.6.6, not-an-address"], "127.0.0.1"),  # malformed: the trusted hop
        ("127.0.0.1", ["not-an-address, 203.0.113.9"], "203.0.113.9"),
        ("127.0.0.1", ["127.0.0.1"], "127.0.0.1"),  # nothing but proxies
        ("127.0.0.1", [" , "], "127.0.0.1"),
        ("192.0.2.5", ["203.0.113.9"], "192.0.2.5"),  # an untrusted peer's header is ignored
        ("::1", ["2001:db8::6, [2001:DB8:0::9]:443"], "2001:db8::9"),  # IPv6, written canonically
        ("::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"),  # IPv4 on a dual-stack socket
        ("::1", ["::ffff:203.0.113.9"], "203.0.113.9"),
    ],
)
def test_the_client_is_the_first_hop_from_the_right_that_no_trusted_proxy_is(
    peer: str, headers: list[str], client: str
) -> None:
    assert forwarded_client(peer, headers, LOCAL) == client


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_client() -> None:
    headers = ["6.6.6.6, 203.0.113.9, 10.0.0.7"]  # the client's lie, the client, a second proxy
    assert forwarded_client("10.0.0.2", headers, PROXIES) == "203.0.113.9"
    assert forwarded_client("10.0.0.2", headers, []) == "10.0.0.2"  # trusting none: the peer


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert env_networks("TRUSTED_PROXIES") == tuple(
        ip_network(n) for n in ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    )
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, nginx")
    with pytest.raises(ImproperlyConfigured, match="'nginx' is not an IP address or network"):
        env_networks("TRUSTED_PROXIES")


def test_a_bad_trusted_proxies_setting_stops_the_start() -> None:
    env = {**os.environ, "SECRET_KEY": "x", "TRUSTED_PROXIES": "10.0.0.0/33"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or network" in result.stderr


async def test_a_forgotten_proxy_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Any] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["client"])

    middleware = ClientAddressMiddleware(app, LOCAL)
    for peer in ("192.0.2.5", "192.0.2.5", "127.0.0.1"):
        scope = {
            "type": "http",
            "client": (peer, 40000),
            "headers": [(b"x-forwarded-for", b"6.6.6.6")],
        }
        await middleware(scope, None, None)
    assert seen == [("192.0.2.5", 40000), ("192.0.2.5", 40000), ("6.6.6.6", 0)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "192.0.2.5 ignored (not in TRUSTED_PROXIES)" in warnings[0].getMessage()


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    """Daphne told that 127.0.0.1 is its proxy (these tests pose as it)."""
    with daphne_trusting(tmp_path_factory.mktemp("proxied"), redis_url, "127.0.0.1") as served:
        yield served


@pytest.fixture(scope="module")
def trusting_none(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Served]:
    with daphne_trusting(tmp_path_factory.mktemp("direct"), redis_url, "") as served:
        yield served


@pytest.mark.usefixtures("clean_redis")
def test_pairing_codes_count_against_the_address_the_proxy_added(behind_proxy: Served) -> None:
    """One client rotating what it writes in X-Forwarded-For cannot take every pairing code."""
    for n in range(CODES_PER_ADDRESS):
        assert new_tv(behind_proxy, f"10.9.{n}.1, 203.0.113.9") == 200
    assert new_tv(behind_proxy, "10.9.99.1, 203.0.113.9") == 429
    assert new_tv(behind_proxy, "203.0.113.9") == 429
    assert new_tv(behind_proxy, "198.51.100.4") == 200  # a real new TV elsewhere


@pytest.mark.usefixtures("clean_redis")
def test_without_trusted_proxies_the_header_is_ignored(trusting_none: Served) -> None:
    for n in range(CODES_PER_ADDRESS):
        assert new_tv(trusting_none, f"10.9.{n}.1, 203.0.113.{n}") == 200
    assert new_tv(trusting_none, "198.51.100.4") == 429  # everyone is 127.0.0.1
    assert new_tv(trusting_none) == 429


@pytest.mark.usefixtures("clean_redis")
async def test_refused_board_sockets_count_against_the_real_address(behind_proxy: Served) -> None:
    """A flood of bad credentials, claiming a signed-in screen's address among others, gets its
    own address turned away (4429) and leaves the screen's alone."""
    for n in range(MAX_REFUSALS):
        spoofed = f"198.51.100.{n}, 203.0.113.9"  # 198.51.100.8 is the screen's address
        assert await board_answer(behind_proxy, "guessed", spoofed) == 4401
    assert await board_answer(behind_proxy, behind_proxy.credential, "203.0.113.9") == 4429
    assert await board_answer(behind_proxy, behind_proxy.credential, "198.51.100.8") == "snapshot"
