"""The PBX calls behind supervisor actions: agent log-in/pause, pause reasons, call monitoring
(starting it, and hanging up the supervisor's own leg to stop it)."""

from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError
from dashboard.pbx.replies import AgentStatusRow, CallRow, PauseReason

MonitorMode = Literal["listen", "whisper", "barge"]  # call/listen's `type`
MONITOR_MODES: tuple[MonitorMode, ...] = get_args(MonitorMode)
# Where a monitoring call stands: ringing the supervisor, monitoring, or over.
MonitorPhase = Literal["ringing", "monitoring", "ended"]
# 30011 member statuses of a leg that is talking (ANSWER for a callee, ANSWERED for a caller).
TALKING = {"ANSWER", "ANSWERED", "HOLD"}
RINGING = {"RING", "ALERT", "EARLYMEDIA"}
# 70130 CHANNEL ID NOT FOUND: the channel's call has ended (§6.3).
CHANNEL_GONE = 70130


def is_monitor_mode(action: str) -> TypeGuard[MonitorMode]:
    return action in MONITOR_MODES


def _ids(values: list[int]) -> str:
    return ",".join(str(value) for value in values)


async def set_logged_in(api: PbxApi, ext_id: int, queue_ids: list[int], login: bool) -> None:
    """`agent/login`: only dynamic members can be logged in or out (40002 otherwise)."""
    operation = "login" if login else "logout"
    await api.get("agent/login", ext_id=ext_id, queue_ids=_ids(queue_ids), operation=operation)


async def set_paused(
    api: PbxApi,
    ext_id: int,
    queue_ids: list[int],
    pause: bool,
    reason_code: str = "",
    unpause_after_s: int = 0,
) -> None:
    """`agent/pause`; the reason is the pause reason's feature code (e.g. `*01`)."""
    params: dict[str, str | int] = {
        "ext_id": ext_id,
        "queue_ids": _ids(queue_ids),
        "operation": "pause" if pause else "unpause",
    }
    if pause and reason_code:
        params["reason"] = reason_code
    if pause and unpause_after_s:
        params["max_threshold_for_pause_time"] = unpause_after_s
    await api.get("agent/pause", False, **params)


async def pause_reasons(api: PbxApi) -> list[PauseReason]:
    body = await api.get("queue_pause_reason/list", empty_ok=True, page=1, page_size=100)
    return [
        {"code": str(item.get("code", "")), "reason": str(item.get("reason", ""))}
        for item in body.get("data") or []
    ]


async def agent_status(api: PbxApi, queue_id: int) -> list[AgentStatusRow]:
    """`queue/agent_status`; 60001 (nobody logged in to the queue) reads as an empty list."""
    body = await api.get("queue/agent_status", empty_ok=True, id=queue_id)
    return list(body.get("data") or [])


async def listen(api: PbxApi, monitor: str, channel_id: str, mode: MonitorMode) -> str:
    """`call/listen`: the PBX rings the `monitor` extension first; returns that call's ID."""
    body = await api.post(
        "call/listen", {"monitor": monitor, "channel_id": channel_id, "type": mode}
    )
    return str(body.get("call_id", ""))


async def calls_of(api: PbxApi, extension: str) -> list[CallRow]:
    """`call/query` by extension: the live calls it is a member of (60001: none)."""
    body = await api.get("call/query", empty_ok=True, extension=extension)
    return list(body.get("data") or [])


async def call_by_id(api: PbxApi, call_id: str) -> CallRow | None:
    """`call/query` by call ID: the call with its members, or None once it has ended."""
    body = await api.get("call/query", empty_ok=True, call_id=call_id)
    return next(iter(body.get("data") or []), None)


async def hang_up(api: PbxApi, channel_id: str) -> None:
    """`call/hangup` of one member's channel: that member leaves its call (§6.3)."""
    await api.post("call/hangup", {"channel_id": channel_id})


@dataclass(frozen=True)
class Leg:
    number: str
    channel_id: str
    status: str
    call_path: str
    call_id: str  # the call this leg is a member of


def extension_legs(found: CallRow) -> list[Leg]:
    """A call's `extension` members (each member object has exactly one key)."""
    legs = []
    for member in found.get("members") or []:
        leg = member.get("extension") if isinstance(member, dict) else None
        if isinstance(leg, dict):
            legs.append(
                Leg(
                    str(leg.get("number", "")),
                    str(leg.get("channel_id", "")),
                    str(leg.get("member_status", "")),
                    str(leg.get("call_path", "")),
                    str(found.get("call_id", "")),
                )
            )
    return legs


def talking_leg(calls: list[CallRow], extension: str) -> Leg | None:
    """The extension's leg in a call it is talking on (what `call/listen` monitors)."""
    for found in calls:
        for leg in extension_legs(found):
            if leg.number == extension and leg.status in TALKING and leg.channel_id:
                return leg
    return None


def monitor_phase(found: CallRow | None, monitor: str) -> MonitorPhase:
    """Where a monitoring call stands: `ringing` the supervisor, `monitoring`, or `ended`."""
    if found is None:
        return "ended"
    statuses = {leg.status for leg in extension_legs(found) if leg.number == monitor}
    if statuses & TALKING:
        return "monitoring"
    if statuses & RINGING:
        return "ringing"
    return "ended"


async def hang_up_monitor(api: PbxApi, call_id: str, monitor: str) -> bool:
    """Hang up the `monitor` extension's own leg of the monitoring call `call_id` (what
    `call/listen` returned), never a leg of the monitored call; False if it has ended already."""
    found = await call_by_id(api, call_id)
    legs = [leg for leg in extension_legs(found) if leg.number == monitor] if found else []
    if not legs or not legs[0].channel_id:
        return False
    try:
        await hang_up(api, legs[0].channel_id)
    except PbxError as error:
        if error.errcode == CHANNEL_GONE:  # it ended between the two requests
            return False
        raise
    return True
