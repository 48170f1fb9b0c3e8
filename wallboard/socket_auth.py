"""Who is on a WebSocket: the Django session and user, read at connect and re-read on demand."""

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase

from dashboard.roles import AnyUser
from wallboard.second_factor.devices import lacks_second_factor


def session_for(scope: dict[str, Any]) -> SessionBase:
    """The session the socket's cookie names, from the store as it is now (not yet read)."""
    key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
    return import_module(settings.SESSION_ENGINE).SessionStore(key)  # type: ignore[no-any-return]


async def current_user(scope: dict[str, Any]) -> AnyUser:
    """The socket's user as the session store and the database have them now: anonymous once
    the session ended (signed out, expired), or the user was deleted, deactivated (Django's
    ModelBackend refuses inactive users) or given a new password, or lacks a second factor."""
    session = session_for(scope)
    user: AnyUser = await get_user({"session": session})
    return await with_second_factor(session, user)


def second_factor_checked(session: SessionBase, user: AnyUser) -> AnyUser:
    """The user, or anonymous for a session that pages would send to the code step or to
    enrolment (wallboard/second_factor/): a socket is no way round them."""
    return AnonymousUser() if lacks_second_factor(session, user) else user


# channels' database thread (with its connection upkeep), typed as what it wraps
with_second_factor: Callable[[SessionBase, AnyUser], Awaitable[AnyUser]] = database_sync_to_async(
    second_factor_checked
)


class SecondFactorGate:
    """After channels' AuthMiddleware: scope["user"] anonymous where a second factor is lacking."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = await with_second_factor(scope["session"], scope["user"])
        return await self.inner({**scope, "user": user}, receive, send)


class ReadOnlySessionMiddleware:
    """The session, for reading. Board sockets never change it, and channels' SessionMiddleware
    wraps every frame sent in a check whether to save it: a cost per delta per screen."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await self.inner({**scope, "session": session_for(scope)}, receive, send)


def socket_auth(inner: Any) -> CookieMiddleware:
    """Cookies, the session and scope["user"], as channels' AuthMiddlewareStack gives them."""
    return CookieMiddleware(ReadOnlySessionMiddleware(AuthMiddleware(SecondFactorGate(inner))))
