"""Preflight checks of the PBX connection, each finding with its fix (`pbx_check`, admin page)."""

import asyncio
import contextlib
import ipaddress
import json
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from redis.exceptions import RedisError
from websockets.exceptions import WebSocketException

from dashboard.live.events import HeartbeatReply, PbxEvent
from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError, PbxUnreachable, TokenExpired
from dashboard.pbx.rest import (
    API_PATH,
    REQUEST_TIMEOUT_S,
    USER_AGENT,
    PbxRest,
    PbxSettings,
    events_url,
)
from dashboard.pbx.subscription import LinkLost, open_events
from dashboard.pbx.tokens import LOGIN_HOLD_KEY, LoginOnHold, TokenManager

DEFAULT_EVENT_WAIT_S = 20.0
# Every event the wallboard uses, so that any activity on the PBX counts as delivery.
CHECK_TOPICS = [30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029]
# Far shorter than the worker's heartbeat, so that an answer is heard within seconds.
CHECK_HEARTBEAT_S = 2.0
# 10001: no such endpoint on this firmware; 10009: the feature is off or not in the plan.
UNSUPPORTED = {10001, 10009}
REQUIREMENT = (
    "the API needs a P550, P560 or P570 with firmware 37.7.0.16 or newer, Software Edition "
    "(83.x), or Cloud Edition 84.7.0.17 or newer; the P520 has no API"
)
MINIMUM_FIRMWARE = {37: (37, 7, 0, 16), 83: (83,), 84: (84, 7, 0, 17)}
EDITIONS = {37: "Appliance Edition", 83: "Software Edition", 84: "Cloud Edition"}
# system/information's field names are not in the reference: accept the plausible spellings.
MODEL_FIELDS = ("model", "product_model", "device_model", "pbx_model", "product_name")
FIRMWARE_FIELDS = ("firmware_version", "firmware", "version", "fw_version", "software_version")
MONITORS = {"enb_register_status": "Registration", "enb_call_status": "Call",
            "enb_presence_status": "Presence"}  # fmt: skip
HTTPS_FIX = "Use the PBX's HTTPS port, 8088 by default: PBX_URL=https://<pbx>:8088."
CERT_FIX = (
    "Set PBX_CA_BUNDLE to the CA file that signed the PBX's certificate (or install a "
    "certificate from a public CA on the PBX); or set PBX_VERIFY_TLS=false to accept the PBX's "
    "self-signed certificate."
)
FIXES = {
    -1: "Copy the Client ID and Client Secret again from Integrations > API on the PBX into "
    "PBX_CLIENT_ID and PBX_CLIENT_SECRET. Logins pause for 5 minutes after a failure, because "
    "five failures in a row get this server's IP blocked by the PBX.",
    10005: "Give the API application permission for this in Integrations > API on the PBX.",
    60002: "Eight tokens of this Client ID are live: stop other programs that use the same "
    "Client ID, or wait up to 30 minutes for unused tokens to expire.",
    70004: "On the PBX, remove this server's IP under Security > Security Rules > Blocked IPs, "
    "make sure PBX_CLIENT_ID and PBX_CLIENT_SECRET are right, then run the check again.",
    70087: "Add this server's IP address to the permitted IPs in Integrations > API on the PBX.",
    70123: "Turn the API on in Integrations > API on the PBX, and save.",
}
PAUSE_FIX = (
    "Pause reasons come with the Call Center feature (Enterprise or Ultimate plan); on such a "
    "plan, define them in the PBX's queue settings (e.g. *01 Lunch)."
)
EVENTS_FIX = (
    "If the PBX had no calls meanwhile this is expected: call a queue and run the check again. "
    "Otherwise turn on the Registration, Call and Presence Status Monitors of the agents' "
    "extensions (and the trunks' Call Status Monitor) in Integrations > API on the PBX."
)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"  # an earlier check it needs did not pass, or the PBX lacks the feature


@dataclass(frozen=True)
class Outcome:
    status: Status
    finding: str
    fix: str = ""


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    status: Status
    finding: str
    fix: str


def ok(finding: str) -> Outcome:
    return Outcome(Status.OK, finding)


def warn(finding: str, fix: str) -> Outcome:
    return Outcome(Status.WARN, finding, fix)


