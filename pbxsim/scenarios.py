"""Built-in PBX configurations (`small`, `contact-centre`, `stress`) and JSON scenario files."""

import json
from pathlib import Path
from typing import Any

from pbxsim.directory import DEFAULT_PAUSE_REASONS, SMALL, Directory, ExtensionDef, QueueDef

STRATEGY_CYCLE = ("ring_all", "least_recent", "linear", "fewest_calls", "rrmemory", "random")


def generated(queues: int, agents_per_queue: int, supervisors: int) -> Directory:
    """`queues` queues from 6400 up, each with its own agents (a third dynamic), every tenth
    agent also dynamic in the next queue, and `supervisors` supervisor extensions from 1100."""
    extensions, defs = [], []
    for q in range(queues):
        numbers = [str(2000 + q * agents_per_queue + i) for i in range(agents_per_queue)]
        extensions += [ExtensionDef(100 + int(n) - 2000, n, f"Agent {n}") for n in numbers]
        split = agents_per_queue - agents_per_queue // 3
        borrowed = [str(int(n) - agents_per_queue) for n in numbers[::10]] if q else []
        defs.append(
            QueueDef(
                q + 1, str(6400 + q), f"Queue {q + 1}", f"0210{6400 + q:05d}",
                STRATEGY_CYCLE[q % len(STRATEGY_CYCLE)],
                tuple(numbers[:split]), tuple(numbers[split:] + borrowed),
            )
        )  # fmt: skip
    extensions += [
        ExtensionDef(40 + s, str(1100 + s), f"Supervisor {s + 1}") for s in range(supervisors)
    ]
    return Directory("SIP-Trunk", tuple(extensions), tuple(defs))


BUILT_IN = {
    "small": lambda: SMALL,
    "contact-centre": lambda: generated(10, 20, 5),
    "stress": lambda: generated(50, 20, 10),
}


def _queue(raw: dict[str, Any]) -> QueueDef:
    raw = dict(raw)
    raw["static_agents"] = tuple(raw.get("static_agents", ()))
    raw["dynamic_agents"] = tuple(raw.get("dynamic_agents", ()))
    return QueueDef(**raw)


def load(path: Path) -> Directory:
    """A scenario file: `{"trunk_name", "extensions": [{id, number, name}], "queues": [{id,
    number, name, did, ring_strategy, static_agents, dynamic_agents, …timings}],
    "pause_reasons": [{code, reason}]}` (pause_reasons optional)."""
    raw = json.loads(path.read_text())
    reasons = raw.get("pause_reasons")
    return Directory(
        trunk_name=raw.get("trunk_name", "SIP-Trunk"),
        extensions=tuple(ExtensionDef(**e) for e in raw["extensions"]),
        queues=tuple(_queue(q) for q in raw["queues"]),
        pause_reasons=(
            tuple((r["code"], r["reason"]) for r in reasons) if reasons else DEFAULT_PAUSE_REASONS
        ),
    )


def scenario(name: str) -> Directory:
    """A built-in scenario by name, or a JSON scenario file by path."""
    if name in BUILT_IN:
        return BUILT_IN[name]()
    return load(Path(name))
