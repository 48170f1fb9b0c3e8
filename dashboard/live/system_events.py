"""30035 System Event Notification (warning): read defensively, the latest kept for the admin."""

import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from dashboard.live.fields import integer, rows, text

# The admin's PBX health page lists this many, newest first; the PBX's own event log has the rest.
KEPT = 20
# The guide's example is five short lines: a longer text is cut, so that a runaway payload
# cannot swell the value every publish of the list writes.
MAX_CONTENT_CHARS = 2_000
# Levels below a warning (docs/yeastar-api.md §4.11: info, warn, error). A level we do not know
# is kept: it may be worse.
BELOW_WARNING = frozenset({"info"})
NOTHING_TO_SHOW = "no event name or content"
BELOW_LEVEL = "a level below warning"
TIME_UNREAD = "a create time we cannot read"


class PbxWarning(TypedDict):
    """One warning as kept, in the `pbx_warnings` stream (docs/architecture.md)."""

    at: int  # epoch ms: when the PBX says it happened, else when it reached the worker
    event_name: str  # "sip_trunk_disconnect"; "" when missing
    event_type: str  # operation, telephony, system, security, reminder; "" when missing
    event_level: str  # "warn"; "" when missing
    event_content: str  # the PBX's own words, one line each


def read_warning(msg: Mapping[str, Any], at: int) -> PbxWarning:
    """A payload's (or a kept row's) fields, each read defensively."""
    return {
        "at": at,
        "event_name": text(msg.get("event_name")),
        "event_type": text(msg.get("event_type")),
        "event_level": text(msg.get("event_level")),
        "event_content": _lines(msg.get("event_content")),
    }


def _lines(value: object) -> str:
    """The PBX's text with each line stripped (the guide's example indents them) and blank
    lines dropped, cut to MAX_CONTENT_CHARS."""
    lines = (line.strip() for line in text(value).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_CONTENT_CHARS]


def _problem(warning: PbxWarning) -> str:
    """Why a warning is not kept ("" when it is)."""
    if not warning["event_name"] and not warning["event_content"]:
        return NOTHING_TO_SHOW
    return BELOW_LEVEL if warning["event_level"].lower() in BELOW_WARNING else ""


def stored_warnings(raw: object) -> list[PbxWarning]:
    """The warnings of a stored `pbx_warnings` value (`{"epoch", "seq", "data": {"warnings"}}`),
    newest first, read defensively: another version may have written it."""
    try:
        stored = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return []
    data = stored.get("data") if isinstance(stored, dict) else None
    found = rows(data.get("warnings")) if isinstance(data, dict) else []
    kept = [read_warning(row, at) for row in found if (at := integer(row.get("at"))) is not None]
    return kept[:KEPT]


@dataclass
class PbxWarnings:
    """The PBX's latest warnings, oldest first, KEPT at most."""

    kept: deque[PbxWarning] = field(default_factory=lambda: deque(maxlen=KEPT))

    def take(self, msg: Mapping[str, Any], at: int | None, now_ms: int) -> tuple[str, ...]:
        """Keep a 30035 that has something to show, at `at` (its `create_time` read in the
        PBX's zone; None: unreadable, so when it came). Returns what of it we could not use."""
        warning = read_warning(msg, now_ms if at is None else at)
        problem = _problem(warning)
        if problem:
            return (problem,)
        self.kept.append(warning)
        return () if at is not None else (TIME_UNREAD,)

    def adopt(self, stored: object) -> None:
        """Carry on with a previous worker's list (before any event): warnings come once, and
        a restart or a hand-over must not lose them."""
        self.kept.extend(reversed(stored_warnings(stored)))

    def data(self) -> dict[str, list[PbxWarning]]:
        """The `pbx_warnings` stream's data: the warnings, newest first."""
        return {"warnings": list(reversed(self.kept))}
