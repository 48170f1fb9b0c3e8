"""Monitoring a call: starting it, switching its mode, and stopping it (docs/actions.md)."""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User

from dashboard.actions.messages import hang_up_refused, said, unreachable_message
from dashboard.actions.outcomes import Listener, Monitoring, Outcome, Stopped, start_monitor
from dashboard.actions.requests import ActionRequest, Plan, Refusal, within
from dashboard.models import ActionAttempt
from dashboard.pbx import agent_control as pbx
from dashboard.pbx.agent_control import MONITOR_MODES, MonitorMode
from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.roles import supervisor_of

NO_EXTENSION = (
    "You have no extension to listen from: an admin sets it on your Supervisor profile "
    "(Admin > Supervisors)."
)


async def own_extension(user: User) -> str:
    """The supervisor's phone, which the PBX rings to monitor; Refusal(400) if none is set."""
    supervisor = await sync_to_async(supervisor_of)(user)
    extension = supervisor.extension.strip() if supervisor else ""
    if not extension:
        raise Refusal(400, NO_EXTENSION)
    return extension


async def start(
    api: PbxApi,
    user: User,
    checked: Plan,
    mode: MonitorMode,
    listener: Listener,
    allowed: set[str] | None,
) -> Outcome:
    """Ring the listener to monitor the agent's call; with `monitor`, switch that session of
    the user's to this mode (same call, new leg)."""
    wanted = checked.request
    replacing = await _session(user, wanted, anyones=False) if wanted.monitor else None
    old: Monitoring | None = replacing.parameters if replacing else None
    return await start_monitor(api, checked, mode, listener, allowed, old)


async def stop(
    api: PbxApi, user: User, wanted: ActionRequest, allowed: set[str] | None
) -> tuple[Outcome, list[str]]:
    """Hang up the supervisor's own leg of a monitoring call; the agent's call goes on."""
    session = await _session(user, wanted, anyones=True)
    queues = [number for number in session.queues.split(",") if number]
    within(queues, allowed)
    kept = session.parameters
    stopped = Stopped(call_id=str(kept.get("call_id")), extension=str(kept.get("extension")))
    return await _hang_up(api, stopped), queues


async def _hang_up(api: PbxApi, stopped: Stopped) -> Outcome:
    try:
        hung_up = await pbx.hang_up_monitor(api, stopped["call_id"], stopped["extension"])
    except PbxError as error:
        return Outcome("failed", hang_up_refused(error.errcode), error.errcode, extra=stopped)
    except PbxUnreachable as error:
        return Outcome("failed", unreachable_message(str(error)), extra=stopped)
    if not hung_up:
        return Outcome("failed", said("monitor_ended"), pbx.CHANNEL_GONE, extra=stopped)
    return Outcome("ok", said("stopped"), extra=stopped)


async def _session(user: User, wanted: ActionRequest, anyones: bool) -> ActionAttempt:
    """The monitoring session of the agent's call that `monitor` names: the user's own, or
    (`anyones`, for a stop) anyone's for staff. Refusal(404) otherwise."""
    sessions = ActionAttempt.objects.filter(
        pk=wanted.monitor or 0, action__in=MONITOR_MODES, target=wanted.agent
    )
    if not (anyones and user.is_staff):
        sessions = sessions.filter(user__pk=user.pk)
    found = await sessions.afirst()
    if found is None:
        raise Refusal(404, said("not_a_session"))
    return found
