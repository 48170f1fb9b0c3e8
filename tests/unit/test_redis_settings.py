"""Redis Sentinel's settings: read whole or refused with a reason, and given to the clients."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from wallboard.env import check_sentinel, env_addresses
from wallboard.redis_client import data_node_options, layer_host

SENTINELS = [("10.0.0.11", 26379), ("10.0.0.12", 26379)]


def test_it_reads_sentinel_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_VALUE", " 10.0.0.11:26379, sentinel.example:26380 ,[::1]:26381")
    assert env_addresses("WB_TEST_VALUE") == [
        ("10.0.0.11", 26379),
        ("sentinel.example", 26380),
        ("::1", 26381),
    ]


def test_no_sentinels_is_an_empty_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WB_TEST_VALUE", raising=False)
    assert env_addresses("WB_TEST_VALUE") == []


@pytest.mark.parametrize("raw", ["10.0.0.11", "10.0.0.11:", ":26379", "host:port", "h:70000"])
def test_an_address_without_a_port_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("WB_TEST_VALUE", f"10.0.0.12:26379,{raw}")
    with pytest.raises(ImproperlyConfigured, match=f"WB_TEST_VALUE: '{raw}' is not host:port"):
        env_addresses("WB_TEST_VALUE")


@pytest.mark.parametrize(("sentinels", "master"), [(SENTINELS, ""), ([], "wallboard")])
def test_half_a_sentinel_configuration_is_refused(
    sentinels: list[tuple[str, int]], master: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match="REDIS_SENTINELS and REDIS_SENTINEL_MASTER"):
        check_sentinel(sentinels, master, "redis://127.0.0.1:6379/0")


def test_sentinel_cannot_stand_in_for_a_unix_socket() -> None:
    with pytest.raises(ImproperlyConfigured, match="must be redis:// or rediss://"):
        check_sentinel(SENTINELS, "wallboard", "unix:///run/redis.sock")


def test_without_sentinel_the_url_alone_is_used() -> None:
    check_sentinel([], "", "unix:///run/redis.sock")
    host = layer_host("redis://127.0.0.1:6379/2", [], "", "", socket_timeout=30)
    assert host == {"address": "redis://127.0.0.1:6379/2", "socket_timeout": 30}


def test_with_sentinel_the_url_gives_the_database_user_password_and_tls() -> None:
    options = data_node_options("rediss://wb:s%40cret@ignored.example:6390/3")
    assert options == {"username": "wb", "password": "s@cret", "db": 3, "ssl": True}


def test_the_channel_layer_finds_the_primary_through_the_sentinels() -> None:
    host = layer_host("redis://:pw@ignored:6379/4", SENTINELS, "wallboard", "sentinel-pw")
    assert (host["sentinels"], host["master_name"]) == (SENTINELS, "wallboard")
    assert (host["db"], host["password"]) == (4, "pw")
    assert host["sentinel_kwargs"]["password"] == "sentinel-pw"
    assert host["retry"].get_retries() > 0  # a failover is ridden out, not raised at once
