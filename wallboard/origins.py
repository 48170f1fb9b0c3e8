"""Board sockets accept only the origins the site is served from: scheme, host and port, as the
handshake's Host header and scheme give them, or one of CSRF_TRUSTED_ORIGINS (docs/protocol.md)."""

import logging
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from wallboard.client_address import header_values

Origin = tuple[str, str, int]  # scheme, host name (lower case, IPv6 unbracketed), port
DEFAULT_PORTS = {"http": 80, "https": 443}
logger = logging.getLogger(__name__)


def parse_origin(text: str) -> Origin | None:
    """`scheme://host[:port]` as browsers send it in Origin, the default port made explicit;
    None for anything else ("null", a path, an unknown scheme, a bad port)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def header(scope: dict[str, Any], name: bytes) -> str | None:
    """The handshake's first header of that (lower-case) name."""
    return next(iter(header_values(scope, name)), None)


def is_secure(scope: dict[str, Any]) -> bool:
    """As Django's request.is_secure(): the TLS proxy's header (SECURE_PROXY_SSL_HEADER, set by
    BEHIND_TLS_PROXY) when it sent one, else whether Daphne itself was reached over TLS."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header is not None:
        name, secure_value = proxy_header
        value = header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        if value is not None:
            return value.split(",", 1)[0].strip() == str(secure_value)
    return scope.get("scheme") in ("wss", "https")


def site_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin this handshake reached: the Host header, if it names a host this site answers
    to (ALLOWED_HOSTS, as Django checks it for pages), with the scheme of is_secure()."""
    host = header(scope, b"host")
    if host is None:
        return None
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:  # Django's own default then
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return None
    return parse_origin(f"{'https' if is_secure(scope) else 'http'}://{host}")


def trusted(origin: Origin, pattern: str) -> bool:
    """One entry of CSRF_TRUSTED_ORIGINS matches: exactly, or as `https://*.example.com` covers
    example.com's subdomains (as Django reads the setting), port included."""
    wildcard = "://*." in pattern
    parsed = parse_origin(pattern.replace("://*.", "://", 1))
    if parsed is None or parsed[0] != origin[0] or parsed[2] != origin[2]:
        return False
    return origin[1] == parsed[1] or (wildcard and is_same_domain(origin[1], f".{parsed[1]}"))


def origin_allowed(scope: dict[str, Any]) -> bool:
    """The Origin header names this site as the handshake reached it, or a trusted origin. A
    handshake without one is refused: browsers always send it; scripts must too."""
    sent = header(scope, b"origin")
    origin = parse_origin(sent) if sent is not None else None
    if origin is None:
        return False
    return origin == site_origin(scope) or any(
        trusted(origin, pattern) for pattern in settings.CSRF_TRUSTED_ORIGINS
    )


class ExactOriginValidator:
    """ASGI middleware for sockets: a handshake from an origin this site is not served from is
    refused (HTTP 403) before any cookie is read, so another site's page, even one on this
    host at another port, cannot ride on a signed-in supervisor's session."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.denier = WebsocketDenier.as_asgi()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if origin_allowed(scope):
            return await self.inner(scope, receive, send)
        logger.info(
            "Board socket refused: origin %r is not this site's (Host %r)",
            header(scope, b"origin"),
            header(scope, b"host"),
        )
        return await self.denier(scope, receive, send)
