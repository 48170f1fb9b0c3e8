"""Who is on a WebSocket: the Django session and user, read at connect, with nothing wrapped."""

from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings


class ReadOnlySessionMiddleware:
    """The session, for reading. Board sockets never change it, and channels' SessionMiddleware
    wraps every frame sent in a check whether to save it: a cost per delta per screen."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        return await self.inner({**scope, "session": self.session_store(key)}, receive, send)


def socket_auth(inner: Any) -> CookieMiddleware:
    """Cookies, the session and scope["user"], as channels' AuthMiddlewareStack gives them."""
    return CookieMiddleware(ReadOnlySessionMiddleware(AuthMiddleware(inner)))
