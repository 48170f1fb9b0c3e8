"""The client's address behind trusted reverse proxies: the X-Forwarded-For hop a trusted proxy
added, never one the client wrote itself (docs/operations.md, *Behind a reverse proxy*)."""

import logging
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from wallboard.env import env_list

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address
logger = logging.getLogger(__name__)


def env_networks(name: str) -> tuple[Network, ...]:
    """Read a comma-separated list of IP addresses and CIDR networks (empty by default)."""
    networks = []
    for item in env_list(name, ""):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (`192.0.2.1`, `2001:db8::1`, maybe with a port or
    IPv6 brackets), IPv4-mapped IPv6 taken as IPv4; None when it is not one."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address, trusted: Iterable[Network]) -> bool:
    return any(address in network for network in trusted)


def forwarded_client(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address, given the socket's peer and the X-Forwarded-For headers in order.

    Only a trusted peer's header counts. Walking it from the right, each trusted proxy vouches
    for the hop before it; the first hop that is not a trusted proxy is the client. Whatever lies
    left of it was written by the client and is ignored. A malformed hop ends the walk at the
    last trusted one (a proxy's own address: safe, if shared)."""
    current = parse_address(peer)
    if current is None or not is_trusted(current, trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        found = parse_address(hop)
        if found is None:
            break
        current = found
        if not is_trusted(current, trusted):
            break
    return str(current)


def header_values(scope: dict[str, Any], name: bytes) -> list[str]:
    """The request's headers of that (lower-case) name, in order: X-Forwarded-For, say, whose
    list may be split over several."""
    return [
        value.decode("latin-1") for key, value in scope.get("headers", ()) if key.lower() == name
    ]


class ClientAddressMiddleware:
    """ASGI middleware: scope["client"] becomes the client behind trusted proxies, for the limits
    kept per address (Django's REMOTE_ADDR is read from it)."""

    def __init__(self, inner: Any, trusted: Sequence[Network]) -> None:
        self.inner, self.trusted = inner, tuple(trusted)
        self.warned = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        client, forwarded = scope.get("client"), header_values(scope, b"x-forwarded-for")
        if client and forwarded:
            peer = str(client[0])
            address = forwarded_client(peer, forwarded, self.trusted)
            if address != peer:
                scope = {**scope, "client": (address, 0)}  # the proxy's port means nothing
            elif not self.warned:
                self.warn_if_untrusted(peer)
        return await self.inner(scope, receive, send)

    def warn_if_untrusted(self, peer: str) -> None:
        """A proxy left out of TRUSTED_PROXIES makes every client share its address: say so once
        per process (a client forging the header straight at Daphne is harmless, and quiet)."""
        parsed = parse_address(peer)
        if parsed is not None and is_trusted(parsed, self.trusted):
            return
        self.warned = True
        logger.warning(
            "X-Forwarded-For from %s ignored (not in TRUSTED_PROXIES): every client behind it "
            "shares that address for the per-address limits (docs/operations.md)",
            peer,
        )
