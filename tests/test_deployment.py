"""Deployment: the container files name only real commands and settings, and the production
settings pass Django's deployment checks and send the security headers."""

import importlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = {name: spec for name, spec in COMPOSE["services"].items() if "build" in spec}


def example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def check_command(argv: list[str]) -> None:
    """python manage.py X → a management command; python -m M → a module; daphne → an app."""
    if argv[:2] == ["python", "manage.py"]:
        assert argv[2] in get_commands(), f"no management command {argv[2]}"
    elif argv[:2] == ["python", "-m"]:
        assert importlib.util.find_spec(argv[2]) is not None, f"no module {argv[2]}"
    elif argv[0] == "daphne":
        assert shutil.which("daphne", path=str(Path(sys.executable).parent))
        module, _, attribute = argv[-1].partition(":")
        assert hasattr(importlib.import_module(module), attribute)
    else:
        pytest.fail(f"unknown command {argv}")


def test_compose_runs_every_process_from_the_one_image() -> None:
    assert {"web", "worker", "pbxsim", "redis"} <= set(COMPOSE["services"])
    for spec in APP_SERVICES.values():
        assert spec["build"] == "."


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_compose_commands_exist(service: str) -> None:
    check_command(APP_SERVICES[service]["command"])


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_compose_sets_only_documented_settings(service: str) -> None:
    environment: dict[str, Any] = APP_SERVICES[service]["environment"]
    assert set(environment) <= example_variables()


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()


def test_the_image_starts_daphne_by_default() -> None:
    (cmd,) = [json.loads(line[4:]) for line in dockerfile_instructions() if line.startswith("CMD ")]
    assert cmd[0] == "daphne"
    check_command(cmd)


@pytest.mark.django_db
def test_the_image_health_check_url_answers(client: Client) -> None:
    text = (ROOT / "Dockerfile").read_text()
    path = re.search(r"http://127\.0\.0\.1:8000(/\w+)", text)
    assert path is not None
    assert client.get(path.group(1)).status_code == 200


# What docs/operations.md tells a production installation to set (SECRET_KEY aside).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "wallboard.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://wallboard.example.com",
    "SECURE_COOKIES": "true",
    "BEHIND_TLS_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_the_production_settings_pass_djangos_deployment_checks() -> None:
    env = {**os.environ, **PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_documented_production_settings_are_these() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    for name, value in PRODUCTION_ENV.items():
        assert f"{name}={value}" in guide, f"docs/operations.md does not show {name}={value}"


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/healthz")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
