"""Carry out a checked action on the PBX, then confirm it by re-reading the PBX's truth."""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Literal, NotRequired, TypedDict

from dashboard.actions.messages import (
    done_message,
    failure_message,
    hang_up_refused,
    said,
    unreachable_message,
)
from dashboard.actions.requests import Plan
from dashboard.pbx import agent_control as pbx
from dashboard.pbx.agent_control import MonitorMode, MonitorPhase
from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.pbx.replies import AgentStatusRow

# How long the PBX has to show a change in queue/agent_status before we call the action failed.
CONFIRM_WITHIN_S = 15
# How long the supervisor's phone may ring before we stop waiting for them to answer.
ANSWER_WITHIN_S = 60


Result = Literal["pending", "ok", "failed", "refused"]


class Monitoring(TypedDict):
    """A monitoring call, kept beside the request in its attempt's `parameters`."""

    call_id: str  # the call the PBX made to the supervisor
    extension: str  # the supervisor's, which the PBX rings
    phase: MonitorPhase
    queue: str  # the queue the monitored call came through ("" if none)
    monitored_call: NotRequired[str]  # the agent's call (the board's live-calls row)
    agent_name: NotRequired[str]
    supervisor_name: NotRequired[str]


class Stopped(TypedDict):
    """The monitoring call a stop hung up, kept in the stop's `parameters`."""

    call_id: str
    extension: str


@dataclass(frozen=True)
class Listener:
    """The supervisor who monitors: the extension the PBX rings, and their name."""

    extension: str
    name: str


@dataclass(frozen=True)
class Outcome:
    result: Result
    message: str = ""
    errcode: int | None = None
    latency_ms: int | None = None
    extra: Monitoring | Stopped | None = None


async def carry_out(api: PbxApi, plan: Plan) -> Outcome:
    """Send an agent action to the PBX: `pending` until confirmed, or `failed` with the reason."""

    async def send() -> Outcome:
        await _agent_call(api, plan)
        return Outcome("pending", said("sent"))

    return await _guarded(plan, send())


async def start_monitor(
    api: PbxApi,
    plan: Plan,
    mode: MonitorMode,
    listener: Listener,
    allowed: set[str] | None,
    replacing: Monitoring | None = None,
) -> Outcome:
    """Ring the listener to monitor the agent's call: `pending` while it rings. A mode switch
    names the session it is `replacing`, on the same call."""
    return await _guarded(plan, _monitor(api, plan, mode, listener, allowed, replacing))


async def _guarded(plan: Plan, sending: Awaitable[Outcome]) -> Outcome:
    """The outcome of sending, or `failed` with the PBX's reason; with the time it took."""
    started = time.monotonic()
    try:
        outcome = await sending
    except PbxError as error:
        return Outcome("failed", _explain(plan, error), error.errcode, _ms_since(started))
    except PbxUnreachable as error:
        return Outcome("failed", unreachable_message(str(error)), None, _ms_since(started))
    if outcome.latency_ms is None:
        return replace(outcome, latency_ms=_ms_since(started))
    return outcome


def _agent_call(api: PbxApi, plan: Plan) -> Awaitable[None]:
    wanted = plan.request
    if wanted.action in ("login", "logout"):
        return pbx.set_logged_in(api, plan.ext_id, plan.queue_ids, wanted.action == "login")
    return pbx.set_paused(
        api,
        plan.ext_id,
        plan.queue_ids,
        wanted.action == "pause",
        wanted.reason_code,
        wanted.unpause_after_s,
    )


