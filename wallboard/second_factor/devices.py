"""Who is asked for a code, and how a code is checked: a local account's confirmed TOTP device;
wrong codes count with the wrong passwords in django-axes (docs/operations.md, *Second factor*)."""

from typing import Any

import django_otp  # type: ignore[import-untyped]  # no stubs
from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]  # no stubs
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from dashboard.roles import AnyUser
from dashboard.sso.config import LOCAL_BACKEND

DEVICE_NAME = "Authenticator app"


def local_session(session: SessionBase) -> bool:
    """The session was signed in with a password kept here. Single sign-on and directory
    accounts (any other backend) are not asked for a code: their own provider decides how they
    prove who they are."""
    return session.get(BACKEND_SESSION_KEY) == LOCAL_BACKEND


def lacks_second_factor(session: SessionBase, user: AnyUser) -> bool:
    """A session signed in here with the password alone, no code typed, whose user has an app or
    must have one: what the pages refuse (middleware.py), and board sockets too.

    The user is read before the session's device id: a page's user is django-otp's, whose first
    read drops the id of a device that is gone (OTPMiddleware), so that the id left says what its
    user.otp_device says."""
    if not user.is_authenticated or not local_session(session):
        return False
    if session.get(django_otp.DEVICE_ID_SESSION_KEY):  # a code was typed
        return False
    return must_enrol(user) or confirmed_device(user) is not None


def confirmed_device(user: AnyUser) -> Any:
    """The user's TOTP device (at most one), or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def must_enrol(user: AnyUser) -> bool:
    """Staff must have a device when REQUIRE_2FA_FOR_STAFF is on."""
    staff = getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    return bool(settings.REQUIRE_2FA_FOR_STAFF and staff)


def check_code(request: HttpRequest, user: AnyUser, device: Any, code: str) -> bool:
    """True when `code` is the device's code of now and has not been used before. A wrong code,
    and any code while the account or the address is locked, is a failed sign-in to django-axes:
    LOGIN_FAILURE_LIMIT of them lock as wrong passwords do (AxesMiddleware then answers with
    the lockout page)."""
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_locked(request, credentials) and django_otp.verify_token(
        user, device.persistent_id, code
    ):
        return True
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return False


def enrol(user: AnyUser, key: str, code: str) -> Any:
    """The new device, saved only if `code` is its code of now (which then cannot sign in)."""
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=user, key=key, name=DEVICE_NAME, confirmed=True)
        if device.verify_token(code):
            return device
        transaction.set_rollback(True)
    return None
