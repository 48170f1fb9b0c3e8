"""The PBX's recent warnings (30035) as the worker keeps them, in words for the PBX health page."""

from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dashboard.boards.livestore import live_redis_sync
from dashboard.live.system_events import KEPT, PbxWarning, stored_warnings
from dashboard.streams import PBX_WARNINGS_STREAM, stream_key

# The event types and levels docs/yeastar-api.md §4.11 lists, in words; another is shown as sent.
TYPES = {
    "operation": _("Operation"),
    "telephony": _("Telephony"),
    "system": _("System"),
    "security": _("Security"),
    "reminder": _("Reminder"),
}
LEVELS = {"info": _("Information"), "warn": _("Warning"), "error": _("Alert")}


@dataclass(frozen=True)
class ShownWarning:
    at: datetime  # aware: a template shows it in TIME_ZONE
    name: str
    type: str | Promise
    level: str | Promise
    content: str  # the PBX's own words (English), one line each


@dataclass(frozen=True)
class RecentWarnings:
    """What the page lists, newest first, and why it could not read them ("" when it could)."""

    warnings: list[ShownWarning]
    error: str
    kept: int = KEPT


def recent_warnings() -> RecentWarnings:
    """The list the active worker last stored, whichever worker that was: each worker carries
    on with its predecessor's list."""
    try:
        raw = live_redis_sync().get(stream_key(PBX_WARNINGS_STREAM))
    except redis.RedisError as error:  # the kind only: a message may name hosts
        return RecentWarnings([], type(error).__name__)
    return RecentWarnings([shown(warning) for warning in stored_warnings(raw)], "")


def shown(warning: PbxWarning) -> ShownWarning:
    """A warning in words: `sip_trunk_disconnect` as "sip trunk disconnect", the type and
    level translated."""
    kind, level = warning["event_type"], warning["event_level"]
    return ShownWarning(
        at=datetime.fromtimestamp(warning["at"] / 1000, UTC),
        name=warning["event_name"].replace("_", " "),
        type=TYPES.get(kind.lower(), kind),
        level=LEVELS.get(level.lower(), level),
        content=warning["event_content"],
    )
