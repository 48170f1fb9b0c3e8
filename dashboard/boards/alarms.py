"""Acknowledging a board's alarms on the console: a supervisor of its queues, CSRF-checked,
rate-limited and audit-logged; every screen of the board stops flashing them (docs/protocol.md)."""

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, JsonResponse

from dashboard.access import board_for_user
from dashboard.actions.requests import Refusal, body_of, read_body
from dashboard.actions.web import RateLimited, api_view, csrf_check, json_error, rate_check
from dashboard.boards.access_markers import bump, settings_marker
from dashboard.clock import now_ms
from dashboard.models import ActionAttempt, Board
from dashboard.roles import acting_queues
from dashboard.streams import queue_stream
from wallboard.redis_client import own_async_client

ACTION = "acknowledge"  # the audit log's name for it
# The tile figures that take thresholds (static/board/tiles.js), and their alarm levels.
METRICS = frozenset({"waiting", "longest", "available", "service_level", "abandon_rate"})
LEVELS = frozenset({"warn", "critical"})
# {"6400": {"waiting": "critical"}}: per queue, each figure's level as acknowledged.
Alarms = dict[str, dict[str, str]]


@api_view("POST")
async def acknowledge(request: HttpRequest, user: User, slug: str) -> JsonResponse:
    """Acknowledge the alarms the console shows: `{"alarms": {"6400": {"waiting": "critical"}}}`.
    Answers the board's acknowledged alarms, per queue, as its screens receive them."""
    body: dict[str, object] = {}
    try:
        async with own_async_client(decode_responses=True) as redis:
            await rate_check(redis, user.pk)
        board = await sync_to_async(board_for_user)(user, slug)
        if board is None:
            raise Refusal(404, "No such board, or it is not shared with you.")
        csrf_check(request)
        body = read_body(body_of(request))
        alarms = parse_alarms(body, board.queue_numbers)
        await _may_acknowledge(user, alarms)
    except Refusal as refusal:
        if not isinstance(refusal, RateLimited) or refusal.first:
            await _audit(user, slug, body.get("alarms"), "refused", refusal.message)
        return json_error(refusal.status, refusal.message)
    acknowledged = await sync_to_async(store)(board.pk, alarms, now_ms())
    await _audit(user, slug, alarms, "ok")
    # Committed first: a screen that re-checks at the marker finds the acknowledgement.
    await sync_to_async(bump)([settings_marker(queue_stream(queue)) for queue in alarms])
    return JsonResponse({"acknowledged": acknowledged})


def parse_alarms(body: dict[str, object], queues: list[str]) -> Alarms:
    """The alarms named, each a figure of one of the board's queues at a level: a Refusal(400)
    for anything else, or for nothing at all."""
    alarms = body.get("alarms")
    if not isinstance(alarms, dict) or not alarms:
        raise Refusal(400, '"alarms" must name at least one queue\'s alarms.')
    for queue, levels in alarms.items():
        if queue not in queues:
            raise Refusal(400, f"Queue {str(queue)[:32]} is not on this board.")
        if not isinstance(levels, dict) or not levels or not _figures(levels):
            raise Refusal(400, f"Name queue {queue}'s figures and their levels (warn, critical).")
    return alarms


def _figures(levels: dict[Any, Any]) -> bool:
    return all(metric in METRICS and level in LEVELS for metric, level in levels.items())


async def _may_acknowledge(user: User, alarms: Alarms) -> None:
    """Staff, or a supervisor of every queue named."""
    allowed = await sync_to_async(acting_queues)(user)
    if allowed is None:
        return
    if not allowed:
        raise Refusal(403, "Only supervisors and admins may acknowledge alarms.")
    outside = sorted(set(alarms) - allowed)
    if outside:
        raise Refusal(403, f"You may not acknowledge alarms of queue {', '.join(outside)}.")


def store(board_pk: int, alarms: Alarms, at_ms: int) -> dict[str, Any]:
    """Each named queue's acknowledgement replaces its last; the other queues' stay."""
    with transaction.atomic():
        board = Board.objects.select_for_update().get(pk=board_pk)
        acknowledged = dict(board.acknowledged_alarms)
        for queue, levels in alarms.items():
            acknowledged[queue] = {"at": at_ms, "alarms": levels}
        board.acknowledged_alarms = acknowledged
        board.save(update_fields=["acknowledged_alarms"])
    return acknowledged


async def _audit(user: User, slug: str, alarms: object, result: str, message: str = "") -> None:
    queues = sorted(alarms) if isinstance(alarms, dict) and result == "ok" else []
    await ActionAttempt.objects.acreate(
        user=user,
        username=user.get_username(),
        action=ACTION,
        target=slug[:64],
        queues=",".join(queues),
        parameters={"alarms": alarms} if result == "ok" else {},
        result=result,
        message=message,
    )
