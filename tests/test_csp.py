"""Content-Security-Policy: every page sends a policy that allows no inline script or style, and
no template carries inline script, style, event handlers or javascript: URLs for it to block."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client, override_settings

from dashboard.models import Board, Display

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def directives(response: HttpResponseBase) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict(response: HttpResponseBase) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', 'unsafe-eval' or hosts
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]


@pytest.fixture
def tv(board: Board) -> Client:
    """A paired TV's browser."""
    client = Client()
    client.cookies["wb_display"] = Display.objects.create(name="Lobby TV", board=board).claim()
    return client


def test_the_console_sends_the_policy(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/boards/sales/")
    assert response.status_code == 200
    assert_strict(response)


def test_the_tv_board_sends_the_policy(tv: Client) -> None:
    response = tv.get("/tv/")
    assert (response.status_code, response.context["kiosk"]) == (200, True)
    assert_strict(response)


def test_the_tv_pairing_pages_send_the_policy(board: Board, admin: Client) -> None:
    unpaired = Client().get("/tv/")
    assert b'class="pairing-code"' in unpaired.content
    assert_strict(unpaired)
    assert_strict(Client().get("/tv/claim/"))
    assert_strict(admin.get("/admin/dashboard/display/pair/"))


def test_the_login_pages_send_the_policy(client: Client) -> None:
    assert_strict(client.get("/accounts/login/"))
    assert_strict(client.get("/admin/login/"))


def test_json_static_and_health_responses_carry_it_too(client: Client, alice: User) -> None:
    client.force_login(alice)
    for url in ("/api/boards/sales/snapshot/", "/static/board/main.js", "/healthz", "/jsi18n/"):
        response = client.get(url)
        response.close()  # a static file's
        assert_strict(response)


def test_over_https_the_socket_may_only_be_wss(client: Client) -> None:
    policy = directives(client.get("/accounts/login/", secure=True))
    assert policy["connect-src"] == ["'self'", "wss://testserver"]


@override_settings(ALLOWED_HOSTS=["wallboard.example.com"])
def test_a_refused_host_gets_no_socket_origin_of_its_choosing(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.net")
    assert response.status_code == 400
    assert directives(response)["connect-src"] == ["'self'"]


@override_settings(DEBUG=True)
def test_debug_error_pages_keep_their_inline_styles(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" not in response


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "name", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))
)
def test_no_template_has_what_the_policy_blocks(name: str) -> None:
    text = (TEMPLATES / name).read_text()
    assert [what for what, pattern in INLINE.items() if pattern.search(text)] == []
