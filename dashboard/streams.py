"""Live-state streams: their names, Redis keys, channel-layer groups and wire form."""

import json
from typing import Any

LINK_STREAM = "link"
EPOCH_KEY = "wb:epoch"
# The PBX's number↔ID maps, written by the worker for every process (actions need IDs).
DIRECTORY_KEY = "wb:directory"


def queue_stream(number: str) -> str:
    return f"queue:{number}"


def stream_key(stream: str) -> str:
    """The Redis key holding a stream's latest `{"epoch", "seq", "data"}`."""
    return f"wb:stream:{stream}"


def stream_group(stream: str) -> str:
    """Channel-layer group names allow only ASCII letters, digits, '-', '_' and '.'."""
    return "wb." + stream.replace(":", ".")


def board_streams(queue_numbers: list[str]) -> list[str]:
    """Every board follows the PBX link's health and each of its queues."""
    return [LINK_STREAM, *(queue_stream(number) for number in queue_numbers)]


def compact(data: dict[str, Any]) -> str:
    """The one JSON form of everything stored or sent: no spaces to pay for on every screen."""
    return json.dumps(data, separators=(",", ":"))
