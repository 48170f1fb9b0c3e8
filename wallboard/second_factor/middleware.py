"""What a password-only session of a local account may reach: nothing but the enrolment page
when its user must have a second factor, and nothing at all once its user has one."""

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from wallboard.second_factor.devices import confirmed_device, lacks_second_factor

# Reachable before enrolling: the enrolment page itself, signing out, and what a page needs.
OPEN_BEFORE_ENROLMENT = {"second_factor", "logout", "javascript-catalog", "healthz"}


def url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def refusal(request: HttpRequest) -> HttpResponse | None:
    """Where a session that lacks the second factor it needs is sent instead; None: it may go."""
    if not lacks_second_factor(request.session, request.user):
        return None
    if confirmed_device(request.user) is not None:
        # Signed in with the password alone before the device was added (in another browser):
        # signed out, so that the next sign-in asks for the code.
        logout(request)
        return redirect_to_login(request.get_full_path())
    # No device yet, and its user must have one: the enrolment page first.
    if url_name(request) not in OPEN_BEFORE_ENROLMENT:
        return redirect("second_factor")
    return None


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return refusal(request) or self.get_response(request)
