"""Every Redis client of the product: REDIS_URL's server, or the primary that Sentinel names."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar, cast

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio import sentinel as async_sentinel
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.connection import SSLConnection, parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection, SentinelManagedSSLConnection

Address = tuple[str, int]
_R = TypeVar("_R", Retry, AsyncRetry)

# A failover (sentinels agree the primary is gone, then promote a replica) takes a few seconds.
# Each retry opens a fresh connection, which asks the sentinels for the primary, so a command
# retried for that long lands on the new primary instead of failing: 10 retries, 0.2 s to 1 s
# apart, about 8 s in all. Callers see the error only after that (the worker then stands by).
FAILOVER_RETRIES = 10
FAILOVER_BACKOFF = {"cap": 1.0, "base": 0.1}
# A dead host does not refuse a connection, it never answers: give up on it soon and ask again.
SENTINEL_SOCKET_TIMEOUT_S = 2.0


class _AskingConnection(SentinelManagedConnection):
    """Asks the sentinels where the primary is on every attempt to connect. redis-py 7.4 asks
    only when its pool hands a connection out: a command's retries reconnect to the address the
    connection had, the dead primary, until they run out (redis/redis-py#3874)."""

    def _connect(self) -> Any:
        if self.connection_pool.is_master:
            self.host, self.port = self.connection_pool.get_master_address()
        return super()._connect()  # type: ignore[no-untyped-call]


class _AsyncAskingConnection(async_sentinel.SentinelManagedConnection):
    """_AskingConnection for asyncio clients (the channel layer's among them)."""

    async def _connect(self) -> Any:
        if self.connection_pool.is_master:
            self.host, self.port = await self.connection_pool.get_master_address()
        return await super()._connect()  # type: ignore[no-untyped-call]


class _AskingSSLConnection(_AskingConnection, SentinelManagedSSLConnection):
    pass


class _AsyncAskingSSLConnection(
    _AsyncAskingConnection, async_sentinel.SentinelManagedSSLConnection
):
    pass


# By asyncio or not, then by TLS or not.
_CONNECTIONS: dict[bool, dict[bool, type]] = {
    False: {False: _AskingConnection, True: _AskingSSLConnection},
    True: {False: _AsyncAskingConnection, True: _AsyncAskingSSLConnection},
}


def data_node_options(url: str) -> dict[str, Any]:
    """What REDIS_URL says of the data nodes when Sentinel finds them: the database, user,
    password, TLS and query options; its host and port are not used (Sentinel names them)."""
    options: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
    for where in ("host", "port", "path"):
        options.pop(where, None)
    if options.pop("connection_class", None) is SSLConnection:
        options["ssl"] = True
    return options


def sentinel_connection(url: str, sentinel_password: str, asyncio: bool) -> dict[str, Any]:
    """The options of a connection that Sentinel finds the primary for: how to ask the
    sentinels, then how to talk to the data node (REDIS_URL's part)."""
    asking: dict[str, Any] = {"socket_timeout": SENTINEL_SOCKET_TIMEOUT_S}
    if sentinel_password:
        asking["password"] = sentinel_password
    node = data_node_options(url)
    return {
        "sentinel_kwargs": asking,
        "socket_connect_timeout": SENTINEL_SOCKET_TIMEOUT_S,
        "connection_class": _CONNECTIONS[asyncio][node.pop("ssl", False)],
        **node,
    }


def _retry(kind: type[_R]) -> _R:
    return kind(ExponentialBackoff(**FAILOVER_BACKOFF), FAILOVER_RETRIES)


def layer_host(
    url: str, sentinels: list[Address], master: str, sentinel_password: str, **options: Any
) -> dict[str, Any]:
    """A `hosts` entry of channels_redis's CONFIG: the URL, or Sentinel's master name and
    addresses (channels_redis then connects through redis-py's SentinelConnectionPool)."""
    if not sentinels:
        return {"address": url, **options}
    return {
        "sentinels": sentinels,
        "master_name": master,
        "retry": _retry(AsyncRetry),
        **sentinel_connection(url, sentinel_password, asyncio=True),
        **options,
    }


def _found_by_sentinel(asyncio: bool) -> dict[str, Any]:
    return sentinel_connection(settings.REDIS_URL, settings.REDIS_SENTINEL_PASSWORD, asyncio)


def _primary(manager: Any, retry: Any, asyncio: bool, options: dict[str, Any]) -> Any:
    """A client of the primary the sentinels name (`manager`: redis-py's Sentinel class, sync
    or asyncio; untyped)."""
    sentinels = manager(settings.REDIS_SENTINELS, **_found_by_sentinel(asyncio))
    return sentinels.master_for(settings.REDIS_SENTINEL_MASTER, retry=retry, **options)


def sync_client(**options: Any) -> redis.Redis:
    """A blocking client of the product's Redis (`options`: redis-py's, e.g. decode_responses)."""
    if not settings.REDIS_SENTINELS:
        return redis.Redis.from_url(settings.REDIS_URL, **options)
    return cast(redis.Redis, _primary(Sentinel, _retry(Retry), False, options))


def async_client(**options: Any) -> aioredis.Redis:
    """An asyncio client of the product's Redis, for the event loop that first uses it."""
    if not settings.REDIS_SENTINELS:
        return aioredis.Redis.from_url(settings.REDIS_URL, **options)
    return cast(
        aioredis.Redis, _primary(async_sentinel.Sentinel, _retry(AsyncRetry), True, options)
    )


async def close_async_client(client: aioredis.Redis) -> None:
    """Close the client's connections, and its sentinels' when Sentinel found its primary."""
    await client.aclose()
    manager = getattr(client.connection_pool, "sentinel_manager", None)
    for sentinel in getattr(manager, "sentinels", []):
        await sentinel.aclose()


@contextlib.asynccontextmanager
async def own_async_client(**options: Any) -> AsyncIterator[aioredis.Redis]:
    """A client of this request's (or command's) own, closed with it: Django may run each
    request in an event loop of its own, where pooled asyncio clients would leak."""
    client = async_client(**options)
    try:
        yield client
    finally:
        await close_async_client(client)
