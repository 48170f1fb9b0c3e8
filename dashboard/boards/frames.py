"""The board socket's frames: the snapshot (board settings + streams), pong, errors, and what
browsers may send (see docs/protocol.md)."""

import json
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from dashboard.boards.livestore import Snapshot, StreamEntry
from dashboard.models import Board
from dashboard.streams import compact


@dataclass(frozen=True)
class Ping:
    """A keep-alive that also acknowledges the last `seq` applied per stream."""

    acks: dict[str, int]


@dataclass(frozen=True)
class Resync:
    """The browser asks for a fresh snapshot."""


@dataclass(frozen=True)
class Invalid:
    error: str


Incoming = Ping | Resync | Invalid


class Thresholds(TypedDict):
    """At or beyond *warn* a figure turns amber, at *critical* red (service level: at or below;
    available agents: fewer than, 0 for no alarm)."""

    waiting_warn: int
    waiting_critical: int
    longest_wait_warn_s: int
    longest_wait_critical_s: int
    service_level_warn: int
    service_level_critical: int
    abandon_rate_warn: int
    abandon_rate_critical: int
    available_warn: int
    available_critical: int


class Alarms(TypedDict):
    """How long a critical figure flashes, and what supervisors acknowledged, per queue."""

    flash_s: int
    acknowledged: dict[str, Any]  # Board.acknowledged_alarms, as dashboard/boards/alarms.py writes


class Sections(TypedDict):
    """Which parts of the board to show."""

    agents: bool
    waiting: bool
    calls: bool


class BoardSettings(TypedDict):
    """A snapshot's `board`: a change to any of it starts the board's screens afresh."""

    slug: str
    name: str
    queues: list[str]
    language: str  # "" (each browser's own preference), "en" or "th": the model's choices
    thresholds: Thresholds
    alarms: Alarms
    sections: Sections


class SnapshotFrame(TypedDict):
    """The first frame on every socket (docs/protocol.md)."""

    type: Literal["snapshot"]
    server_time: int
    release: str  # the web process's: a screen loaded from another release reloads
    board: BoardSettings
    epoch: str
    streams: dict[str, StreamEntry]


def board_settings(board: Board) -> BoardSettings:
    """What a screen needs to know about its board besides the live data."""
    return {
        "slug": board.slug,
        "name": board.name,
        "queues": board.queue_numbers,
        "language": board.language,
        "thresholds": {
            "waiting_warn": board.waiting_warn,
            "waiting_critical": board.waiting_critical,
            "longest_wait_warn_s": board.longest_wait_warn_s,
            "longest_wait_critical_s": board.longest_wait_critical_s,
            "service_level_warn": board.service_level_warn,
            "service_level_critical": board.service_level_critical,
            "abandon_rate_warn": board.abandon_rate_warn,
            "abandon_rate_critical": board.abandon_rate_critical,
            "available_warn": board.available_warn,
            "available_critical": board.available_critical,
        },
        "alarms": {"flash_s": board.flash_s, "acknowledged": board.acknowledged_alarms},
        "sections": {
            "agents": board.show_agents,
            "waiting": board.show_waiting,
            "calls": board.show_calls,
        },
    }


def snapshot_frame(settings: BoardSettings, snapshot: Snapshot, now_ms: int, release: str) -> str:
    """The first frame on every socket, and the snapshot API's body (the same JSON)."""
    frame: SnapshotFrame = {
        "type": "snapshot",
        "server_time": now_ms,
        "release": release,
        "board": settings,
        "epoch": snapshot["epoch"],
        "streams": snapshot["streams"],
    }
    return compact(frame)


def pong_frame(now_ms: int) -> str:
    return compact({"type": "pong", "server_time": now_ms})


def error_frame(error: str) -> str:
    return compact({"type": "error", "error": error})


def parse_incoming(text: str) -> Incoming:
    """A browser's message, or what is wrong with it (answered with an error frame)."""
    try:
        message = json.loads(text)
    except ValueError:
        return Invalid("not JSON")
    except RecursionError:  # a few KiB of brackets are enough to reach Python's limit
        return Invalid("nested too deeply")
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "resync":
        return Resync()
    if kind != "ping":
        return Invalid(f"unknown message type {kind!r}: send ping or resync")
    acks = message.get("seq", {})
    if not isinstance(acks, dict) or not all(valid_ack(seq) for seq in acks.values()):
        return Invalid('ping "seq" must map stream names to the last seq applied')
    return Ping({str(stream): seq for stream, seq in acks.items()})


def valid_ack(seq: object) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0
