"""Pairing a TV without typing secrets: the TV shows a short code, an admin enters it and picks
the Display, and the TV's next poll receives the display credential (a cookie, never a URL)."""

import contextlib
import secrets
from collections.abc import Callable

from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone
from redis.exceptions import RedisError

from dashboard.boards.displays import issue_credential
from dashboard.boards.livestore import live_redis_sync
from dashboard.models import PAIRING_CODE_LIFETIME, Display, PairingRequest, hash_secret

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read off a TV across a room and typed without doubt.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_HALF = 3  # "K7Q-4MX": about 2.4e8 codes, and only a handful live at any time
PAIRING_COOKIE = "wb_pairing"
# Codes one address may request in a row (each request restarts the window): a TV keeps its
# code across reloads (by cookie), so this only bites a flood, and a building behind one NAT
# may still pair dozens of TVs at once.
CODES_PER_ADDRESS = 30
RATE_WINDOW_S = int(PAIRING_CODE_LIFETIME.total_seconds())
# However many addresses flood us, the table holds at most this many live codes.
MAX_LIVE_CODES = 500


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    letters = "".join(choice(ALPHABET) for _ in range(2 * CODE_HALF))
    return f"{letters[:CODE_HALF]}-{letters[CODE_HALF:]}"


def normalise_code(text: str) -> str:
    """What an admin typed ("k7q 4mx", "K7Q4MX") in the form the TV shows ("K7Q-4MX")."""
    letters = "".join(c for c in text.upper() if c.isalnum())
    return f"{letters[:CODE_HALF]}-{letters[CODE_HALF:]}" if len(letters) == 2 * CODE_HALF else ""


def live_requests() -> QuerySet[PairingRequest]:
    return PairingRequest.objects.filter(expires_at__gt=timezone.now())


def rate_limited(address: str) -> bool:
    """True once this address asked for too many codes lately (or too many codes are live)."""
    key = f"wb:pairing-rate:{address}"
    # Without Redis, the cap on live codes below still holds.
    with contextlib.suppress(RedisError), live_redis_sync().pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, RATE_WINDOW_S)
        count, _ = pipe.execute()
        if count > CODES_PER_ADDRESS:
            return True
    return live_requests().count() >= MAX_LIVE_CODES


def start(address: str) -> tuple[PairingRequest, str] | None:
    """A new code and the secret for the TV's pairing cookie; None when rate-limited."""
    PairingRequest.objects.filter(expires_at__lte=timezone.now()).delete()
    if rate_limited(address):
        return None
    secret = secrets.token_urlsafe(32)
    expires_at = timezone.now() + PAIRING_CODE_LIFETIME
    for _ in range(5):  # a clash with a live code is rare; try another
        with contextlib.suppress(IntegrityError):
            request = PairingRequest.objects.create(
                code=new_code(), secret_hash=hash_secret(secret), expires_at=expires_at
            )
            return request, secret
    raise RuntimeError("no free pairing code after 5 tries")


def pending(secret: str | None) -> PairingRequest | None:
    """The live pairing request whose cookie this is."""
    if not secret:
        return None
    found = live_requests().select_related("display").filter(secret_hash=hash_secret(secret))
    return found.first()


def pair(code: str, display: Display) -> bool:
    """An admin entered this code for this display; False if no TV shows it (any more)."""
    return bool(
        live_requests()
        .filter(code=normalise_code(code), display__isnull=True)
        .update(display=display)
    )


def finish(request: PairingRequest) -> str | None:
    """The display credential for a request an admin has paired (used up); None if not yet."""
    display = request.display
    if display is None or display.revoked:
        return None
    request.delete()
    return issue_credential(display)
