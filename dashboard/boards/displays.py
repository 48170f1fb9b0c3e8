"""Wall-TV displays: online status, last seen, and revocation that live sockets notice fast."""

import contextlib
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone
from redis.exceptions import RedisError

from dashboard.boards.access_markers import MARKER_TTL_S
from dashboard.boards.livestore import live_redis_sync
from dashboard.models import Display, PairingRequest

# A connected TV refreshes last_seen_at every minute, so two minutes of silence means offline.
ONLINE_WITHIN = timedelta(minutes=2)
# A revoked display keeps no way back in: neither its credential nor a pairing link not yet used.
NO_CREDENTIAL = {"token_hash": "", "claim_hash": "", "claim_expires_at": None}


DisplayStatus = Literal["online", "stale", "never"]


def display_status(last_seen_at: datetime | None, now: datetime) -> DisplayStatus:
    """ "online", "stale" (seen, but not within two minutes) or "never" (never connected)."""
    if last_seen_at is None:
        return "never"
    return "online" if now - last_seen_at < ONLINE_WITHIN else "stale"


def revocation_key(display_id: int) -> str:
    return f"wb:display-revoked:{display_id}"


def revoke(displays: QuerySet[Display]) -> int:
    """Revoke these displays and mark them in Redis, so their live sockets close within seconds.
    Their credentials are destroyed, so un-revoking alone lets no old cookie back in."""
    ids = list(displays.values_list("pk", flat=True))
    Display.objects.filter(pk__in=ids).update(revoked=True, **NO_CREDENTIAL)
    # A code an admin already entered for one of them must not pair its TV after an un-revoke.
    PairingRequest.objects.filter(display_id__in=ids).delete()
    mark_revoked(ids)
    return len(ids)


def forget_credential(display: Display) -> None:
    """Drop the display's credential and unused pairing link (saved with the display)."""
    for field, value in NO_CREDENTIAL.items():
        setattr(display, field, value)


def issue_credential(display: Display) -> str:
    """Pair a browser as this display: a new credential, and no marker left from a revocation."""
    token = display.claim()
    clear_revoked([display.pk])
    return token


def mark_revoked(ids: list[int]) -> None:
    """Best effort: without Redis the sockets' minutely database re-check still notices."""
    if not ids:
        return
    with contextlib.suppress(RedisError), live_redis_sync().pipeline() as pipe:
        for display_id in ids:
            pipe.set(revocation_key(display_id), "1", ex=MARKER_TTL_S)
        pipe.execute()


def clear_revoked(ids: list[int]) -> None:
    """Un-revoked or paired again: a marker left would close the new screen's sockets for up to
    MARKER_TTL_S. Best effort: without Redis no socket of it works anyway."""
    if not ids:
        return
    with contextlib.suppress(RedisError):
        live_redis_sync().delete(*[revocation_key(display_id) for display_id in ids])


def touch(display_id: int) -> None:
    """Record that the display is connected now (one UPDATE, no read)."""
    Display.objects.filter(pk=display_id).update(last_seen_at=timezone.now())
