"""The checks of the link to the PBX: settings, reachability and TLS, credentials, events."""

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from urllib.parse import urlsplit

import httpx
from websockets.exceptions import WebSocketException

from dashboard.live.events import HeartbeatReply, Malformed, PbxEvent
from dashboard.pbx.checks_base import Context, Outcome, Watch, fail, ok, warn
from dashboard.pbx.errors import TokenExpired, causes
from dashboard.pbx.rest import (
    API_PATH,
    REQUEST_TIMEOUT_S,
    USER_AGENT,
    PbxSettings,
    events_url,
    tls_context,
)
from dashboard.pbx.subscription import LinkLost, open_events

# Every event the wallboard uses, so that any activity on the PBX counts as delivery.
CHECK_TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029, 30035]
# Far shorter than the worker's heartbeat, so that an answer is heard within seconds.
CHECK_HEARTBEAT_S = 2.0
HTTPS_FIX = "Use the PBX's HTTPS port, 8088 by default: PBX_URL=https://<pbx>:8088."
CERT_FIX = (
    "Set PBX_CA_BUNDLE to the CA file that signed the PBX's certificate (or install a "
    "certificate from a public CA on the PBX); or set PBX_VERIFY_TLS=false to accept the PBX's "
    "self-signed certificate."
)
EVENTS_FIX = (
    "If the PBX had no calls meanwhile this is expected: call a queue and run the check again. "
    "Otherwise turn on the Registration, Call and Presence Status Monitors of the agents' "
    "extensions (and the trunks' Call Status Monitor) in Integrations > API on the PBX."
)


async def check_settings(ctx: Context) -> Outcome:
    pbx = ctx.settings
    named = {"PBX_URL": pbx.url, "PBX_CLIENT_ID": pbx.client_id,
             "PBX_CLIENT_SECRET": pbx.client_secret}  # fmt: skip
    missing = [name for name, value in named.items() if not value]
    if missing:
        return fail(
            f"{', '.join(missing)} not set.",
            "Set them in the environment (.env): the PBX's address, such as "
            "https://192.168.5.150:8088, and the Client ID and Client Secret shown in "
            "Integrations > API on the PBX.",
        )
    try:
        tls_context(pbx)
    except (OSError, ssl.SSLError):
        return fail(f"PBX_CA_BUNDLE {pbx.ca_bundle} is not a readable CA file.", CERT_FIX)
    return ok("PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET are set.")


async def check_reachability(ctx: Context) -> Outcome:
    pbx, tls = ctx.settings, ctx.settings.tls_verify
    try:
        async with httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT}, verify=tls, timeout=REQUEST_TIMEOUT_S
        ) as http:
            # GET on the POST-only login: the PBX answers 10001, and it is no login attempt.
            response = await http.get(pbx.url.rstrip("/") + API_PATH + "get_token")
            errcode = response.json().get("errcode")
    except httpx.HTTPError as error:
        return _unreachable(pbx.url, error)
    except (ValueError, AttributeError):
        errcode = None
    if not isinstance(errcode, int):
        return fail(
            f"Something answers at {pbx.url} (HTTP {response.status_code}), but not the PBX API.",
            "Point PBX_URL at the PBX's own web address and port, such as "
            "https://192.168.5.150:8088, with no proxy in between that rewrites /openapi/.",
        )
    return _transport_note(pbx, tls)


# What a network failure means, by the first exception type found in its chain ({where} is
# host:port, {detail} what TLS said). Certificate failures first: they are TLS errors too.
NETWORK_FAILURES: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str, str]] = [
    (ssl.SSLCertVerificationError, "The PBX's TLS certificate is not trusted ({detail}).",
     CERT_FIX),
    (ssl.SSLError, "PBX_URL says https://, but the TLS handshake with {where} failed "
     "({detail}): that port speaks plain HTTP.", HTTPS_FIX),
    (socket.gaierror, "The host name in PBX_URL does not resolve ({where}).",
     "Check the name in PBX_URL or use the PBX's IP address; check this server's DNS."),
    (ConnectionRefusedError, "Nothing accepts connections at {where}.",
     "Check the port in PBX_URL: the PBX's web port, 8088 for HTTPS by default (443 on Cloud "
     "Edition). Check that the PBX is on and that no firewall rejects this server."),
    (httpx.TimeoutException, "No answer from {where} within {timeout:.0f} s.",
     "Check the address in PBX_URL, that the PBX is on, and that firewalls let this server "
     "reach that port."),
    ((httpx.RemoteProtocolError, httpx.ReadError), "{where} hung up without an answer, as an "
     "HTTPS port does to plain HTTP.", HTTPS_FIX),
]  # fmt: skip


