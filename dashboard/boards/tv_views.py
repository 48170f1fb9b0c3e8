"""The wall-TV pages: the kiosk board, pairing by a code shown on screen, the one-time link."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.access import DISPLAY_COOKIE, display_boards, display_for_token
from dashboard.boards import pairing
from dashboard.boards.displays import issue_credential, touch
from dashboard.boards.release import current_release
from dashboard.models import PAIRING_CODE_LIFETIME, Display, PairingRequest, hash_secret

# A TV stays paired until an admin revokes it: the cookie lives ten years.
DISPLAY_COOKIE_AGE_S = 10 * 365 * 24 * 3600
PAIRING_POLL_MS = 3000  # how soon a TV notices that an admin entered its code
RATE_LIMITED_RETRY_MS = 60_000


def with_display_cookie(request: HttpRequest, response: HttpResponse, token: str) -> HttpResponse:
    """The TV's credential: HttpOnly, so page scripts cannot read it; never in a URL."""
    response.set_cookie(
        DISPLAY_COOKIE,
        token,
        max_age=DISPLAY_COOKIE_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    response.delete_cookie(pairing.PAIRING_COOKIE)
    return response


def kiosk(request: HttpRequest, display: Display) -> HttpResponse:
    touch(display.pk)
    rotation = {
        "boards": [board.slug for board in display_boards(display)],
        "rotation_s": display.rotation_s,
        "reload_hour": display.reload_hour,
        "sound_alerts": display.sound_alerts,
    }
    context = {
        "board": display.board,
        "kiosk": True,
        "actor": None,
        "display": rotation,
        "release": current_release(),
    }
    return render(request, "dashboard/board.html", context)


def code_page(request: HttpRequest, pending: PairingRequest | None) -> HttpResponse:
    """The code, very large, polling until an admin has entered it (or a retry later)."""
    context = {
        "code": pending.code if pending else "",
        "poll_ms": PAIRING_POLL_MS,
        "retry_ms": RATE_LIMITED_RETRY_MS,
    }
    return render(request, "dashboard/tv_unpaired.html", context, status=200 if pending else 429)


@never_cache
@require_GET
def tv(request: HttpRequest) -> HttpResponse:
    display = display_for_token(request.COOKIES.get(DISPLAY_COOKIE))
    if display is not None:
        return kiosk(request, display)
    pending = pairing.pending(request.COOKIES.get(pairing.PAIRING_COOKIE))
    if pending is not None:
        token = pairing.finish(pending)
        if token is not None:
            return with_display_cookie(request, redirect("tv"), token)
        return code_page(request, pending)
    started = pairing.start(request.META.get("REMOTE_ADDR", ""))
    if started is None:
        return code_page(request, None)
    new, secret = started
    response = code_page(request, new)
    max_age = int(PAIRING_CODE_LIFETIME.total_seconds())
    response.set_cookie(
        pairing.PAIRING_COOKIE,
        secret,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@never_cache
@require_GET
def tv_pairing(request: HttpRequest) -> HttpResponse:
    """The code page's poll: once an admin has paired the code, this answer sets the cookie."""
    pending = pairing.pending(request.COOKIES.get(pairing.PAIRING_COOKIE))
    if pending is None:
        return JsonResponse({"paired": False, "expired": True})
    token = pairing.finish(pending)
    if token is None:
        expires_at = int(pending.expires_at.timestamp() * 1000)
        return JsonResponse({"paired": False, "code": pending.code, "expires_at": expires_at})
    return with_display_cookie(request, JsonResponse({"paired": True}), token)


@never_cache
@require_http_methods(["GET", "POST"])
def tv_claim(request: HttpRequest) -> HttpResponse:
    """The one-time link, /tv/claim/#<code>: the code rides in the fragment, which no request
    carries, so no access log (Daphne's or a proxy's) holds it. GET shows a button that posts it
    (so link previewers cannot use the code up); POST pairs this browser."""
    if request.method == "GET":
        return render(request, "dashboard/tv_claim.html")
    display = get_object_or_404(
        Display,
        claim_hash=hash_secret(request.POST.get("code", "")),
        claim_expires_at__gt=timezone.now(),
        revoked=False,
    )
    return with_display_cookie(request, redirect("tv"), issue_credential(display))
