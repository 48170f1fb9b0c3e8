"""The image test's pure parts: the Debian mirrors it picks, its compose override, frames it reads.
`make image-test` itself builds and runs the image (docs/operations.md)."""

from pathlib import Path

import pytest
import yaml

from devstack.debian_base import DEBIAN, DEBIAN_SECURITY, apt_sources, mirrors
from devstack.image_test import COMPOSE_FILES, IMAGES, queue_deltas

ROOT = Path(__file__).resolve().parents[2]
DEB822 = """Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates

Types: deb
URIs: http://mirror.example/debian-security/
Suites: bookworm-security
"""
ONE_LINE = """# deb http://commented.example/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian.gpg] http://mirror.example/debian bookworm main
deb http://security.example/debian-security bookworm-security main
"""


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (DEB822, ("http://mirror.example/debian", "http://mirror.example/debian-security")),
        (ONE_LINE, ("http://mirror.example/debian", "http://security.example/debian-security")),
        ("", (DEBIAN, DEBIAN_SECURITY)),
    ],
)
def test_the_base_uses_the_hosts_mirrors(sources: str, expected: tuple[str, str]) -> None:
    assert mirrors(sources) == expected


def test_the_base_gets_updates_and_security_fixes() -> None:
    lines = apt_sources("http://m/debian", "http://s/debian-security").splitlines()
    suites = ["bookworm", "bookworm-updates", "bookworm-security"]
    assert [line.split()[2] for line in lines] == suites


def test_the_override_gives_every_service_an_image_made_here() -> None:
    base, override = (yaml.safe_load(path.read_text())["services"] for path in COMPOSE_FILES)
    assert set(override) == set(base)
    names = {f"${{{variable}:?the image test sets it}}" for variable in IMAGES}
    assert {spec["image"] for spec in override.values()} == names
    assert all("build" not in spec for spec in override.values())


def test_both_stages_build_on_the_base_argument_defaulting_to_the_official_image() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    assert "ARG BASE_IMAGE=python:3.11-slim-bookworm" in lines
    stages = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert stages == ["${BASE_IMAGE}", "${BASE_IMAGE}"]


def test_the_queue_deltas_of_a_frame() -> None:
    queue = {"type": "delta", "stream": "queue:6400", "seq": 2}
    beat = {"type": "delta", "stream": "beat", "seq": 7}
    assert queue_deltas(queue) == [queue]
    assert queue_deltas(beat) == []
    assert queue_deltas({"type": "batch", "frames": [beat, queue]}) == [queue]
    assert queue_deltas({"type": "pong"}) == []
