"""Typed readers for settings taken from the environment; each fails loudly on a bad value."""

import os
import re
from datetime import time
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value, or the default; missing with no default is an error."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set (see .env.example)")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean spelled 1/0, true/false, yes/no or on/off (any case)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    """Read an integer, checked against optional bounds."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of words."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list; blanks around items are dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, int]]:
    """Read a comma-separated list of host:port (an IPv6 host in brackets: [::1]:26379)."""
    addresses = []
    for item in env_list(name):
        host, colon, port = item.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not (colon and host and port.isdigit() and 0 < int(port) < 65536):
            raise ImproperlyConfigured(f"{name}: {item!r} is not host:port, like 10.0.0.5:26379")
        addresses.append((host, int(port)))
    return addresses


def check_sentinel(sentinels: list[tuple[str, int]], master: str, redis_url: str) -> None:
    """Sentinel's settings go together, and REDIS_URL must be one Sentinel can stand in for."""
    if bool(sentinels) != bool(master):
        raise ImproperlyConfigured(
            "REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together: set both to find Redis "
            "through Sentinel, or neither to use REDIS_URL's server"
        )
    if sentinels and not redis_url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(
            f"REDIS_URL={redis_url!r}: with REDIS_SENTINELS it must be redis:// or rediss:// "
            "(Sentinel names the server; the URL gives the database, user and password)"
        )


def env_url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    """Read a URL whose scheme must be one of `schemes` and which must name a host."""
    value = env_str(name, default)
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.scheme == "sqlite"):
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL starting with {allowed}")
    return value


def env_time(name: str, default: str) -> time:
    """Read a time of day written HH:MM (24-hour)."""
    raw = env_str(name, default)
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", raw)
    if match is None:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time of day like 06:30")
    return time(int(match[1]), int(match[2]))


# How long a SQLite writer waits for another process's write to finish.
SQLITE_BUSY_TIMEOUT_S = 20


def database_from_url(url: str, base_dir: str) -> dict[str, object]:
    """Turn `sqlite:///path` or `postgres://user:pass@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///db.sqlite3 is relative to the project; sqlite:////abs/path is absolute.
        name = unquote(parts.path)[1:]
        if not os.path.isabs(name):
            name = os.path.join(base_dir, name)
        # Web processes and the worker write to one file. In SQLite's default DEFERRED mode a
        # transaction that has read and then writes gets "database is locked" at once (no
        # waiting) when another process is committing: IMMEDIATE takes the write lock at BEGIN,
        # so a writer waits its turn (up to `timeout` seconds) instead of failing.
        options = {"transaction_mode": "IMMEDIATE", "timeout": SQLITE_BUSY_TIMEOUT_S}
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": options}
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not sqlite or postgres")


def channel_prefix(redis_url: str) -> str:
    """The channel layer's prefix. Redis pub/sub channels are server-wide, not per database:
    with the database number in it, installations sharing a server never hear each other."""
    parts = urlsplit(redis_url)
    db = parse_qs(parts.query).get("db", [parts.path.strip("/")])[0] or "0"
    if not db.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL names database {db!r}: it must be a number")
    return f"wallboard.db{int(db)}"
