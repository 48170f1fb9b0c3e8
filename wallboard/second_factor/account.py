"""A user's own second-factor page: add an authenticator app (confirmed by its first code) or
remove it (with a code). The secret is shown here once, and nowhere else."""

from base64 import b32encode, b64encode
from typing import Any

import django_otp  # type: ignore[import-untyped]  # no stubs
import qrcode  # type: ignore[import-untyped]  # no stubs
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]
from django_otp.util import random_hex  # type: ignore[import-untyped]
from qrcode.image.svg import SvgPathFillImage  # type: ignore[import-untyped]

from dashboard.roles import AnyUser
from wallboard.second_factor.devices import (
    check_code,
    confirmed_device,
    enrol,
    local_session,
    must_enrol,
)
from wallboard.second_factor.forms import CODE_FIELD, CodeForm
from wallboard.second_factor.two_step import WRONG_CODE

# The secret being enrolled, until its first code confirms it: kept in the session, not saved.
NEW_KEY = "second_factor_new_key"
KEY_BYTES = 20  # RFC 4226's recommended 160 bits


def enrolment(user: AnyUser, key: str) -> dict[str, str]:
    """What an app needs: the otpauth:// URI, as a QR code and as a link, and the secret to
    type in by hand, in groups of four."""
    uri = TOTPDevice(user=user, key=key).config_url
    svg = qrcode.make(uri, image_factory=SvgPathFillImage).to_string()
    secret = b32encode(bytes.fromhex(key)).decode()
    return {
        "uri": uri,
        "qr": f"data:image/svg+xml;base64,{b64encode(svg).decode()}",
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


def page(request: HttpRequest, form: CodeForm, device: Any = None, key: str = "") -> HttpResponse:
    """The page: the device and its removal form, or the enrolment of `key`."""
    context = {"form": form, "device": device, "required": must_enrol(request.user)}
    if key:
        context.update(enrolment(request.user, key))
    return render(request, "account/second_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Shows the device, or enrols one: saved and this session verified once a code matches."""
    if not local_session(request.session):  # the company's sign-in checks its own second factor
        return render(request, "account/second_factor.html", {"company_account": True})
    device = confirmed_device(request.user)
    if device is not None:
        return page(request, CodeForm(), device=device)
    key = request.session.setdefault(NEW_KEY, random_hex(KEY_BYTES))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = enrol(request.user, key, form.code)
        if device is not None:
            del request.session[NEW_KEY]
            django_otp.login(request, device)
            return redirect("second_factor")
        form.add_error(CODE_FIELD, WRONG_CODE)
    return page(request, form, key=key)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Removes the device when a code of it matches (a wrong code counts as a failed sign-in)."""
    device = confirmed_device(request.user)
    if device is None or not local_session(request.session):
        return redirect("second_factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        if check_code(request, request.user, device, form.code):
            device.delete()
            return redirect("second_factor")
        form.add_error(CODE_FIELD, WRONG_CODE)
    return page(request, form, device=device)
