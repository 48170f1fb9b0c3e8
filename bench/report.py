"""Figures from what the screens saw: latency percentiles, rates, the table and the JSON file."""

import json
import os
import platform
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.pbxload import Marker
from bench.screens import Fleet, Key
from bench.usage import Usage

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Phase:
    """One design under the same load: what the screens got and what it cost."""

    design: str
    screens: int
    window_s: float
    latency_ms: dict[str, float]
    frames_per_screen_s: float
    kb_per_screen_s: float
    frames: int
    gaps: int
    resyncs: int
    missing: int
    usage: dict[str, Usage]
    server: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def server_cpu_us_per_frame(self) -> float:
        return 1e6 * self.usage[self.server].cpu_s / max(1, self.frames)


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"count": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99),
            "max": round(ordered[-1], 2)}  # fmt: skip


def _waiting_callers(text: str) -> set[str]:
    data = json.loads(text).get("data") or {}
    return {str(caller.get("caller")) for caller in data.get("waiting", [])}


def _marker_seqs(frames: list[tuple[int, set[str]]], caller: str) -> tuple[int | None, int | None]:
    """The first frame showing the caller waiting, and the first after it that no longer does."""
    appear = next((seq for seq, callers in frames if caller in callers), None)
    if appear is None:
        return None, None
    gone = next((seq for seq, callers in frames if seq > appear and caller not in callers), None)
    return appear, gone


def change_latencies(fleet: Fleet, markers: Iterable[Marker]) -> tuple[list[list[float]], int]:
    """PBX event → screen, in ms, per marker change: its latency on every screen that got it;
    and how many (screen, change) pairs had no timed frame (the screen was resyncing, or the
    frame merged)."""
    by_stream: dict[str, list[tuple[int, set[str]]]] = {}
    for (stream, seq), text in sorted(fleet.texts.items()):
        if stream.startswith("queue:"):
            by_stream.setdefault(stream, []).append((seq, _waiting_callers(text)))
    changes: list[list[float]] = []
    missing = 0
    for marker in markers:
        stream = f"queue:{marker.queue}"
        appear, gone = _marker_seqs(by_stream.get(stream, []), marker.caller)
        for shown_in, emitted in ((appear, marker.arrived_at), (gone, marker.ended_at)):
            if shown_in is None or emitted is None:
                missing += len(fleet.receipts)
                continue
            got = [receipts.get((stream, shown_in)) for receipts in fleet.receipts]
            changes.append([(t - emitted) * 1000 for t in got if t is not None])
            missing += sum(t is None for t in got)
    return changes, missing


def pooled(changes: list[list[float]]) -> list[float]:
    """Every screen's latency for every change, in one list."""
    return [sample for screens in changes for sample in screens]


def first_screen(changes: list[list[float]]) -> dict[str, float]:
    """How long each change took to reach its first screen: the path before the fan-out."""
    return percentiles([min(screens) for screens in changes if screens])


def peak_frames_per_s(fleet: Fleet) -> int:
    """The most frames any screen got within one second (a sliding window)."""
    peak = 0
    for times in fleet.frame_times:
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= 1.0:
                start += 1
            peak = max(peak, end - start + 1)
    return peak


def sent_latencies(fleet: Fleet, sent: Mapping[Key, float]) -> tuple[list[float], int]:
    """Send → screen, in ms, for every frame on every screen; and how many never arrived."""
    samples = [
        (t - sent[key]) * 1000 for receipts in fleet.receipts for key, t in receipts.items()
        if key in sent
    ]  # fmt: skip
    return samples, len(sent) * len(fleet.receipts) - len(samples)


def machine() -> dict[str, Any]:
    with open("/proc/cpuinfo") as cpuinfo:
        model = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
        )
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform(), "load_avg_at_start": os.getloadavg()}  # fmt: skip


COLUMNS = ("design", "p50", "p95", "p99", "max", "fr/scr/s", "KB/scr/s", "gaps", "resync",
           "srv CPU s", "µs/frame", "srv RSS MB")  # fmt: skip


def _row(phase: Phase) -> list[str]:
    lat, server = phase.latency_ms, phase.usage[phase.server]
    cells = [lat.get(k, "-") for k in ("p50", "p95", "p99", "max")]
    return [phase.design, *map(str, cells), f"{phase.frames_per_screen_s:.1f}",
            f"{phase.kb_per_screen_s:.1f}", str(phase.gaps), str(phase.resyncs),
            f"{server.cpu_s:.2f}", f"{phase.server_cpu_us_per_frame:.0f}",
            f"{server.peak_rss_mb:.0f}"]  # fmt: skip


def table(phases: list[Phase]) -> str:
    rows = [list(COLUMNS), *(_row(phase) for phase in phases)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def usage_table(phases: list[Phase]) -> str:
    lines = ["process usage (CPU s over the window, peak RSS MB):"]
    for phase in phases:
        parts = [f"{n} {u.cpu_s:.2f}s/{u.peak_rss_mb:.0f}MB" for n, u in phase.usage.items()]
        lines.append(f"  {phase.design}: " + ", ".join(parts))
    return "\n".join(lines)


def extra_lines(phases: list[Phase]) -> str:
    """What a phase measured beyond the table (the product's first-screen latency, peak rate)."""
    return "\n".join(
        f"  {p.design}: {key} {value}"
        for p in phases
        for key, value in p.extra.items()
        if key in ("first_screen_ms", "peak_frames_per_s")
    )


def write_json(name: str, payload: dict[str, Any], folder: Path = RESULTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=2, default=_plain))
    return path


def _plain(value: object) -> object:
    if isinstance(value, Phase | Usage):
        return asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def phase_json(phase: Phase) -> dict[str, Any]:
    return {**asdict(phase), "server_cpu_us_per_frame": round(phase.server_cpu_us_per_frame, 1)}
