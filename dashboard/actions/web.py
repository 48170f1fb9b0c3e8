"""What the action endpoints share: JSON errors, sign-in, CSRF, the rate limit, Redis and PBX."""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from dashboard.access import DISPLAY_COOKIE
from dashboard.actions.messages import said
from dashboard.actions.requests import Refusal
from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.pbx.rest import PbxRest
from dashboard.pbx.tokens import TokenManager
from dashboard.pbx_config import configured_pbx
from dashboard.token_vault import DatabaseTokenVault
from wallboard.redis_client import own_async_client

RATE_KEY = "wb:actions:rate:{user}"
RATE_WINDOW_S = 60

ApiView = Callable[..., Awaitable[JsonResponse]]
# What Django's URL patterns are typed to take; async views are awaited by Django all the same.
UrlView = Callable[..., HttpResponseBase]


def json_error(http_status: int, message: str, /, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=http_status)


def api_view(*methods: str) -> Callable[[ApiView], UrlView]:
    """JSON in and out: a JSON 405/401/403 where Django would redirect or answer HTML, and the
    view gets the signed-in user. CSRF is checked by the views that change things (csrf_check),
    so that its refusal is JSON and audit-logged too."""

    def wrap(view: ApiView) -> UrlView:
        @csrf_exempt
        @functools.wraps(view)
        async def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                return json_error(405, f"Use {' or '.join(methods)}.")
            user = await request.auser()
            if not user.is_authenticated:
                if DISPLAY_COOKIE in request.COOKIES:
                    return json_error(403, said("display"))
                return json_error(401, said("sign_in"))
            try:
                return await view(request, user, *args, **kwargs)
            except (PbxError, PbxUnreachable) as error:  # a safety net: JSON, never HTML
                return json_error(502, getattr(error, "explanation", str(error)))

        return cast(UrlView, wrapped)

    return wrap


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason  # the reason instead of Django's HTML 403 page


def csrf_check(request: HttpRequest) -> None:
    """Django's own CSRF check (token in the X-CSRFToken header, Origin), as a Refusal."""
    check = _CsrfCheck(lambda _: JsonResponse({}))
    check.process_request(request)
    reason = check.process_view(request, lambda _: JsonResponse({}), (), {})
    if reason:
        raise Refusal(403, said("csrf", reason=reason))


class RateLimited(Refusal):
    """A 429. Only the first of a minute's burst is audit-logged, so a flood writes one row."""

    def __init__(self, first: bool) -> None:
        super().__init__(429, said("too_many"))
        self.first = first


async def rate_check(redis: aioredis.Redis, user_pk: int) -> None:
    """At most ACTIONS_PER_MINUTE requests per user per minute (a fixed window in Redis)."""
    key = RATE_KEY.format(user=user_pk)
    count = int(await redis.incr(key))
    if count == 1:
        await redis.expire(key, RATE_WINDOW_S)
    if count > settings.ACTIONS_PER_MINUTE:
        raise RateLimited(first=count == settings.ACTIONS_PER_MINUTE + 1)


@dataclass(frozen=True)
class Edge:
    """Redis and the PBX (with the installation's one shared token) for one request."""

    redis: aioredis.Redis
    api: PbxApi


@asynccontextmanager
async def edge() -> AsyncIterator[Edge]:
    """Clients of this request's own, closed with it: Django may run each request in an event
    loop of its own (sync test clients, WSGI), where pooled asyncio clients would leak."""
    pbx = configured_pbx()
    if not pbx.url:
        raise PbxUnreachable("PBX_URL is not set")
    rest = PbxRest(pbx)
    try:
        async with own_async_client(decode_responses=True) as redis:
            yield Edge(redis, PbxApi(rest, TokenManager(rest, redis, DatabaseTokenVault())))
    finally:
        await rest.aclose()
