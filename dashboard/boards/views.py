"""Pages: the board list and a board (supervisor console), plus the health check."""

import json
from typing import Any, cast

import redis
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dashboard.access import AnyUser, board_for_user, boards_for_user
from dashboard.boards.livestore import live_redis_sync
from dashboard.roles import acting_queues, supervisor_of
from dashboard.streams import LINK_STREAM, stream_key


@login_required
def home(request: HttpRequest) -> HttpResponse:
    boards = boards_for_user(request.user)
    if len(boards) == 1:
        return redirect("board", slug=boards[0].slug)
    return render(request, "dashboard/home.html", {"boards": boards})


def actor_for(user: AnyUser) -> dict[str, Any] | None:
    """What the action UI needs: None for users who may not act on anything."""
    queues = acting_queues(user)
    if queues is not None and not queues:
        return None
    supervisor = supervisor_of(user)
    return {
        "extension": supervisor.extension if supervisor else "",
        "queues": None if queues is None else sorted(queues),
    }


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    found = board_for_user(request.user, slug)
    if found is None:
        raise Http404("No such board, or it is not shared with you.")
    context = {"board": found, "kiosk": False, "actor": actor_for(request.user)}
    return render(request, "dashboard/board.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health for load balancers and monitoring: 503 when this web process cannot work (database
    or Redis down); 200 otherwise, with the PBX link as the worker last published it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    try:
        raw = cast(str | None, live_redis_sync().get(stream_key(LINK_STREAM)))
    except redis.RedisError as error:
        return JsonResponse({"ok": False, "redis": type(error).__name__}, status=503)
    link = json.loads(raw)["data"] if raw else None
    return JsonResponse({"ok": True, "redis": "ok", "pbx_link": link})
