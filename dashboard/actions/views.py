"""The action API: pause reasons, actions, their confirmation, and who is monitoring what."""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse

from dashboard.access import board_for_user
from dashboard.actions import audit, monitoring
from dashboard.actions.directory import load_directory
from dashboard.actions.messages import said
from dashboard.actions.outcomes import Listener, Outcome, carry_out
from dashboard.actions.requests import (
    STOP,
    ActionRequest,
    Refusal,
    body_of,
    parse,
    plan,
    read_body,
    within,
)
from dashboard.actions.tracking import first_to_follow, follow_up, pause_reasons_of
from dashboard.actions.web import (
    Edge,
    RateLimited,
    api_view,
    csrf_check,
    edge,
    json_error,
    rate_check,
)
from dashboard.models import ActionAttempt
from dashboard.pbx.agent_control import is_monitor_mode
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.roles import acting_queues


async def _allowed(user: User) -> set[str] | None:
    """The queues this user may act on (None: all); Refusal(403) if none at all."""
    allowed = await sync_to_async(acting_queues)(user)
    if allowed == set():
        raise Refusal(403, said("not_an_actor"))
    return allowed


@api_view("GET")
async def pause_reasons(request: HttpRequest, user: User) -> JsonResponse:
    """The PBX's pause reasons: the board shows `reason`, an action sends `code`."""
    try:
        await _allowed(user)
    except Refusal as refusal:
        return json_error(refusal.status, refusal.message)
    async with edge() as pbx:
        return JsonResponse({"reasons": await pause_reasons_of(pbx)})


@api_view("POST")
async def actions(request: HttpRequest, user: User) -> JsonResponse:
    """Start an action: 202 with its attempt, `pending` until the PBX confirms it."""
    body: dict[str, object] = {}
    async with edge() as pbx:
        try:
            # First, before anything is written: refusals count too, or a flood of bad
            # requests (no CSRF token, not JSON) would fill the audit log.
            await rate_check(pbx.redis, user.pk)
            body = read_body(body_of(request))
            csrf_check(request)
            wanted = parse(body)
            allowed = await _allowed(user)
        except Refusal as refusal:
            if not isinstance(refusal, RateLimited) or refusal.first:
                await audit.record_refusal(user, body, refusal)
            return json_error(refusal.status, refusal.message)
        return await _act(pbx, user, wanted, allowed)


async def _act(
    pbx: Edge, user: User, wanted: ActionRequest, allowed: set[str] | None
) -> JsonResponse:
    key = wanted.idempotency_key
    earlier = await audit.existing(user, key) if key else None
    if earlier is None:
        try:
            attempt = await audit.start(user, wanted)
        except IntegrityError:  # the same key, a moment ago (a double click)
            earlier = await audit.existing(user, key)
            if earlier is None:
                raise
    if earlier is not None:
        return _repeat(earlier)
    try:
        outcome, queues = await _carry_out(pbx, user, wanted, allowed)
    except Refusal as refusal:
        await audit.finish(attempt, Outcome("refused", refusal.message))
        return json_error(refusal.status, refusal.message, **audit.attempt_json(attempt))
    await audit.finish(attempt, outcome, queues)
    status = 403 if outcome.result == "refused" else 202
    return JsonResponse(audit.attempt_json(attempt), status=status)


def _repeat(earlier: ActionAttempt) -> JsonResponse:
    """A repeated idempotency key acts no more: it gets the attempt it started."""
    shown = audit.attempt_json(earlier)
    if earlier.result == "pending":
        return json_error(409, said("under_way"), **shown)
    return JsonResponse(shown)


async def _carry_out(
    pbx: Edge, user: User, wanted: ActionRequest, allowed: set[str] | None
) -> tuple[Outcome, list[str]]:
    if wanted.action == STOP:
        return await monitoring.stop(pbx.api, user, wanted, allowed)
    # Refused before the PBX is asked.
    extension = await monitoring.own_extension(user) if is_monitor_mode(wanted.action) else ""
    try:
        directory = await load_directory(pbx.api, pbx.redis)
    except (PbxError, PbxUnreachable) as error:
        detail = getattr(error, "explanation", str(error))
        return Outcome("failed", said("no_queues", detail=detail)), []
    checked = plan(wanted, directory)
    within(checked.queues, allowed)
    if is_monitor_mode(wanted.action):
        name = user.get_full_name() or directory.name(extension) or user.get_username()
        listener = Listener(extension, name)
        started = monitoring.start(pbx.api, user, checked, wanted.action, listener, allowed)
        return await started, checked.queues
    return await carry_out(pbx.api, checked), checked.queues


@api_view("GET")
async def action_status(request: HttpRequest, user: User, attempt_id: int) -> JsonResponse:
    """An attempt as it stands, re-reading the PBX while it is pending or monitoring."""
    attempt = await audit.visible(user, attempt_id)
    if attempt is None:
        return json_error(404, said("no_action"))
    await _follow([attempt])
    return JsonResponse(audit.attempt_json(attempt))


@api_view("GET")
async def monitors(request: HttpRequest, user: User) -> JsonResponse:
    """Who is monitoring (or being rung to monitor) calls of a board's queues."""
    board = await sync_to_async(board_for_user)(user, request.GET.get("board", ""))
    if board is None:
        return json_error(404, said("no_board"))
    try:
        await _allowed(user)
    except Refusal as refusal:
        return json_error(refusal.status, refusal.message)
    active = await audit.active_monitors(board.queue_numbers)
    await _follow(active, shared=True)
    shown = [audit.monitor_json(a, user) for a in active if audit.needs_follow_up(a)]
    return JsonResponse({"monitors": shown})


async def _follow(attempts: list[ActionAttempt], shared: bool = False) -> None:
    """Re-read the PBX for the attempts still pending or monitoring; `shared`: what many
    consoles poll, re-read only by the first to ask in a while."""
    unsettled = [attempt for attempt in attempts if audit.needs_follow_up(attempt)]
    if unsettled:
        async with edge() as pbx:
            for attempt in unsettled:
                if not shared or await first_to_follow(pbx, attempt):
                    await audit.finish(attempt, await follow_up(pbx, attempt))
