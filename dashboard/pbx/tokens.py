"""One PBX token for the whole installation: cached in Redis, kept durably, renewed under a lock."""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import redis.asyncio as aioredis

from dashboard.pbx.errors import PbxError, PbxUnreachable, TokenExpired
from dashboard.pbx.rest import PbxRest, Token

log = logging.getLogger(__name__)

TOKEN_KEY = "wb:pbx:token"
LOCK_KEY = "wb:pbx:token:lock"
LOGIN_HOLD_KEY = "wb:pbx:login-hold"
# Renew this long before the 30-minute access token expires, so no request meets an expired one.
RENEW_MARGIN_S = 300
# How long every process waits after a failed login, by errcode. Five failed logins in a row get
# the server's IP blocked by the PBX, so wrong credentials are retried only every few minutes.
LOGIN_HOLD_S = {-1: 300, 70004: 300, 70087: 120, 70123: 120, 60002: 60}


@dataclass(frozen=True)
class StoredToken:
    access_token: str
    access_expires_at: float
    refresh_token: str
    refresh_expires_at: float

    @classmethod
    def issued(cls, token: Token, now: float) -> "StoredToken":
        return cls(
            token.access_token,
            now + token.access_expires_in,
            token.refresh_token,
            now + token.refresh_expires_in,
        )

    def usable(self, now: float) -> bool:
        return now < self.access_expires_at - RENEW_MARGIN_S

    def refreshable(self, now: float) -> bool:
        return now < self.refresh_expires_at - 60


class TokenVault(Protocol):
    """Where the token survives a restart of every process, and of Redis."""

    async def load(self) -> StoredToken | None: ...

    async def save(self, token: StoredToken | None) -> None: ...


class LoginOnHold(PbxError):
    """A recent login failed; nobody tries again until the hold ends."""


class TokenManager:
    """Hands out the shared access token, renewing it (refresh first, else login) under a lock."""

    def __init__(
        self,
        rest: PbxRest,
        redis: aioredis.Redis,
        vault: TokenVault,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rest = rest
        self.redis = redis
        self.vault = vault
        self.clock = clock

    async def token(self) -> str:
        """A usable access token, renewed first if it is close to expiry."""
        current = await self._load()
        if current is not None and current.usable(self.clock()):
            return current.access_token
        return await self._renew(stale=current.access_token if current else None)

    async def renew(self, rejected: str) -> str:
        """The PBX answered 10004 to `rejected`: renew once, unless another process already did."""
        return await self._renew(stale=rejected, rejected=True)

    async def current(self) -> StoredToken | None:
        return await self._load()

    async def revoke(self) -> None:
        """Give the token back to the PBX (clean shutdown) and forget it everywhere."""
        current = await self._load()
        await self._store(None)
        if current is not None:
            await self._del_token(current.access_token)

    async def _renew(self, stale: str | None, rejected: bool = False) -> str:
        async with self.redis.lock(LOCK_KEY, timeout=30, blocking_timeout=40):
            current = await self._load()
            now = self.clock()
            if current is not None and current.access_token != stale and current.usable(now):
                return current.access_token  # another process renewed it while we waited
            fresh = await self._refresh(current, now) if current else None
            if fresh is None:
                fresh = await self._login()
                if current is not None and not rejected:
                    await self._del_token(current.access_token)
            await self._store(fresh)
            return fresh.access_token

    async def _refresh(self, current: StoredToken, now: float) -> StoredToken | None:
        """The PBX's refresh swaps the pair and retires the old access token (no new slot)."""
        if not current.refreshable(now):
            return None
        try:
            return StoredToken.issued(await self.rest.refresh_token(current.refresh_token), now)
        except TokenExpired:
            return None

    async def _login(self) -> StoredToken:
        hold = await self.redis.get(LOGIN_HOLD_KEY)
        if hold:
            errcode, errmsg = json.loads(hold)
            raise LoginOnHold(errcode, errmsg, "get_token", {})
        try:
            token = await self.rest.get_token()
        except PbxError as error:
            await self._hold_logins(error)
            raise
        log.info("Logged in to the PBX (new access token)")
        return StoredToken.issued(token, self.clock())

    async def _hold_logins(self, error: PbxError) -> None:
        seconds = LOGIN_HOLD_S.get(error.errcode)
        if seconds:
            log.error("PBX login failed: %s Next attempt in %d s.", error, seconds)
            hold = json.dumps([error.errcode, error.errmsg])
            await self.redis.set(LOGIN_HOLD_KEY, hold, ex=seconds)

    async def _del_token(self, access_token: str) -> None:
        try:
            await self.rest.del_token(access_token)
        except (PbxError, PbxUnreachable) as error:
            log.info("Could not revoke an old PBX token (%s); it expires by itself.", error)

    async def _load(self) -> StoredToken | None:
        cached = await self.redis.get(TOKEN_KEY)
        if cached:
            return StoredToken(**json.loads(cached))
        durable = await self.vault.load()
        if durable is not None:  # Redis was restarted: warm it from the durable copy
            await self.redis.set(TOKEN_KEY, json.dumps(asdict(durable)))
        return durable

    async def _store(self, token: StoredToken | None) -> None:
        await self.vault.save(token)
        if token is None:
            await self.redis.delete(TOKEN_KEY)
        else:
            await self.redis.set(TOKEN_KEY, json.dumps(asdict(token)))