def fail(finding: str, fix: str) -> Outcome:
    return Outcome(Status.FAIL, finding, fix)


@dataclass
class Watch:
    """What the event socket showed: a heartbeat answer, the first event and when it came."""

    heartbeat: bool = False
    event: int | None = None
    event_after_s: float = 0.0
    waited_s: float = 0.0


@dataclass
class Context:
    """What the checks share; the PBX client is built on first use, once the settings passed."""

    settings: PbxSettings
    tokens_for: Callable[[PbxRest], TokenManager]
    event_wait_s: float
    watch: Watch | None = None
    _api: PbxApi | None = None

    @property
    def api(self) -> PbxApi:
        if self._api is None:
            rest = PbxRest(self.settings)
            self._api = PbxApi(rest, self.tokens_for(rest))
        return self._api

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.rest.aclose()


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
        if pbx.ca_bundle:
            ssl.create_default_context(cafile=pbx.ca_bundle)
    except (OSError, ssl.SSLError):
        return fail(f"PBX_CA_BUNDLE {pbx.ca_bundle} is not a readable CA file.", CERT_FIX)
    return ok("PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET are set.")


async def check_reachability(ctx: Context) -> Outcome:
    pbx = ctx.settings
    options: dict[str, Any] = {"verify": pbx.tls_verify, "timeout": REQUEST_TIMEOUT_S}
    try:
        async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, **options) as http:
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
    return _transport_note(pbx)


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
        cause = next((e for e in _causes(error) if isinstance(e, kind)), None)
        if cause is not None:
            detail = getattr(cause, "verify_message", None) or getattr(cause, "reason", "")
            return fail(finding.format(where=where, detail=detail, timeout=REQUEST_TIMEOUT_S), fix)
    return fail(f"Could not talk to {where} ({type(error).__name__}).", "Check PBX_URL.")


def _causes(error: BaseException) -> Iterator[BaseException]:
    current: BaseException | None = error
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


def _transport_note(pbx: PbxSettings) -> Outcome:
    parts = urlsplit(pbx.url)
    if parts.scheme == "http" and not _loopback(parts.hostname or ""):
        return warn(
            "The PBX API answers over plain HTTP: the Client Secret and tokens cross the "
            "network unencrypted.",
            HTTPS_FIX,
        )
    if parts.scheme == "https" and pbx.tls_verify is False:
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


async def check_firmware(ctx: Context) -> Outcome:
    info = _record(await ctx.api.get("system/information"))
    model, firmware = _pick(info, MODEL_FIELDS) or "PBX", _pick(info, FIRMWARE_FIELDS)
    found = re.search(r"\d+(?:\.\d+)+", firmware)
    version = tuple(int(n) for n in found.group().split(".")) if found else (0,)
    minimum = MINIMUM_FIRMWARE.get(version[0])
    if "P520" in model.upper():
        return fail(f"The PBX is a {model}, which has no API.", f"Per Yeastar, {REQUIREMENT}.")
    if minimum is None:
        fields = ", ".join(sorted(info)) or "none"
        return warn(
            f"Model {model!r}, firmware {firmware!r}: not a version this check knows "
            f"(system/information fields: {fields}).",
            f"Check on the PBX that {REQUIREMENT}.",
        )
    if version < minimum:
        return fail(
            f"{model} firmware {firmware} is too old for the API.", f"Upgrade: {REQUIREMENT}."
        )
    return ok(f"{model}, firmware {firmware} ({EDITIONS[version[0]]}): the API is supported.")


async def check_capacity(ctx: Context) -> Outcome:
    data = _record(await ctx.api.get("system/capacity"))
    names = ("extension_used", "extension_capacity", "cc_used", "cc_capacity")
    figures = [data[name] for name in names if isinstance(data.get(name), int)]
    if len(figures) != len(names):
        return warn(f"system/capacity answered {sorted(data)}.", "Nothing to do for the board.")
    ext_used, ext_cap, cc_used, cc_cap = figures
    finding = f"Extensions {ext_used} of {ext_cap}; concurrent calls {cc_used} of {cc_cap}."
    if ext_used >= ext_cap or cc_used >= cc_cap:
        return warn(f"{finding} The PBX is at a limit.", "Raise the PBX's licence.")
    return ok(finding)


