"""Pages: who sees which board, what the page knows of its actor, health, and the demo seed."""

import json
import re
from io import StringIO

import pytest
import redis
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings

from dashboard.clock import now_ms
from dashboard.models import Board, Supervisor
from dashboard.streams import BEAT_STREAM, stream_key

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, board: Board) -> None:
    response = client.get("/boards/sales/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_a_board_to_a_user_it_is_shared_with(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/boards/sales/")
    assert response.status_code == 200
    assert b'data-slug="sales"' in response.content
    assert b"Sales floor" in response.content


def test_it_hides_boards_not_shared(client: Client, board: Board, bob: User) -> None:
    client.force_login(bob)
    assert client.get("/boards/sales/").status_code == 404
    assert b"No board is shared with you" in client.get("/").content


def test_home_goes_straight_to_the_only_board(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/")["Location"] == "/boards/sales/"


def test_staff_see_every_board(client: Client, board: Board, charlie: User) -> None:
    client.force_login(charlie)
    assert client.get("/boards/sales/").status_code == 200


def actor_on_page(client: Client, user: User) -> object:
    client.force_login(user)
    page = client.get("/boards/sales/")
    assert page.status_code == 200
    return page.context["actor"]


def test_a_viewer_may_act_on_nothing(client: Client, alice: User) -> None:
    assert actor_on_page(client, alice) is None


def test_a_supervisor_acts_on_their_queues_from_their_extension(
    client: Client, alice: User
) -> None:
    Supervisor.objects.create(user=alice, extension="1010", queues="6401,6400")
    assert actor_on_page(client, alice) == {"extension": "1010", "queues": ["6400", "6401"]}


def test_staff_act_on_every_queue(client: Client, board: Board, charlie: User) -> None:
    assert actor_on_page(client, charlie) == {"extension": "", "queues": None}


@pytest.mark.usefixtures("clean_redis")
def test_healthz_answers_before_any_worker_ran(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"ok": True, "database": "ok", "redis": "ok", "pbx_link": None, "beat": None}


def test_healthz_says_how_long_ago_the_worker_beat_and_the_pbx_was_heard(
    client: Client, clean_redis: str
) -> None:
    now = now_ms()
    beat = {"epoch": "e", "seq": 7, "data": {"at": now - 3_000, "pbx_heard_at": now - 5_000}}
    with redis.Redis.from_url(clean_redis) as live:
        live.set(stream_key(BEAT_STREAM), json.dumps(beat))
    ages = client.get("/healthz").json()["beat"]
    assert 3.0 <= ages["age_s"] < 4.0
    assert 5.0 <= ages["pbx_heard_age_s"] < 6.0


def test_healthz_says_503_without_redis(client: Client) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "ok": False, "database": "ok", "redis": "ConnectionError", "pbx_link": None,
        "beat": None,
    }  # fmt: skip


@pytest.mark.usefixtures("clean_redis")
def test_healthz_says_503_naming_the_database_when_it_refuses(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> None:
        raise OperationalError('connection to server at "db" (10.0.0.9), port 5432 failed')

    monkeypatch.setattr(connection, "ensure_connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503  # not 500: the check itself must not fail
    assert response.json() == {
        "ok": False, "database": "OperationalError", "redis": "ok", "pbx_link": None,
        "beat": None,
    }  # fmt: skip
    assert b"10.0.0.9" not in response.content  # anyone may ask: no hosts, no user names


def test_seed_demo_prints_a_working_login_and_tv_link() -> None:
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/boards/demo/" in text
    password = re.search(r"user supervisor, password (\S+)", text)
    link = re.search(r"http://127\.0\.0\.1:8123(/tv/claim/)#(\S+)", text)
    assert password
    assert link
    client = Client()
    assert client.login(username="supervisor", password=password.group(1))
    assert client.get("/boards/demo/").status_code == 200
    tv = Client()
    assert tv.get(link.group(1)).status_code == 200
    assert tv.post(link.group(1), {"code": link.group(2)}).status_code == 302


def test_seed_demo_never_reuses_a_password() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    pattern = r"password (\S+)"
    assert re.findall(pattern, first.getvalue()) != re.findall(pattern, second.getvalue())
    assert Board.objects.filter(slug="demo").count() == 1
