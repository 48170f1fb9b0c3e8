"""Content-Security-Policy on every response, built from settings.CSP_DIRECTIVES.

Our own few lines rather than django-csp: the policy is one fixed set of directives (no page has
an inline script, style or event handler, so there are no nonces or per-view policies to manage),
and it is one dependency fewer to pin and follow. Django 6.0 ships its own CSP middleware
(SECURE_CSP) to move to when we upgrade.

connect-src also names this host's ws:// and wss:// origins: CSP Level 3 browsers count them as
'self', but older ones, such as the browsers built into some wall TVs, need them spelled out for
the board's WebSocket.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


def build_policy(directives: dict[str, list[str]], websocket_origins: list[str]) -> str:
    """The header's value: each directive with its sources, the WebSocket origins added to
    connect-src."""
    parts = []
    for name, sources in directives.items():
        if name == "connect-src":
            sources = [*sources, *websocket_origins]
        parts.append(" ".join([name, *sources]))
    return "; ".join(parts)


def websocket_origins(request: HttpRequest) -> list[str]:
    try:
        host = request.get_host()  # validated against ALLOWED_HOSTS
    except DisallowedHost:
        return []
    if request.is_secure():
        return [f"wss://{host}"]
    # A page Django thinks plain may still be HTTPS in the browser (a TLS proxy without
    # BEHIND_TLS_PROXY); main.js then opens wss://, so allow both.
    return [f"ws://{host}", f"wss://{host}"]


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if HEADER in response:  # a view that set its own policy keeps it
            return response
        # DEBUG's error pages (Django's technical 404 and 500) are inline styles and scripts;
        # DEBUG is never on in production.
        if settings.DEBUG and response.status_code >= 400:
            return response
        response[HEADER] = build_policy(settings.CSP_DIRECTIVES, websocket_origins(request))
        return response
