"""Built-in PBX configurations (`small`, `demo`, `contact-centre`, `stress`) and JSON scenario
files."""

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pbxsim.arrivals import QueueRate, Scenario
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


# The demo's call centre: `small`'s queues, extensions and supervisor, staffed for about
# 10 callers a minute to Sales and 7.5 to Support (at `--arrival-per-min 10`, as `make demo` runs
# it), with a one-minute rush of 2.5 times that to each queue every ten minutes, Support's five
# minutes after Sales'. Measured in docs/pbxsim.md ("The demo's call centre").
_DEMO_NAMES = (
    "Ice Kittisak", "Jin Park", "Kanya Suk", "Lek Wong", "May Tan", "Nok Chai", "Oat Siri",
    "Ploy Rattana", "Rin Sato", "Som Boon", "Tae Kim", "Ubon Dee", "Vee Lert", "Wan Phet",
    "Yui Mori", "Zaw Min", "Aom Jaidee", "Bow Sriwan",
)  # fmt: skip
_DEMO_EXTRA = tuple(ExtensionDef(50 + i, str(1009 + i), name) for i, name in enumerate(_DEMO_NAMES))
_SALES_RATE = QueueRate(share=1.0, spell_factor=2.5, spell_first=240.0, spell_length=60.0)
_SUPPORT_RATE = QueueRate(share=0.75, spell_factor=2.5, spell_first=540.0, spell_length=60.0)


def demo() -> Scenario:
    """`small` plus 18 agents (1009-1026, IDs 50-67): Sales 15 (11 static), Support 12
    (6 static), 1003 in both; Support fails over to voicemail after a minute."""
    extra = [e.number for e in _DEMO_EXTRA]
    sales, support = SMALL.queues
    queues = (
        replace(sales, static_agents=(*sales.static_agents, *extra[0:9]),
                dynamic_agents=(*sales.dynamic_agents, *extra[9:11])),
        replace(support, static_agents=(*support.static_agents, *extra[11:15]),
                dynamic_agents=(*support.dynamic_agents, *extra[15:18]), max_wait_time=60),
    )  # fmt: skip
    return Scenario(
        trunk_name=SMALL.trunk_name,
        extensions=(*SMALL.extensions, *_DEMO_EXTRA),
        queues=queues,
        pause_reasons=SMALL.pause_reasons,
        arrivals={sales.number: _SALES_RATE, support.number: _SUPPORT_RATE},
    )


BUILT_IN: dict[str, Callable[[], Directory]] = {
    "small": lambda: SMALL,
    "demo": demo,
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