async def _monitor(
    api: PbxApi,
    plan: Plan,
    mode: MonitorMode,
    listener: Listener,
    allowed: set[str] | None,
    replacing: Monitoring | None,
) -> Outcome:
    """Find the agent's talking channel, check the call's queue, then ring the supervisor. A
    switch first hangs up the old leg: the PBX cannot ring a phone that is still in it."""
    agent = plan.request.agent
    leg = pbx.talking_leg(await pbx.calls_of(api, agent), agent)
    if replacing is not None and (leg is None or leg.call_id != replacing.get("monitored_call")):
        return Outcome("failed", said("call_ended"))  # before anything is hung up
    if leg is None:
        named = f"{plan.agent_name} ({agent})" if plan.agent_name else agent
        return Outcome("failed", said("not_on_a_call", agent=named))
    # call_path names the features the call passed, the queue last ("6500-6400").
    queue = leg.call_path.rsplit("-", 1)[-1]
    if allowed is not None and queue and queue not in allowed and queue.isdigit():
        return Outcome("refused", said("other_queue", queue=queue))
    started = time.monotonic()
    if replacing is not None:
        try:
            await pbx.hang_up_monitor(api, replacing["call_id"], replacing["extension"])
        except PbxError as error:  # the old leg goes on: nothing changed
            return Outcome("failed", hang_up_refused(error.errcode), error.errcode)
    call_id = await pbx.listen(api, listener.extension, leg.channel_id, mode)
    extra = Monitoring(
        call_id=call_id,
        extension=listener.extension,
        phase="ringing",
        queue=queue,
        monitored_call=leg.call_id,
        agent_name=plan.agent_name,
        supervisor_name=listener.name,
    )
    message = said("ringing_you", extension=listener.extension)
    return Outcome("pending", message, None, _ms_since(started), extra)


def _explain(plan: Plan, error: PbxError) -> str:
    if error.endpoint in ("get_token", "refresh_token"):
        return f"The wallboard cannot log in to the PBX: {error.explanation}"
    return failure_message(plan.request.action, error.errcode, bool(plan.request.reason_code))


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


Check = Callable[[AgentStatusRow], bool]
CHECKS: dict[str, Check] = {
    "login": lambda row: int(row.get("is_login", 0)) == 1,
    "logout": lambda row: int(row.get("is_login", 0)) == 0,
    "pause": lambda row: int(row.get("is_pause", 0)) == 1,
    "unpause": lambda row: int(row.get("is_pause", 0)) == 0,
}


async def agent_shows(api: PbxApi, action: str, agent: str, queue_ids: list[int]) -> bool:
    """True once queue/agent_status shows the change in every queue acted on."""
    for queue_id in queue_ids:
        rows = [row for row in await pbx.agent_status(api, queue_id) if row.get("number") == agent]
        # 60001 or no row: nobody is logged in there, which confirms only a log-out.
        if not (CHECKS[action](rows[0]) if rows else action == "logout"):
            return False
    return True


async def confirm_agent(
    api: PbxApi, action: str, agent: str, queues: list[str], queue_ids: list[int], age_s: float
) -> Outcome:
    """`ok` once the PBX shows it, `failed` past the deadline, else still `pending`."""
    try:
        if await agent_shows(api, action, agent, queue_ids):
            return Outcome("ok", done_message(action, agent, queues))
    except (PbxError, PbxUnreachable):
        pass  # a failed re-read proves nothing either way: ask again until the deadline
    if age_s > CONFIRM_WITHIN_S:
        return Outcome("failed", said("not_confirmed", seconds=CONFIRM_WITHIN_S))
    return Outcome("pending", said("sent"))


async def follow_monitor(
    api: PbxApi, action: str, result: str, agent: str, extra: Monitoring, age_s: float
) -> Outcome:
    """The monitoring call's phase now: ringing (pending) → monitoring (ok) → ended."""
    phase: MonitorPhase | Literal["unanswered"]
    try:
        phase = pbx.monitor_phase(await pbx.call_by_id(api, extra["call_id"]), extra["extension"])
    except (PbxError, PbxUnreachable):
        phase = extra["phase"]  # unknown for now: keep the last known phase
    if phase == "ringing" and age_s > ANSWER_WITHIN_S:
        phase = "unanswered"
    extra = {**extra, "phase": "ended" if phase == "unanswered" else phase}
    if phase == "monitoring":
        return Outcome("ok", done_message(action, agent, []), extra=extra)
    if phase == "ended" and result == "ok":
        return Outcome("ok", said("monitoring_ended"), extra=extra)
    if phase == "ended":
        return Outcome("failed", said("ended_unanswered"), extra=extra)
    if phase == "unanswered":
        message = said("no_answer", seconds=ANSWER_WITHIN_S)
        return Outcome("failed", message, extra=extra)
    return Outcome("pending", said("ringing_you", extension=extra["extension"]), extra=extra)
