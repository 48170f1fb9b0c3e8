"""The PBX checks in order and their runner (`pbx_check`, admin page); what the PBX holds."""

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from redis.exceptions import RedisError

from dashboard.pbx.checks_base import (
    CheckResult,
    Context,
    Outcome,
    Status,
    fail,
    ok,
    record,
    warn,
)
from dashboard.pbx.checks_clock import NO_LOCAL_TIME, check_time_zone
from dashboard.pbx.checks_link import (
    EVENTS_FIX,
    check_credentials,
    check_delivery,
    check_reachability,
    check_settings,
    check_subscription,
)
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.pbx.rest import PbxRest, PbxSettings
from dashboard.pbx.tokens import LOGIN_HOLD_KEY, LoginOnHold, TokenManager

DEFAULT_EVENT_WAIT_S = 20.0
# 10001: no such endpoint on this firmware; 10009: the feature is off or not in the plan.
UNSUPPORTED = {10001, 10009}
REQUIREMENT = (
    "the API needs a P550, P560 or P570 with firmware 37.7.0.16 or newer, Software Edition "
    "(83.x), or Cloud Edition 84.7.0.17 or newer; the P520 has no API"
)
MINIMUM_FIRMWARE = {37: (37, 7, 0, 16), 83: (83,), 84: (84, 7, 0, 17)}
EDITIONS = {37: "Appliance Edition", 83: "Software Edition", 84: "Cloud Edition"}
# system/information's fields: the guide's names first (docs/yeastar-api.md §8), then the
# spellings accepted before the reference named them.
MODEL_FIELDS = ("model_name", "model", "product_model", "device_model", "pbx_model", "product_name")
FIRMWARE_FIELDS = ("firmware_version", "firmware", "version", "fw_version", "software_version")
MONITORS = {"enb_register_status": "Registration", "enb_call_status": "Call",
            "enb_presence_status": "Presence"}  # fmt: skip
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


async def check_firmware(ctx: Context) -> Outcome:
    info = record(await ctx.api.get("system/information"))
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
    data = record(await ctx.api.get("system/capacity"))
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


def _switched_on(value: object) -> bool:
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


def _pick(info: dict[str, Any], names: tuple[str, ...]) -> str:
    return next((str(info[name]) for name in names if info.get(name)), "")


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
    Check("time_zone", "Time zone", check_time_zone),
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
    "time_zone": NO_LOCAL_TIME,
    "capacity": warn("The PBX does not tell its capacity (system/capacity).",
                     "Nothing to do for the board."),
    "monitors": Outcome(Status.SKIPPED, "Not offered by this firmware."),
    "pause_reasons": NO_PAUSE_REASONS,
}  # fmt: skip


async def run_checks(
    settings: PbxSettings,
    tokens_for: Callable[[PbxRest], TokenManager],
    event_wait_s: float,
    time_zone: str,
) -> list[CheckResult]:
    """Run every check in order; one whose prerequisite did not pass is skipped."""
    ctx = Context(settings, tokens_for, event_wait_s, time_zone)
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
            "Check REDIS_URL (with Sentinel: REDIS_SENTINELS and REDIS_SENTINEL_MASTER), and that "
            "Redis is running.",
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
