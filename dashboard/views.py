"""Pages: the board list, a supervisor's board, the TV kiosk and its one-time pairing link."""

import functools
import json
from typing import cast

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.access import DISPLAY_COOKIE, board_for_user, boards_for_user, display_for_token
from dashboard.models import Display, hash_secret
from dashboard.streams import LINK_STREAM, stream_key

# A TV stays paired until an admin revokes it: the cookie lives ten years.
DISPLAY_COOKIE_AGE_S = 10 * 365 * 24 * 3600


@login_required
def home(request: HttpRequest) -> HttpResponse:
    boards = boards_for_user(request.user)
    if len(boards) == 1:
        return redirect("board", slug=boards[0].slug)
    return render(request, "dashboard/home.html", {"boards": boards})


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    found = board_for_user(request.user, slug)
    if found is None:
        raise Http404("No such board, or it is not shared with you.")
    return render(request, "dashboard/board.html", {"board": found, "kiosk": False})


@require_GET
def tv(request: HttpRequest) -> HttpResponse:
    display = display_for_token(request.COOKIES.get(DISPLAY_COOKIE))
    if display is None:
        return render(request, "dashboard/tv_unpaired.html", status=403)
    return render(request, "dashboard/board.html", {"board": display.board, "kiosk": True})


@require_http_methods(["GET", "POST"])
def tv_claim(request: HttpRequest, code: str) -> HttpResponse:
    """GET shows a button (so link previewers cannot use the code up); POST pairs this browser."""
    display = get_object_or_404(
        Display, claim_hash=hash_secret(code), claim_expires_at__gt=timezone.now(), revoked=False
    )
    if request.method == "GET":
        return render(request, "dashboard/tv_claim.html", {"display": display})
    response = redirect("tv")
    response.set_cookie(
        DISPLAY_COOKIE,
        display.claim(),
        max_age=DISPLAY_COOKIE_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@functools.lru_cache(maxsize=2)
def health_redis(url: str) -> redis.Redis:
    """One client (and connection pool) per process, not one per health check."""
    return redis.Redis.from_url(url, socket_timeout=2)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Health for load balancers and monitoring: 503 when this web process cannot work (database
    or Redis down); 200 otherwise, with the PBX link as the worker last published it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    try:
        raw = cast(bytes | None, health_redis(settings.REDIS_URL).get(stream_key(LINK_STREAM)))
    except redis.RedisError as error:
        return JsonResponse({"ok": False, "redis": type(error).__name__}, status=503)
    link = json.loads(raw)["data"] if raw else None
    return JsonResponse({"ok": True, "redis": "ok", "pbx_link": link})
