"""Where the board page's main thread spends its time, from a Chromium timeline trace."""

from collections import Counter
from typing import Any

# Trace event names (devtools.timeline) worth a column: the work of a delta and of a frame.
# FunctionCall holds the page's handlers and timers (a forced layout inside one counts twice).
STAGES = ("RunTask", "FunctionCall", "UpdateLayoutTree", "Layout", "PrePaint", "Paint",
          "Layerize", "Commit", "MinorGC", "MajorGC")  # fmt: skip


def main_thread(events: list[dict[str, Any]]) -> tuple[int, int] | None:
    """The busiest renderer main thread (the board's page, not a blank or helper one)."""
    mains = {
        (e["pid"], e["tid"]) for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }  # fmt: skip
    busy = Counter((e["pid"], e["tid"]) for e in events if (e.get("pid"), e.get("tid")) in mains)
    return busy.most_common(1)[0][0] if busy else None


def timeline(trace: dict[str, Any], deltas: int) -> dict[str, Any]:
    """Main-thread ms per delta by stage, frames painted, and how much each layout covered."""
    events = trace.get("traceEvents", [])
    thread = main_thread(events)
    ours = [e for e in events if (e.get("pid"), e.get("tid")) == thread and e.get("ph") == "X"]
    total: Counter[str] = Counter()
    for event in ours:
        if event["name"] in STAGES:
            total[event["name"]] += event.get("dur", 0) / 1000
    layouts = [e.get("args", {}).get("beginData", {}) for e in ours if e["name"] == "Layout"]
    frames = sum(1 for e in ours if e["name"] == "PrePaint")
    return {
        "ms_per_delta": {name: round(total[name] / max(1, deltas), 2) for name in STAGES},
        "frames": frames,
        "layouts": len(layouts),
        "ms_per_layout": round(total["Layout"] / max(1, len(layouts)), 2),
        "layout_dirty_objects_mean": _mean(layout.get("dirtyObjects") for layout in layouts),
        "layout_total_objects_mean": _mean(layout.get("totalObjects") for layout in layouts),
    }


def _mean(values: Any) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return round(sum(numbers) / len(numbers)) if numbers else None
