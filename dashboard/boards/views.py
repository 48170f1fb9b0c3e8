"""Pages: the board list and a board (supervisor console), plus the health check."""

import json
from typing import Any, TypedDict, cast

import redis
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dashboard.access import board_for_user, boards_for_user
from dashboard.boards.livestore import live_redis_sync
from dashboard.boards.release import current_release
from dashboard.clock import now_ms
from dashboard.roles import AnyUser, acting_queues, supervisor_of
from dashboard.streams import BEAT_STREAM, LINK_STREAM, stream_key


@login_required
def home(request: HttpRequest) -> HttpResponse:
    boards = boards_for_user(request.user)
    if len(boards) == 1:
        return redirect("board", slug=boards[0].slug)
    return render(request, "dashboard/home.html", {"boards": boards})


class Actor(TypedDict):
    """What the console's action UI needs to know of its user."""

    extension: str  # the supervisor's own phone, which listens in; "" when none is set
    queues: list[str] | None  # the queues they may act on; None: every queue (staff)


def actor_for(user: AnyUser) -> Actor | None:
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
    context = {
        "board": found,
        "kiosk": False,
        "actor": actor_for(request.user),
        "release": current_release(),
    }
    return render(request, "dashboard/board.html", context)


class BeatHealth(TypedDict):
    """How long ago the active worker last beat, and the PBX last showed a sign of life."""

    age_s: float
    pbx_heard_age_s: float | None  # None: the worker has not been connected to the PBX yet


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health for load balancers and monitoring: 503 when this web process cannot work (its
    database or Redis down), naming what failed; 200 otherwise, with the PBX link as the worker
    last published it and the age of its last beat (a dead worker does not make the web process
    unhealthy: monitor `beat.age_s` for that)."""
    database = database_health()
    redis_health, link, beat = live_state_health()
    ok = database == "ok" and redis_health == "ok"
    body = {
        "ok": ok, "database": database, "redis": redis_health, "pbx_link": link,
        "beat": beat_health(beat, now_ms()),
    }  # fmt: skip
    return JsonResponse(body, status=200 if ok else 503)


def database_health() -> str:
    """The database's health: "ok", or the kind of error it gave (never the error's message,
    which may name hosts and users: this page answers anyone)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return type(error).__name__
    return "ok"


def live_state_health() -> tuple[str, Any, Any]:
    """Redis's health ("ok" or the kind of error), the PBX link's data and the worker's beat:
    JSON the worker wrote (docs/architecture.md, *PBX link health*), hence Any."""
    keys = [stream_key(LINK_STREAM), stream_key(BEAT_STREAM)]
    try:
        raw = cast(list[str | None], live_redis_sync().mget(keys))
    except redis.RedisError as error:
        return type(error).__name__, None, None
    link, beat = (json.loads(value)["data"] if value else None for value in raw)
    return "ok", link, beat


def beat_health(beat: Any, now: int) -> BeatHealth | None:
    """The beat's age in seconds (by this process's clock: keep the machines on NTP)."""
    if not beat:
        return None
    heard = beat.get("pbx_heard_at")
    return {
        "age_s": round((now - beat["at"]) / 1000, 1),
        "pbx_heard_age_s": None if heard is None else round((now - heard) / 1000, 1),
    }
