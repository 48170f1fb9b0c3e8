"""Settings from the environment: loud failures on bad values, and .env.example kept in sync."""

import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wallboard.env import (
    SQLITE_BUSY_TIMEOUT_S,
    channel_prefix,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
)

ROOT = Path(__file__).resolve().parents[2]


def test_it_requires_variables_without_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WB_TEST_VALUE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="WB_TEST_VALUE must be set"):
        env_str("WB_TEST_VALUE")


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("YES", True), ("0", False), ("off", False)]
)
def test_it_reads_booleans(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("WB_TEST_VALUE", raw)
    assert env_bool("WB_TEST_VALUE", not expected) is expected


@pytest.mark.parametrize(
    ("reader", "raw", "message"),
    [
        (lambda: env_bool("WB_TEST_VALUE", True), "maybe", "not a boolean"),
        (lambda: env_int("WB_TEST_VALUE", 1), "ten", "not a whole number"),
        (lambda: env_int("WB_TEST_VALUE", 1, minimum=5), "2", "below the minimum"),
        (lambda: env_int("WB_TEST_VALUE", 1, maximum=5), "9", "above the maximum"),
        (lambda: env_url("WB_TEST_VALUE", "", ("http", "https")), "192.168.5.150", "not a URL"),
    ],
)
def test_it_rejects_bad_values_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, reader: object, raw: str, message: str
) -> None:
    monkeypatch.setenv("WB_TEST_VALUE", raw)
    with pytest.raises(ImproperlyConfigured, match=f"WB_TEST_VALUE.*{message}"):
        reader()  # type: ignore[operator]


def test_it_splits_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_VALUE", " a.example, b.example ,,")
    assert env_list("WB_TEST_VALUE") == ["a.example", "b.example"]


def test_it_reads_database_urls() -> None:
    assert database_from_url("sqlite:///db.sqlite3", "/srv/app")["NAME"] == "/srv/app/db.sqlite3"
    assert database_from_url("sqlite:////var/lib/wb.db", "/srv/app")["NAME"] == "/var/lib/wb.db"
    postgres = database_from_url("postgres://wb:s%40cret@db:5433/wallboard", "/srv/app")
    assert (postgres["USER"], postgres["PASSWORD"], postgres["HOST"], postgres["PORT"]) == (
        "wb",
        "s@cret",
        "db",
        "5433",
    )
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://db/wallboard", "/srv/app")


def settings_variables() -> set[str]:
    """Every variable name passed to an env_* reader in wallboard/settings.py."""
    tree = ast.parse((ROOT / "wallboard" / "settings.py").read_text())
    return {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and isinstance(node.args[0], ast.Constant)
    }


def example_variables() -> dict[str, bool]:
    """Variables in .env.example, each mapped to whether a comment line precedes it."""
    found: dict[str, bool] = {}
    previous = ""
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            found[match.group(1)] = previous.startswith("#") and "=" not in previous
        previous = line.strip()
    return found


def test_every_setting_is_documented_in_env_example_and_nothing_else() -> None:
    documented = example_variables()
    assert set(documented) == settings_variables()
    assert [name for name, commented in documented.items() if not commented] == []


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("redis://127.0.0.1:6379/3", "wallboard.db3"),
        ("rediss://:secret@cache.example:6380", "wallboard.db0"),
        ("unix:///run/redis.sock?db=12", "wallboard.db12"),
    ],
)
def test_each_redis_database_gets_its_own_channel_prefix(url: str, prefix: str) -> None:
    """Pub/sub ignores database numbers: the prefix keeps installations apart."""
    assert channel_prefix(url) == prefix


def test_a_redis_database_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="database 'cache'"):
        channel_prefix("redis://127.0.0.1:6379/cache")


def test_sqlite_writers_wait_their_turn() -> None:
    """The worker and the web processes share one SQLite file: a transaction takes the write
    lock when it begins and waits for another process's write (a read-then-write transaction
    in SQLite's default mode fails at once with "database is locked")."""
    options = database_from_url("sqlite:///db.sqlite3", "/srv/app")["OPTIONS"]
    assert options == {"transaction_mode": "IMMEDIATE", "timeout": SQLITE_BUSY_TIMEOUT_S}