async def check_directory(ctx: Context) -> Outcome:
    body = await ctx.api.get("queue/list", page=1, page_size=100)
    queues = [q for q in body.get("queue_list") or [] if isinstance(q, dict)]
    extensions = (await ctx.api.get("extension/list", page=1, page_size=1)).get("total_number")
    if not queues or not extensions:
        return fail(
            f"The API sees {len(queues)} queues and {extensions or 0} extensions: the board "
            "needs both.",
            "Create the call-centre queues on the PBX (Call Features > Queue); check that the "
            "API application may read queues and extensions (Integrations > API).",
        )
    named = ", ".join(f"{q.get('number')} {q.get('name')}" for q in queues[:6])
    more = " …" if len(queues) > 6 else ""
    return ok(
        f"{body.get('total_number', len(queues))} queues ({named}{more}); {extensions} extensions."
    )


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
    url, verify = events_url(pbx.url), pbx.tls_verify
    async with open_events(url, token, CHECK_TOPICS, CHECK_HEARTBEAT_S, verify) as frames:
        with contextlib.suppress(TimeoutError, LinkLost):
            async with asyncio.timeout(wait_s):
                async for frame in frames:
                    _note(watch, frame, time.monotonic() - started)
                    if watch.heartbeat and watch.event is not None:
                        break
    watch.waited_s = time.monotonic() - started
    return watch


def _note(watch: Watch, frame: PbxEvent | HeartbeatReply, after_s: float) -> None:
    if isinstance(frame, HeartbeatReply):
        watch.heartbeat = True
    elif watch.event is None:
        watch.event, watch.event_after_s = frame.type, after_s


async def check_delivery(ctx: Context) -> Outcome:
    watch = ctx.watch or Watch()
    if watch.event is None:
        return warn(f"No event arrived within {watch.waited_s:.0f} s.", EVENTS_FIX)
    return ok(f"Event {watch.event} arrived {watch.event_after_s:.1f} s after subscribing.")


async def check_monitors(ctx: Context) -> Outcome:
    body = await ctx.api.get("extension_status_monitor/list", empty_ok=True)
    rows = [row for row in body.get("data") or [] if isinstance(row, dict)]
    off = {
        label: [str(row.get("number")) for row in rows if not _switched_on(row.get(field))]
        for field, label in MONITORS.items()
    }
    listed = "; ".join(f"{label} for {_few(numbers)}" for label, numbers in off.items() if numbers)
    if not rows or listed:
        return warn(f"Status monitors off: {listed or 'the PBX lists no extension'}.", EVENTS_FIX)
    return ok(f"Registration, Call and Presence Status Monitors are on for {len(rows)} extensions.")


def _switched_on(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on", "enable", "enabled"}


def _few(numbers: list[str]) -> str:
    return ", ".join(numbers[:6]) + (f" and {len(numbers) - 6} more" if len(numbers) > 6 else "")


NO_PAUSE_REASONS = warn(
    "The PBX offers no pause reasons: supervisors can only pause agents without a reason.",
    PAUSE_FIX,
)


async def check_pause_reasons(ctx: Context) -> Outcome:
    body = await ctx.api.get("queue_pause_reason/list", empty_ok=True)
    reasons = [row for row in body.get("data") or [] if isinstance(row, dict)]
    if not reasons:
        return NO_PAUSE_REASONS
    named = ", ".join(f"{r.get('reason')} ({r.get('code')})" for r in reasons[:6])
    return ok(f"{len(reasons)} pause reasons: {named}.")


def _record(body: dict[str, Any]) -> dict[str, Any]:
    """An endpoint's fields: under `data` when it holds an object, else at the top level."""
    data = body.get("data")
    if isinstance(data, dict):
        return data
    return {k: v for k, v in body.items() if k not in ("errcode", "errmsg")}


def _pick(record: dict[str, Any], names: tuple[str, ...]) -> str:
    return next((str(record[name]) for name in names if record.get(name)), "")


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[Context], Awaitable[Outcome]]
    needs: tuple[str, ...] = ("credentials",)


