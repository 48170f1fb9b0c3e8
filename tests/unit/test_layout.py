"""The layout of `dashboard/` is the architecture: which rooms may import which."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
WORKER_ONLY = {"worker"}
WEB_ONLY = {"boards", "actions", "admin"}
# Each room and the rooms of ours it may import (itself always).
ALLOWED = {
    "live": set(),
    "pbx": {"live"},
}


def modules_imported(path: Path) -> set[str]:
    """The modules a file imports by absolute name, anywhere in it (relative imports left out)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def rooms_imported(path: Path) -> set[str]:
    """The `dashboard` subpackages or top-level modules a file imports, anywhere in it."""
    return {name.split(".")[1] for name in modules_imported(path) if name.startswith("dashboard.")}


def modules_of(room: str) -> list[Path]:
    return sorted((DASHBOARD / room).rglob("*.py"))


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_a_core_room_imports_only_what_it_may(room: str) -> None:
    for path in modules_of(room):
        assert rooms_imported(path) <= ALLOWED[room] | {room}, path


@pytest.mark.parametrize(("rooms", "forbidden"), [(WORKER_ONLY, WEB_ONLY), (WEB_ONLY, WORKER_ONLY)])
def test_the_worker_and_the_web_never_import_each_other(
    rooms: set[str], forbidden: set[str]
) -> None:
    for room in rooms:
        for path in modules_of(room):
            assert not rooms_imported(path) & forbidden, path


def top_modules_imported(path: Path) -> set[str]:
    """The top-level packages a file imports, anywhere in it (relative imports left out)."""
    return {name.split(".")[0] for name in modules_imported(path)}


def test_the_simulator_and_the_product_share_no_code() -> None:
    """docs/design.md#the-simulator-stands-apart: each side is written from the PBX's API alone,
    so a misreading of it shows up as a failing test instead of being shared."""
    root = DASHBOARD.parent
    product = {"dashboard", "wallboard", "devstack", "django", "channels"}
    for path in sorted((root / "pbxsim").rglob("*.py")):
        assert not top_modules_imported(path) & product, path
    for room in ("dashboard", "wallboard", "devstack"):
        for path in sorted((root / room).rglob("*.py")):
            assert "pbxsim" not in top_modules_imported(path), path


def test_the_pbx_client_imports_no_django() -> None:
    for path in modules_of("pbx"):
        assert "django" not in top_modules_imported(path), path


def test_the_pbx_client_runs_without_django_settings() -> None:
    """docs/architecture.md: `pbx/` is the Yeastar client, no Django; benchmarks and tools use it
    bare. (pbx_check's own checks run inside Django and may read its settings.)"""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = "import dashboard.pbx.api, dashboard.pbx.reasons, dashboard.pbx.subscription"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=DASHBOARD.parent, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
