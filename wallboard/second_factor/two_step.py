"""Sign-in in two steps: after the password, a local account with a device is asked for a code
from its app, and only then signed in (docs/operations.md, *Second factor*)."""

import time
from dataclasses import dataclass
from typing import Any

import django_otp  # type: ignore[import-untyped]  # no stubs
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dashboard.sso.config import LOCAL_BACKEND
from wallboard.second_factor.devices import check_code, confirmed_device
from wallboard.second_factor.forms import CODE_FIELD, CodeForm

# Between the two steps the browser is not signed in: the session holds only who passed the
# password, and for how long the code step stays open.
PENDING = "second_factor_pending"
CODE_STEP_SECONDS = 300
WRONG_CODE = _("That code is wrong or was used already: type the code your app shows now.")


@dataclass
class Pending:
    """A sign-in that passed the password step and waits for its code."""

    user: User
    device: Any
    next_url: str


class PasswordStep(LoginView):
    """Django's log-in form. A local account with a device is not signed in by its password:
    the browser goes on to the code step."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        local = getattr(user, "backend", None) == LOCAL_BACKEND
        if not local or confirmed_device(user) is None:
            return super().form_valid(form)
        # A new session key, as a sign-in gives: one planted before cannot follow this one.
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "next": self.get_success_url(),
            "until": time.time() + CODE_STEP_SECONDS,
        }
        return redirect("login_code")


def admin_login(request: HttpRequest) -> HttpResponseBase:
    """The admin's own log-in page and form (staff only), set up as AdminSite.login sets them
    up, with the code step after the password."""
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect("admin:index")
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    return PasswordStep.as_view(
        template_name="admin/login.html",
        authentication_form=AdminAuthenticationForm,
        extra_context=context,
        next_page="admin:index",
    )(request)


def pending_sign_in(request: HttpRequest) -> Pending | None:
    """The sign-in waiting for its code: None when there is none, its time is up, or the
    account or its device is gone since (an admin's reset)."""
    waiting = request.session.get(PENDING)
    if not waiting or waiting["until"] < time.time():
        return None
    user = User.objects.filter(pk=waiting["user"], is_active=True).first()
    device = confirmed_device(user) if user is not None else None
    if user is None or device is None:
        return None
    return Pending(user, device, waiting["next"])


@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    """The second step: the code, then the sign-in, with the session marked as verified."""
    pending = pending_sign_in(request)
    if pending is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if check_code(request, pending.user, pending.device, form.code):
            del request.session[PENDING]
            login(request, pending.user, backend=LOCAL_BACKEND)
            django_otp.login(request, pending.device)
            return redirect(pending.next_url)
        form.add_error(CODE_FIELD, WRONG_CODE)
    return render(request, "registration/login_code.html", {"form": form})