CHECKS = (
    Check("settings", "Settings", check_settings, ()),
    Check("reachability", "Reachability and TLS", check_reachability, ("settings",)),
    Check("credentials", "Credentials and IP allow-list", check_credentials, ("reachability",)),
    Check("firmware", "Model and firmware", check_firmware),
    Check("capacity", "Capacity", check_capacity),
    Check("directory", "Queues and extensions visible", check_directory),
    Check("subscription", "Event subscription", check_subscription),
    Check("delivery", "Event delivery", check_delivery, ("subscription",)),
    Check("monitors", "Extension status monitors", check_monitors),
    Check("pause_reasons", "Pause reasons", check_pause_reasons),
)
# What a check concludes when the PBX lacks its endpoint or feature.
WHEN_UNSUPPORTED = {
    "firmware": warn("The PBX does not tell its model and firmware (system/information).",
                     f"Check on the PBX that {REQUIREMENT}."),
    "capacity": warn("The PBX does not tell its capacity (system/capacity).",
                     "Nothing to do for the board."),
    "monitors": Outcome(Status.SKIPPED, "Not offered by this firmware."),
    "pause_reasons": NO_PAUSE_REASONS,
}  # fmt: skip


async def run_checks(
    settings: PbxSettings,
    tokens_for: Callable[[PbxRest], TokenManager],
    event_wait_s: float = DEFAULT_EVENT_WAIT_S,
) -> list[CheckResult]:
    """Run every check in order; one whose prerequisite did not pass is skipped."""
    ctx = Context(settings, tokens_for, event_wait_s)
    results: dict[str, CheckResult] = {}
    try:
        for check in CHECKS:
            outcome = await _run_one(check, ctx, results)
            results[check.name] = CheckResult(check.name, check.title, **asdict(outcome))
    finally:
        await ctx.aclose()
    return list(results.values())


async def _run_one(check: Check, ctx: Context, done: dict[str, CheckResult]) -> Outcome:
    blocked = [done[name].title for name in check.needs if done[name].status in _NOT_PASSED]
    if blocked:
        return Outcome(Status.SKIPPED, f"Skipped: {blocked[0]} did not pass.")
    try:
        return await check.run(ctx)
    except PbxError as error:
        if error.errcode in UNSUPPORTED and check.name in WHEN_UNSUPPORTED:
            return WHEN_UNSUPPORTED[check.name]
        return await _refused(ctx, error)
    except PbxUnreachable as error:
        return fail(f"The PBX stopped answering ({error}).", "Run the check again.")
    except RedisError as error:
        return fail(
            f"Redis does not answer ({type(error).__name__}); the shared PBX token lives there.",
            "Check REDIS_URL, and that Redis is running.",
        )


_NOT_PASSED = (Status.FAIL, Status.SKIPPED)


async def _refused(ctx: Context, error: PbxError) -> Outcome:
    fix = FIXES.get(error.errcode, "Run the check again; the PBX's error is above.")
    if not isinstance(error, LoginOnHold):
        return fail(f"{error.endpoint}: {error.errcode} {error.errmsg}. {error.explanation}", fix)
    tokens = ctx.api.tokens
    left = max(int(await tokens.redis.ttl(LOGIN_HOLD_KEY)), 0)
    until = time.strftime("%H:%M:%S UTC", time.gmtime(tokens.clock() + left))
    return fail(
        f"A login failed recently: {error.errcode} {error.errmsg}. {error.explanation} No login "
        f"is tried until {until} (in {left} s), so that the PBX does not block this server's IP.",
        f"{fix} Then run the check again after {until}.",
    )


def failed(results: list[CheckResult]) -> bool:
    return any(result.status is Status.FAIL for result in results)


def text_report(results: list[CheckResult]) -> str:
    """A line per check, the fix under each that is not ok, and the counts."""
    lines = []
    for result in results:
        lines.append(f"[{result.status.value:^7}] {result.title}: {result.finding}")
        if result.fix:
            lines.append(f"          Fix: {result.fix}")
    counts = {status: sum(r.status is status for r in results) for status in Status}
    lines.append(", ".join(f"{n} {status.value}" for status, n in counts.items()))
    return "\n".join(lines)


def json_report(results: list[CheckResult]) -> str:
    return json.dumps({"ok": not failed(results), "checks": [asdict(r) for r in results]}, indent=2)