def _unreachable(url: str, error: httpx.HTTPError) -> Outcome:
    where = urlsplit(url).netloc
    for kind, finding, fix in NETWORK_FAILURES:
        cause = next((e for e in causes(error) if isinstance(e, kind)), None)
        if cause is not None:
            detail = getattr(cause, "verify_message", None) or getattr(cause, "reason", "")
            return fail(finding.format(where=where, detail=detail, timeout=REQUEST_TIMEOUT_S), fix)
    return fail(f"Could not talk to {where} ({type(error).__name__}).", "Check PBX_URL.")


def _transport_note(pbx: PbxSettings, tls: ssl.SSLContext) -> Outcome:
    parts = urlsplit(pbx.url)
    if parts.scheme == "http" and not _loopback(parts.hostname or ""):
        return warn(
            "The PBX API answers over plain HTTP: the Client Secret and tokens cross the "
            "network unencrypted.",
            HTTPS_FIX,
        )
    if parts.scheme == "https" and tls.verify_mode == ssl.CERT_NONE:
        return warn("The PBX API answers, but its certificate is not checked.", CERT_FIX)
    return ok(f"The PBX API answers at {pbx.url}.")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


async def check_credentials(ctx: Context) -> Outcome:
    tokens = ctx.api.tokens
    before = await tokens.current()
    # A stored token may predate a PBX restart or an IP block: a request proves it (and a 10004
    # answer renews it, as in the worker).
    await ctx.api.get("queue/list", page=1, page_size=1)
    after = await tokens.current()
    if before is not None and after is not None and before.access_token == after.access_token:
        return ok(
            "The installation's shared PBX token works. It came from an earlier login, so "
            "PBX_CLIENT_SECRET was not checked again."
        )
    return ok("The PBX accepted the Client ID and Client Secret; the shared token is stored.")


async def check_subscription(ctx: Context) -> Outcome:
    try:
        ctx.watch = await _watch_events(ctx)
    except (LinkLost, OSError, WebSocketException, TimeoutError) as error:
        # Only our own messages are quoted: others might include the URL, token and all.
        detail = str(error) if isinstance(error, LinkLost) else type(error).__name__
        return fail(
            f"The event socket failed: {detail}.",
            "Check that nothing between here and the PBX (a proxy, a firewall) blocks "
            "WebSocket upgrades on the PBX's web port.",
        )
    if not ctx.watch.heartbeat:
        return fail(
            "Subscribed, but the PBX did not answer a heartbeat: it would drop the socket.",
            "Check that no proxy between here and the PBX holds back WebSocket frames.",
        )
    return ok("Subscribed to the PBX's events; it answered a heartbeat.")


async def _watch_events(ctx: Context) -> Watch:
    tokens = ctx.api.tokens
    token = await tokens.token()
    try:
        return await _watch(ctx, token)
    except TokenExpired:  # the PBX forgot the token (say it restarted): renew once
        return await _watch(ctx, await tokens.renew(token))


async def _watch(ctx: Context, token: str) -> Watch:
    pbx, watch, started = ctx.settings, Watch(), time.monotonic()
    # Long enough for a heartbeat answer even when no event wait is wanted.
    wait_s = max(ctx.event_wait_s, 2 * CHECK_HEARTBEAT_S + 1)
    url, tls = events_url(pbx.url), pbx.tls_verify
    async with open_events(url, token, CHECK_TOPICS, CHECK_HEARTBEAT_S, tls) as frames:
        with contextlib.suppress(TimeoutError, LinkLost):
            async with asyncio.timeout(wait_s):
                async for frame in frames:
                    _note(watch, frame, time.monotonic() - started)
                    if watch.heartbeat and watch.event is not None:
                        break
    watch.waited_s = time.monotonic() - started
    return watch


def _note(watch: Watch, frame: PbxEvent | HeartbeatReply | Malformed, after_s: float) -> None:
    if isinstance(frame, HeartbeatReply):
        watch.heartbeat = True
    elif isinstance(frame, PbxEvent) and watch.event is None:
        watch.event, watch.event_after_s = frame.type, after_s


async def check_delivery(ctx: Context) -> Outcome:
    watch = ctx.watch or Watch()
    if watch.event is None:
        return warn(f"No event arrived within {watch.waited_s:.0f} s.", EVENTS_FIX)
    return ok(f"Event {watch.event} arrived {watch.event_after_s:.1f} s after subscribing.")
