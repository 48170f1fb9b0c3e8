"""A synthetic large board for bench.render: queue streams shaped like the worker's
(`dashboard.live.view.queue_data`, docs/protocol.md) and a seeded run of realistic changes."""

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

AGENT_STATES = ("available", "ringing", "on_call", "wrap_up", "paused", "unavailable",
                "logged_out")  # fmt: skip
# An agent's day goes round this cycle; a few pause and unpause on the way.
NEXT_STATE = {"available": "ringing", "ringing": "on_call", "on_call": "wrap_up",
              "wrap_up": "available", "paused": "available"}  # fmt: skip
CALL_STATUS = {"ringing": "ringing", "on_call": "talking"}
PAUSE_CHANCE = 0.05
ARRIVAL_CHANCE = 0.3
# Callers beyond this many abandon: the waiting list stays the size of a busy queue's.
MAX_WAITING = 8
FIRST_QUEUE = 6400
FIRST_EXTENSION = 1000


def queue_numbers(queues: int) -> list[str]:
    return [str(FIRST_QUEUE + index) for index in range(queues)]


def _agent(index: int, now_ms: int) -> dict[str, Any]:
    return {
        "number": str(FIRST_EXTENSION + index), "name": f"Agent {index:04d}", "kind": "static",
        "logged_in": True, "paused": False, "pause_reason": "", "auto_paused": False,
        "missed_calls": [], "call_status": "idle", "since": now_ms, "state": "available",
        "today": {"answered": 0, "missed": 0, "pause_ms": {}, "since": now_ms},
        "presence": "available", "registered": True,
    }  # fmt: skip


def _today(now_ms: int) -> dict[str, Any]:
    counters = ("offered", "answered", "abandoned", "short_abandoned", "timed_out",
                "transferred", "answered_in_sl", "abandoned_after_sl", "answered_wait_ms",
                "handled", "talk_ms")  # fmt: skip
    return {**dict.fromkeys(counters, 0), "service_level": None, "asa_s": None, "aht_s": None,
            "since": now_ms, "partial": False}  # fmt: skip


@dataclass
class SyntheticBoard:
    """Every queue's stream data, changed in place one event at a time."""

    queues: dict[str, dict[str, Any]]
    rng: random.Random
    calls: int = 0

    def streams(self) -> dict[str, dict[str, Any]]:
        return {f"queue:{number}": data for number, data in self.queues.items()}


def build(agents: int, queues: int, now_ms: int, seed: int = 1) -> SyntheticBoard:
    """`agents` agents dealt round the queues (each a member of one), all available."""
    numbers = queue_numbers(queues)
    board = SyntheticBoard(
        {n: {"number": n, "name": f"Queue {n}", "waiting": [], "agents": [], "calls": [],
             "figures": {}, "today": _today(now_ms)} for n in numbers},
        random.Random(seed),
    )  # fmt: skip
    for index in range(agents):
        board.queues[numbers[index % queues]]["agents"].append(_agent(index, now_ms))
    for data in board.queues.values():
        _figures(data)
    return board


def step(board: SyntheticBoard, now_ms: int) -> tuple[str, dict[str, Any]]:
    """One PBX change (a caller arrives, an agent moves on): the stream and its whole new data."""
    number = board.rng.choice(list(board.queues))
    data = board.queues[number]
    if board.rng.random() < ARRIVAL_CHANCE:
        _arrive(board, data, now_ms)
    if data["agents"]:
        _move(board, data, board.rng.choice(data["agents"]), now_ms)
    _figures(data)
    return f"queue:{number}", data


def _arrive(board: SyntheticBoard, data: dict[str, Any], now_ms: int) -> None:
    board.calls += 1
    caller = f"0{board.rng.randrange(10**8, 10**9)}"
    data["waiting"].append({"call_id": f"{now_ms // 1000}.{board.calls}", "caller": caller,
                            "since": now_ms})  # fmt: skip
    data["today"]["offered"] += 1
    if len(data["waiting"]) > MAX_WAITING:
        data["waiting"].pop(0)
        data["today"]["abandoned"] += 1


def _move(board: SyntheticBoard, data: dict[str, Any], agent: dict[str, Any], now_ms: int) -> None:
    state = agent["state"]
    if state == "available" and board.rng.random() < PAUSE_CHANCE:
        upcoming = "paused"
    else:
        upcoming = NEXT_STATE.get(state, "available")
    if upcoming == "on_call":
        _answer(data, agent, now_ms)
    if state == "on_call":
        data["calls"] = [call for call in data["calls"] if call["agent"] != agent["number"]]
        data["today"]["handled"] += 1
    paused = upcoming == "paused"
    agent.update(state=upcoming, since=now_ms, call_status=CALL_STATUS.get(upcoming, "idle"),
                 paused=paused, pause_reason="Lunch" if paused else "")  # fmt: skip


def _answer(data: dict[str, Any], agent: dict[str, Any], now_ms: int) -> None:
    """The agent picks up the longest-waiting caller (or an outside call when nobody waits)."""
    caller = data["waiting"].pop(0) if data["waiting"] else {"call_id": f"x{now_ms}", "caller": ""}
    data["calls"].append({
        "call_id": caller["call_id"], "caller": caller["caller"], "agent": agent["number"],
        "agent_name": agent["name"], "since": now_ms, "held": False,
        "agent_channel_id": f"PJSIP/{agent['number']}-{now_ms % 10**8:08x}",
    })  # fmt: skip
    agent["today"]["answered"] += 1
    today = data["today"]
    today["answered"] += 1
    today["answered_in_sl"] += 1
    settled = today["answered"] + today["abandoned"]
    today["service_level"] = round(100 * today["answered_in_sl"] / settled, 1)


def _figures(data: dict[str, Any]) -> None:
    counts = Counter(agent["state"] for agent in data["agents"])
    waiting = data["waiting"]
    data["figures"] = {
        "waiting": len(waiting),
        "logged_in": sum(1 for agent in data["agents"] if agent["logged_in"]),
        **{name: counts.get(name, 0) for name in AGENT_STATES},
        "longest_wait_since": waiting[0]["since"] if waiting else None,
    }
