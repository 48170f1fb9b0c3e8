"""Each benchmark command runs briefly end to end and writes valid JSON (figures are not judged)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.integration


def run_bench(module: str, out: Path, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", module, "--out", str(out), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (written,) = out.glob("*.json")
    data: dict[str, object] = json.loads(written.read_text())
    return data


def test_the_fanout_bench_compares_the_product_with_the_references(tmp_path: Path) -> None:
    data = run_bench("bench.fanout", tmp_path, "--screens", "2", "--duration", "1")
    phases = data["phases"]
    assert isinstance(phases, list)
    assert [phase["design"] for phase in phases] == ["product", "limit", "floor", "textbook"]
    assert all(phase["frames"] > 0 for phase in phases)


def test_the_fanout_bench_can_run_the_product_under_uvicorn(tmp_path: Path) -> None:
    data = run_bench("bench.fanout", tmp_path, "--screens", "2", "--duration", "1",
                     "--web", "uvicorn", "--product-only")  # fmt: skip
    phases, config = data["phases"], data["config"]
    assert isinstance(phases, list)
    assert [phase["frames"] > 0 for phase in phases] == [True]
    assert isinstance(config, dict)
    assert config["web"] == "uvicorn"


def test_the_worker_bench_reports_events_per_core(tmp_path: Path) -> None:
    data = run_bench("bench.worker", tmp_path, "--events", "200", "--scenario", "small")
    assert data["events"] == 200
    assert isinstance(data["events_per_worker_cpu_s"], int)


def test_the_accuracy_bench_compares_the_board_with_the_truth(tmp_path: Path) -> None:
    data = run_bench("bench.accuracy", tmp_path, "--minutes", "0.3", "--scenario", "small")
    metrics, fixed, end = data["metrics"], data["corrections"], data["end"]
    assert isinstance(metrics, dict)
    assert isinstance(fixed, dict)
    assert isinstance(end, dict)
    assert {"unanswered", "offered", "service_level", "agent_state"} <= set(metrics)
    assert metrics["offered"]["samples"] > 0
    assert {"total", "by_kind", "after_faults", "confirmed"} <= set(fixed)
    assert "equal" in end


def test_the_flood_bench_measures_screens_beside_flooders(tmp_path: Path) -> None:
    data = run_bench("bench.flood", tmp_path, "--scenario", "small", "--screens", "2",
                     "--flooders", "1", "--baseline", "2", "--duration", "2")  # fmt: skip
    phases, flood = data["phases"], data["flood"]
    assert isinstance(phases, list)
    assert isinstance(flood, dict)
    assert [phase["pong_ms"]["count"] > 0 for phase in phases] == [True, True]
    assert phases[1]["daphne_rss_mb"]["peak"] > 0
    assert flood["connections"] >= 1


@pytest.mark.browser
def test_the_render_bench_times_deltas_in_chromium_and_watches_the_heap(tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists() and os.environ.get("REQUIRE_BROWSER") != "1":
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium")
    data = run_bench("bench.render", tmp_path, "--agents", "40", "--queues", "2",
                     "--warmup", "20", "--timed", "10", "--traced", "5", "--deltas", "40",
                     "--interval-ms", "30")  # fmt: skip
    timed = data["timed"]
    assert isinstance(timed, dict)
    assert timed["total_ms"]["count"] > 0
    assert timed["trace"]["frames"] > 0
    seen = data["deltas_seen"]
    assert isinstance(seen, int)
    assert seen >= 20 + 10 + 5 + 40  # plus the link's refreshes
    memory = data["memory"]
    assert isinstance(memory, list)
    assert [reading["after_deltas"] for reading in memory] == list(range(4, 41, 4))
    assert all(reading["heap_used_bytes"] > 0 for reading in memory)
    assert data["socket_closes"] == []
