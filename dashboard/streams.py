"""Live-state streams: their names, Redis keys, channel-layer groups and wire form."""

import json
from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from dashboard.live.link import LinkReason

LINK_STREAM = "link"
# The worker's heartbeat, every 2 s whatever the PBX does (BEAT_S in worker/loop.py).
BEAT_STREAM = "beat"
EPOCH_KEY = "wb:epoch"
# The PBX's latest warnings (30035) for the admin's PBX health page; no board follows it.
PBX_WARNINGS_STREAM = "pbx_warnings"
# The PBX's number↔ID maps, written by the worker for every process (actions need IDs).
DIRECTORY_KEY = "wb:directory"

# not_answering: the PBX went silent (no event or heartbeat response within the deadline, or a
# connection or REST request that timed out); reconnecting: it closed or refused the link.
LinkState = Literal["connecting", "connected", "reconnecting", "not_answering", "down"]
AgentKind = Literal["static", "dynamic"]


class Link(TypedDict):
    """The PBX link as the worker knows it (epoch milliseconds)."""

    state: LinkState
    since: int  # when `state` began
    detail: str  # why the link is not connected, in English, for logs and /healthz
    reason: LinkReason  # the same, as a code screens translate
    last_event_at: NotRequired[int]  # absent until the first event
    last_heartbeat_at: NotRequired[int]  # absent until the first heartbeat reply


class LinkData(Link):
    """The `link` stream's data, as every board receives it."""

    checked_at: int  # when the worker last published it: boards go stale when it is old
    token_expires_at: int | None  # the shared PBX token's expiry, if there is one
    corrections: dict[str, int]  # REST resync corrections by kind, since the worker started
    unusable: dict[str, int]  # PBX frames (parts) we could not use, by event type, since then
    outcomes_from_cdrs: int  # today's outcomes counted from CDRs, not events, since then


class BeatData(TypedDict):
    """The `beat` stream's data: the worker is alive, and when the PBX last was (epoch ms, both
    on the worker's clock, so their difference is exact wherever the screen's clock stands)."""

    at: int  # when the worker beat
    # The PBX's last sign of life (an event, a heartbeat response, a completed resync) while the
    # link was connected: what the figures are as fresh as. None before the first connection.
    pbx_heard_at: int | None


class DirectoryAgent(TypedDict):
    kind: AgentKind


class DirectoryQueue(TypedDict):
    id: int
    name: str
    agents: dict[str, DirectoryAgent]  # by extension number


class DirectoryExtension(TypedDict):
    id: int
    name: str


class DirectoryData(TypedDict):
    """The `wb:directory` value: queues and extensions by number, with the PBX's IDs."""

    queues: dict[str, DirectoryQueue]
    extensions: dict[str, DirectoryExtension]


def queue_stream(number: str) -> str:
    return f"queue:{number}"


def stream_key(stream: str) -> str:
    """The Redis key holding a stream's latest `{"epoch", "seq", "data"}`."""
    return f"wb:stream:{stream}"


def stream_group(stream: str) -> str:
    """Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.'."""
    return "wb." + stream.replace(":", ".")


def board_streams(queue_numbers: list[str]) -> list[str]:
    """Every board follows the PBX link's health, the worker's beat and each of its queues."""
    return [LINK_STREAM, BEAT_STREAM, *(queue_stream(number) for number in queue_numbers)]


def compact(data: Mapping[str, object]) -> str:
    """The one JSON form of everything stored or sent: no spaces to pay for on every screen."""
    return json.dumps(data, separators=(",", ":"))
