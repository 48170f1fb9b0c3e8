"""`bench.fanout --web-processes 2` spreads its screens over two web processes, both measured."""

from pathlib import Path

import pytest

from tests.test_bench_smoke import run_bench

pytestmark = pytest.mark.integration


def test_the_fanout_bench_spreads_the_screens_over_two_web_processes(tmp_path: Path) -> None:
    data = run_bench("bench.fanout", tmp_path, "--screens", "4", "--duration", "1",
                     "--web-processes", "2", "--product-only")  # fmt: skip
    phases = data["phases"]
    assert isinstance(phases, list)
    (product,) = phases
    assert product["frames"] > 0
    assert product["extra"]["web_processes"] == 2
    # Each process served its half of the screens (their snapshots cost it CPU); the table's
    # server, "web", is the two together.
    cpu = {name: usage["cpu_s"] for name, usage in product["usage"].items()}
    assert cpu["daphne"] > 0
    assert cpu["daphne2"] > 0
    assert product["server"] == "web"
    assert cpu["web"] == pytest.approx(cpu["daphne"] + cpu["daphne2"])
