"""Pages: who sees which board, the TV's one-time pairing link, health, and the demo seed."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings

from dashboard.models import Board, Display

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


def test_a_tv_without_pairing_is_told_so(client: Client) -> None:
    response = client.get("/tv/")
    assert response.status_code == 403
    assert b"not paired" in response.content


def test_the_one_time_link_pairs_a_tv_with_an_httponly_cookie(board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    code = display.new_claim_code()
    tv = Client(enforce_csrf_checks=True)
    page = tv.get(f"/tv/claim/{code}/")
    assert page.status_code == 200
    assert b"Pair this screen" in page.content
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token is not None
    response = tv.post(f"/tv/claim/{code}/", {"csrfmiddlewaretoken": token.group(1).decode()})
    assert response.status_code == 302
    assert response["Location"] == "/tv/"
    cookie = response.cookies["wb_display"]
    assert cookie["httponly"]
    assert code not in cookie.value
    kiosk = tv.get("/tv/")
    assert kiosk.status_code == 200
    assert b'data-slug="sales"' in kiosk.content
    assert b"Log out" not in kiosk.content
    assert Client().get(f"/tv/claim/{code}/").status_code == 404  # used up


def test_a_claim_needs_csrf(board: Board) -> None:
    code = Display.objects.create(name="Lobby TV", board=board).new_claim_code()
    assert Client(enforce_csrf_checks=True).post(f"/tv/claim/{code}/").status_code == 403


def test_revoking_a_display_unpairs_it(client: Client, board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    client.cookies["wb_display"] = display.claim()
    assert client.get("/tv/").status_code == 200
    Display.objects.filter(pk=display.pk).update(revoked=True)
    assert client.get("/tv/").status_code == 403


def test_display_credentials_are_stored_hashed(board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    token = display.claim()
    display.refresh_from_db()
    assert token not in display.token_hash
    assert len(display.token_hash) == 64


@pytest.mark.usefixtures("clean_redis")
def test_healthz_answers_before_any_worker_ran(client: Client) -> None:
    assert client.get("/healthz").json() == {"ok": True, "redis": "ok", "pbx_link": None}


def test_healthz_says_503_without_redis(client: Client) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["ok"] is False


def test_seed_demo_prints_a_working_login_and_tv_link() -> None:
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/boards/demo/" in text
    password = re.search(r"user supervisor, password (\S+)", text)
    link = re.search(r"http://127\.0\.0\.1:8123(/tv/claim/\S+/)", text)
    assert password
    assert link
    client = Client()
    assert client.login(username="supervisor", password=password.group(1))
    assert client.get("/boards/demo/").status_code == 200
    assert Client().get(link.group(1)).status_code == 200


def test_seed_demo_never_reuses_a_password() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    pattern = r"password (\S+)"
    assert re.findall(pattern, first.getvalue()) != re.findall(pattern, second.getvalue())
    assert Board.objects.filter(slug="demo").count() == 1


def test_an_admin_issues_a_pairing_link_that_works(client: Client, board: Board) -> None:
    User.objects.create_superuser("root", password="root-password-1")
    client.login(username="root", password="root-password-1")
    display = Display.objects.create(name="Lobby TV", board=board)
    response = client.post(
        "/admin/dashboard/display/",
        {"action": "issue_pairing_links", "_selected_action": [display.pk]},
        follow=True,
    )
    link = re.search(r"open http://testserver(/tv/claim/\S+/) on the TV", response.text)
    assert link is not None
    assert Client().get(link.group(1)).status_code == 200
