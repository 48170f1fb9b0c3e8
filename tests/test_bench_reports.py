"""`bench.reports` runs end to end on a small history and writes valid JSON (figures not judged)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.integration


def test_the_reports_bench_times_every_page_on_sqlite(tmp_path: Path) -> None:
    sizes = ["--days", "2", "--queues", "2", "--agents", "3", "--repeat", "1"]
    command = [sys.executable, "-m", "bench.reports", "--database", "sqlite", *sizes]
    command += ["--out", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, result.stdout + result.stderr
    (written,) = tmp_path.glob("*.json")
    (run,) = json.loads(written.read_text())["runs"]
    assert run["interval_rows"] == 2 * 96 * 2
    assert {row["status"] for row in run["results"]} == {200}
    assert all(row["ms"]["count"] == 1 and row["queries"] > 0 for row in run["results"])
    assert run["worker_write"]["queries"] > 0
