"""Sign-in with the company's OpenID Connect provider (docs/operations.md, *Company accounts*):
the code flow with PKCE, state and nonce, the ID token checked against the provider's keys, and
sign-out at the provider too when it offers one."""

import functools
import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]  # no stubs
from authlib.integrations.django_client import (  # type: ignore[import-untyped]
    DjangoOAuth2App,
    OAuth,
)
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.auth.views import LogoutView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_stubs_ext import StrPromise
from joserfc.errors import JoseError
from requests import RequestException

from dashboard.sso.accounts import Refused, apply_roles, take_account

logger = logging.getLogger(__name__)

BACKEND = "dashboard.sso.oidc.CompanySignOn"
NEXT_KEY = "wb_oidc_next"
# Kept only as the hint the provider's sign-out asks for; it lets no one into anything.
ID_TOKEN_KEY = "wb_oidc_id_token"
# A provider that does not answer must not hold a web thread for long.
TIMEOUT_S = 10
# Whatever a provider that is down, misconfigured or tampered with makes the flow raise.
PROVIDER_FAILURES = (AuthlibBaseError, JoseError, RequestException, RuntimeError, ValueError)
FAILED = _("The sign-in with your company account did not complete. Try again.")
NO_USERNAME = _("Your company account did not give a user name. Ask an administrator.")


class CompanySignOn(ModelBackend):
    """Sessions the provider signed in: it loads their user, and checks no password itself
    (the callback below signs the user in once the provider's ID token has been checked)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        return None


@functools.cache
def provider(issuer: str, client_id: str, secret: str, scopes: str) -> DjangoOAuth2App:
    """One client per configuration, which keeps the discovery document and keys it read."""
    return OAuth().register(
        "company",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_S,
        },
    )


def company_provider() -> DjangoOAuth2App:
    if not settings.OIDC_ISSUER:
        raise Http404("No company sign-in here.")
    return provider(
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
    )


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Off to the provider; it sends the browser back to `callback` with a code."""
    client = company_provider()
    next_url = request.GET.get("next", "")
    request.session[NEXT_KEY] = next_url if safe(request, next_url) else ""
    try:
        return client.authorize_redirect(  # type: ignore[no-any-return]
            request, request.build_absolute_uri(reverse("oidc_callback"))
        )
    except PROVIDER_FAILURES as error:
        logger.warning("The OpenID provider could not be reached: %s", describe(error))
        return back_to_sign_in(request, FAILED)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    client = company_provider()
    try:
        token = client.authorize_access_token(request, claims_options=claims_options())
        user = account_for(claims_of(client, token))
    except PROVIDER_FAILURES as error:
        logger.warning("A company sign-in failed: %s", describe(error))
        return back_to_sign_in(request, FAILED)
    except Refused as refusal:
        return back_to_sign_in(request, refusal.message)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=BACKEND)
    request.session[ID_TOKEN_KEY] = token["id_token"]
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def back_to_sign_in(request: HttpRequest, reason: StrPromise) -> HttpResponse:
    """The sign-in page, saying why."""
    messages.error(request, reason)
    return redirect(settings.LOGIN_URL)


def claims_options() -> dict[str, Any]:
    """The ID token must come from the issuer configured, not whatever discovery said."""
    return {"iss": {"essential": True, "value": settings.OIDC_ISSUER}}


def claims_of(client: DjangoOAuth2App, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims (checked by the library: signature, issuer, audience, expiry,
    nonce). Groups missing there are asked of the userinfo endpoint, for the same subject."""
    if "userinfo" not in token:
        raise Refused(FAILED)  # no ID token: nothing says who this is
    claims = dict(token["userinfo"])
    endpoint = client.load_server_metadata().get("userinfo_endpoint")
    if settings.OIDC_GROUPS_CLAIM not in claims and endpoint:
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    return claims


def account_for(claims: dict[str, Any]) -> User:
    username = claims.get(settings.OIDC_USERNAME_CLAIM)
    if not isinstance(username, str) or not 0 < len(username) <= 150:
        raise Refused(NO_USERNAME)
    user, roles = take_account(username, groups_in(claims.get(settings.OIDC_GROUPS_CLAIM)))
    user.first_name = str(claims.get("given_name", user.first_name))[:150]
    user.last_name = str(claims.get("family_name", user.last_name))[:150]
    user.email = str(claims.get("email", user.email))[:254]
    user.save()
    apply_roles(user, roles)
    return user


def groups_in(value: object) -> list[str]:
    """Providers send a list of names, or one name alone."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def describe(error: Exception) -> str:
    """The kind of failure and the library's words for it: no token or code is in these."""
    return f"{type(error).__name__}: {error}"


class SignOut(LogoutView):
    """Django's sign-out; after a company sign-in, the provider's too when it offers one, which
    sends the browser back to the sign-in page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_KEY)
        response = super().post(request, *args, **kwargs)
        return provider_sign_out(request, id_token) or response


def provider_sign_out(request: HttpRequest, id_token: str | None) -> HttpResponse | None:
    if not id_token or not settings.OIDC_ISSUER:
        return None
    client = company_provider()
    try:
        if "end_session_endpoint" not in client.load_server_metadata():
            return None
        back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
        url = client.create_logout_url(
            post_logout_redirect_uri=back,
            id_token_hint=id_token,
            client_id=settings.OIDC_CLIENT_ID,
        )["url"]
    except PROVIDER_FAILURES as error:
        logger.warning("The OpenID provider's sign-out was skipped: %s", describe(error))
        return None
    return HttpResponseRedirect(url)
