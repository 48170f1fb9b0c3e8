"""Hardening of the action API: input checks that end at the end, and an audit log that holds."""

import secrets
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.models import ActionAttempt, Supervisor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


@pytest.fixture
def pbx_url(settings: Settings) -> None:
    """Set, but never dialled: every request here is refused before the PBX is asked."""
    settings.PBX_URL = "http://127.0.0.1:9"


def post(client: Client, body: Any, csrf: str | None) -> int:
    headers = {"X-CSRFToken": csrf} if csrf else {}
    response = client.post("/api/actions/", body, content_type="application/json", headers=headers)
    return response.status_code


def signed_in(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    csrf = secrets.token_hex(16)
    client.cookies["csrftoken"] = csrf
    return client, csrf


@pytest.mark.usefixtures("pbx_url")
@pytest.mark.parametrize(
    "fields",
    [{"agent": "1003\n"}, {"queues": ["6400\n"]}, {"reason_code": "*01\n"}],
)
def test_a_trailing_newline_in_a_number_or_code_gets_400(fields: dict[str, object]) -> None:
    user = User.objects.create_user("dora")
    Supervisor.objects.create(user=user, extension="1100", queues="6400")
    client, csrf = signed_in(user)
    body = {"action": "pause", "agent": "1003", "queues": ["6400"], **fields}
    assert post(client, body, csrf) == 400


@pytest.mark.usefixtures("pbx_url")
def test_300_refused_requests_write_a_bounded_number_of_rows(settings: Settings) -> None:
    settings.ACTIONS_PER_MINUTE = 20
    nobody = User.objects.create_user("mallory")  # no board, no role
    client, csrf = signed_in(nobody)
    bodies: list[tuple[Any, str | None]] = [
        ("not json", csrf),
        ({"action": "pause", "agent": "1003"}, None),  # no CSRF token
        ({"action": "pause", "agent": "1003"}, csrf),  # not a supervisor
    ]
    statuses = [post(client, *bodies[n % 3]) for n in range(300)]
    assert statuses.count(429) == 280
    # the 20 requests the minute allows, and one row for the whole burst of 429s
    assert ActionAttempt.objects.count() == 21


def test_only_the_health_check_itself_skips_the_https_redirect(settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz%0A").status_code == 301


@pytest.mark.usefixtures("pbx_url")
def test_a_deeply_nested_body_gets_a_json_400() -> None:
    """2,000 nested brackets overflow Python's parser: an error as the API documents it, not
    an HTML 500."""
    user = User.objects.create_user("dora")
    Supervisor.objects.create(user=user, extension="1100", queues="6400")
    client, csrf = signed_in(user)
    headers = {"X-CSRFToken": csrf}
    nested = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/actions/", nested, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The request body is nested too deeply."}


@pytest.mark.usefixtures("pbx_url")
def test_a_body_over_the_upload_bound_gets_a_json_413(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    user = User.objects.create_user("dora")
    client, csrf = signed_in(user)
    body = {"action": "pause", "agent": "1003", "note": "x" * 2000}
    response = client.post(
        "/api/actions/", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 413
    assert response.json() == {"error": "The request body is over 1000 bytes."}
