"""Fields of what the PBX sends, read defensively, and what we could not use of it, counted."""

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# A frame is logged this long at most: enough to see its shape.
SHOWN_CHARS = 300
# Kinds are event types the PBX names: however many it invents, the counter stays this small.
MAX_KINDS = 50
OTHER_KIND = "other"
# A token as a query parameter (`?access_token=…`) or a JSON key, JSON-encoded again or not
# (30011's `msg` is a string holding JSON: `\"token\":\"…\"`).
_TOKEN = re.compile(
    r"""((?:access_|refresh_)?token(?:\\?["'])?\s*[=:]\s*(?:\\?["'])?)[^"'\\&\s,;}]+""",
    re.IGNORECASE,
)


def text(value: object) -> str:
    """A field as stripped text ("" when missing or not a scalar; numbers accepted, 6402.0
    as "6402")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def integer(value: object) -> int | None:
    """An integer from an integer or its text; None if missing or unreadable."""
    try:
        return int(text(value))
    except ValueError:
        return None


def seconds(value: object) -> int | None:
    """Whole non-negative seconds from a number or its text; None if missing or unreadable."""
    try:
        return max(0, int(float(text(value))))
    except (ValueError, OverflowError):
        return None


def rows(value: object) -> list[Mapping[str, Any]]:
    """The objects of a list (a reply's rows, a queue's members); anything else is none."""
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def redact(written: str) -> str:
    """The text with every token's value replaced (a frame or URL may carry ours)."""
    return _TOKEN.sub(r"\1[redacted]", written)


def shown(frame: object) -> str:
    """A frame as logged: JSON, tokens redacted, cut to SHOWN_CHARS."""
    written = frame if isinstance(frame, str) else json.dumps(frame, default=str)
    return redact(written)[:SHOWN_CHARS]


@dataclass
class Unusable:
    """What the PBX sent that we could not use, counted by kind (an event type, "unknown type
    30099", "unparseable frame"): a misread payload or a PBX quirk to explain. Each problem
    of a kind is logged once, with its frame: the count says how often."""

    counts: Counter[str] = field(default_factory=Counter)
    _logged: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def note(self, kind: str, problems: Iterable[str], frame: object) -> None:
        if kind not in self.counts and len(self.counts) >= MAX_KINDS:
            kind = OTHER_KIND
        self.counts[kind] += 1
        for problem in problems:
            if (kind, problem) not in self._logged:
                self._logged.add((kind, problem))
                log.warning(
                    "Could not use PBX %s: %s (logged once): %s", kind, problem, shown(frame)
                )
