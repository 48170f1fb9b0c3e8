"""Password guessing stopped (django-axes): the client address it counts, and the backend that
refuses a locked account or address before any password is checked (docs/operations.md)."""

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]  # no stubs
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_STATUS = 429  # Too Many Requests


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, which wallboard/client_address.py has already made the client behind the
    proxies in TRUSTED_PROXIES. Never X-Forwarded-For read here: the client writes that too."""
    return request.META.get("REMOTE_ADDR")


class SignInThrottle(AxesStandaloneBackend):  # type: ignore[misc]  # untyped base
    """Axes' lock, first in AUTHENTICATION_BACKENDS: the backends after it (passwords kept here,
    the company's directory) are not asked while the account or the address is locked."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        """Raises PermissionDenied while locked; never signs anyone in itself."""
        # A sign-in from the web always has its request. Without one it is the code's own
        # (a management command, the test client's login()): no address to count, nothing to stop.
        if request is not None:
            super().authenticate(request, *args, **kwargs)


def lockout_page(request: HttpRequest, *_: object) -> HttpResponse:
    """What a locked sign-in gets instead of the form: why, for how long, and who can unlock."""
    context = {"minutes": settings.LOGIN_COOLOFF_MINUTES}
    return render(request, "registration/locked_out.html", context, status=LOCKED_STATUS)
