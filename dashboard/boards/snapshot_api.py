"""`GET /api/boards/<slug>/snapshot/`: the socket's snapshot frame as JSON, same authorisation."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from dashboard.access import DISPLAY_COOKIE, FORBIDDEN, NOT_FOUND, SIGN_IN, board_access
from dashboard.boards.frames import board_settings, snapshot_frame
from dashboard.boards.livestore import read_snapshot_sync
from dashboard.boards.release import current_release
from dashboard.clock import now_ms
from dashboard.models import Board
from dashboard.streams import board_streams

# Always JSON, never a login redirect: the callers are scripts and the board's own code.
REFUSALS = {
    SIGN_IN: (401, "Sign in, or open this on a paired TV."),
    FORBIDDEN: (403, "This board is not shared with you."),
    NOT_FOUND: (404, "No such board."),
}


def board_for_api(request: HttpRequest, slug: str) -> Board | JsonResponse:
    """The board, if this request may see it (the rule of pages and sockets: its viewers, staff,
    its TVs); else the refusal as the JSON error the APIs promise."""
    access = board_access(request.user, request.COOKIES.get(DISPLAY_COOKIE), slug)
    if access.board is not None:
        return access.board
    status, error = REFUSALS[access.refusal]
    return JsonResponse({"error": error}, status=status)


@never_cache
@require_GET
def board_snapshot(request: HttpRequest, slug: str) -> HttpResponse:
    board = board_for_api(request, slug)
    if isinstance(board, JsonResponse):
        return board
    try:
        snapshot = read_snapshot_sync(board_streams(board.queue_numbers))
    except RedisError as error:  # the live store is down: say so, as JSON (docs/actions.md)
        message = f"The live figures cannot be read now ({type(error).__name__})."
        return JsonResponse({"error": message}, status=503)
    text = snapshot_frame(board_settings(board), snapshot, now_ms(), current_release())
    return HttpResponse(text, content_type="application/json")
