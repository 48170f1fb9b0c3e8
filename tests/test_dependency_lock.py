"""Dependency lock: what the venv runs is locked at its exact version with hashes, and the locks
agree with the hand-edited pins in requirements*.txt (docs/dependencies.md)."""

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")

# name -> version -> that version's hashes (a universal lock may hold one package at two
# versions, each behind its own environment marker).
Lock = dict[str, dict[str, list[str]]]


def requirement_lines(path: Path) -> list[str]:
    """The file's requirements, each with its backslash-continued lines joined, comments dropped."""
    text = path.read_text().replace("\\\n", " ")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def pins(path: Path) -> dict[str, str]:
    """The exact `name==version` pins of a requirements file."""
    found: dict[str, str] = {}
    for line in requirement_lines(path):
        match = PIN.match(line)
        assert match, f"{path.name}: not an exact pin: {line}"
        found[canonicalize_name(match[1])] = match[2]
    return found


def read_lock(path: Path) -> Lock:
    lock: Lock = {}
    for line in requirement_lines(path):
        match = PIN.match(line)
        assert match, f"{path.name}: not an exact pin: {line}"
        versions = lock.setdefault(canonicalize_name(match[1]), {})
        versions[match[2]] = HASH.findall(line)
    return lock


@pytest.fixture(scope="module")
def dev_lock() -> Lock:
    return read_lock(DEV_LOCK)


@pytest.fixture(scope="module")
def runtime_lock() -> Lock:
    return read_lock(RUNTIME_LOCK)


def installed() -> dict[str, str]:
    """Every distribution the running interpreter can import, by normalised name."""
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }


def test_every_installed_package_is_in_the_dev_lock_at_its_version(dev_lock: Lock) -> None:
    unlocked = {
        f"{name}=={version}"
        for name, version in installed().items()
        if version not in dev_lock.get(name, {})
    }
    assert not unlocked, f"installed but not locked at this version (run make lock): {unlocked}"


@pytest.mark.parametrize("path", [RUNTIME_LOCK, DEV_LOCK], ids=lambda path: path.name)
def test_every_locked_package_has_a_hash(path: Path) -> None:
    unhashed = {
        f"{name}=={version}"
        for name, versions in read_lock(path).items()
        for version, hashes in versions.items()
        if not hashes
    }
    assert not unhashed, f"{path.name}: pinned without a hash: {unhashed}"


@pytest.mark.parametrize(
    ("inputs", "lock_path"),
    [
        ("requirements.txt", RUNTIME_LOCK),
        ("requirements.txt", DEV_LOCK),
        ("requirements-dev.txt", DEV_LOCK),
    ],
)
def test_top_level_pins_agree_with_the_lock(inputs: str, lock_path: Path) -> None:
    lock = read_lock(lock_path)
    disagree = {
        f"{name}=={version}"
        for name, version in pins(ROOT / inputs).items()
        if set(lock.get(name, {})) != {version}
    }
    assert not disagree, f"{inputs} pins that {lock_path.name} does not hold: {disagree}"


def test_production_runs_the_versions_the_tests_run(runtime_lock: Lock, dev_lock: Lock) -> None:
    differ = {
        name
        for name, versions in runtime_lock.items()
        if set(versions) != set(dev_lock.get(name, {}))
    }
    assert not differ, f"requirements.lock and requirements-dev.lock disagree on {differ}"


@pytest.mark.parametrize("name", ["Makefile", "Dockerfile"])
def test_every_install_is_hash_checked_from_a_lock(name: str) -> None:
    text = (ROOT / name).read_text().replace("\\\n", " ")
    installs = [line.strip() for line in text.splitlines() if "pip install" in line]
    assert installs, f"{name} installs nothing"
    unchecked = [
        line
        for line in installs
        if not re.search(r"--require-hashes -r \S*requirements(-dev)?\.lock$", line)
    ]
    assert not unchecked, f"{name} installs without a hash-checked lock: {unchecked}"
