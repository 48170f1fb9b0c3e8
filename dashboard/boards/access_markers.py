"""Redis markers that make open board sockets re-check their access within seconds: a session
signed out, a user deactivated, changed or deleted, a viewer's grant removed (docs/protocol.md)."""

import contextlib
from collections.abc import Collection, Iterable
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from redis.exceptions import RedisError

from dashboard.boards.livestore import live_redis, live_redis_sync
from dashboard.models import Board, hash_secret

# Each web process polls the markers every 2 s, and sockets re-read the database every minute;
# a marker only has to outlive one database re-check, and then some.
MARKER_TTL_S = 600
# Saving only these fields takes nothing away: Django saves last_login at each sign-in.
HARMLESS_SAVES = frozenset({"last_login"})


def session_marker(session_key: str) -> str:
    # The session key is a credential: only its digest goes to Redis.
    return f"wb:session-ended:{hash_secret(session_key)}"


def user_marker(user_id: int) -> str:
    return f"wb:user-changed:{user_id}"


def settings_marker(stream: str) -> str:
    """Bumped when the settings of the boards following this stream changed (a supervisor
    acknowledged their alarms, dashboard/boards/alarms.py): their screens re-check, and so
    reconnect with the new settings, within seconds (docs/protocol.md)."""
    return f"wb:settings-changed:{stream}"


def announce(keys: list[str]) -> None:
    """Once the change is committed, change these markers: the sockets watching them re-check
    then, never before the database shows what they must find."""
    if keys:
        transaction.on_commit(partial(bump, keys))


def bump(keys: list[str]) -> None:
    """Best effort: without Redis the sockets' minutely database re-check still notices."""
    with contextlib.suppress(RedisError), live_redis_sync().pipeline() as pipe:
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, MARKER_TTL_S)
        pipe.execute()


async def read_markers(keys: Collection[str]) -> dict[str, str | None]:
    """The markers' values now (None: not set): one round trip for a whole web process."""
    ordered = list(keys)
    if not ordered:
        return {}
    return dict(zip(ordered, await live_redis().mget(ordered), strict=True))


def on_signed_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Django flushes the session only after this signal: it leaves the store here first, so
    its sockets, re-checking at the marker, find it gone."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if session is not None and key:
        session.delete()
        announce([session_marker(key)])


def on_user_saved(
    sender: Any, instance: Any, created: bool, update_fields: Iterable[str] | None, **kwargs: Any
) -> None:
    """Deactivated, demoted, given a new password: the user's sockets re-check."""
    if not created and (update_fields is None or not HARMLESS_SAVES.issuperset(update_fields)):
        announce([user_marker(instance.pk)])


def on_user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    announce([user_marker(instance.pk)])


def on_viewers_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """Viewers removed from a board (or boards from a user): those users' sockets re-check. A
    clear names nobody afterwards, so its viewers are read before."""
    if action not in ("post_remove", "pre_clear"):
        return
    if reverse:  # changed from the user's side: the instance is the user
        users = [instance.pk]
    elif action == "pre_clear":
        users = list(instance.viewers.values_list("pk", flat=True))
    else:
        users = list(pk_set or ())
    announce([user_marker(user_id) for user_id in users])


def connect_signals() -> None:
    user_model = get_user_model()
    user_logged_out.connect(on_signed_out, dispatch_uid="wb-signed-out")
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid="wb-user-saved")
    post_delete.connect(on_user_deleted, sender=user_model, dispatch_uid="wb-user-deleted")
    m2m_changed.connect(
        on_viewers_changed, sender=Board.viewers.through, dispatch_uid="wb-viewers-changed"
    )
