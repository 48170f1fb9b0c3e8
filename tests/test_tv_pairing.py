"""Wall TVs: pairing by the code on screen, the one-time link, the kiosk page, revocation."""

import logging
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dashboard.boards import pairing
from dashboard.models import PAIRING_CODE_LIFETIME, Board, Display, PairingRequest
from tests.forms import csrf_field

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]
CODE = re.compile(rb'class="pairing-code"[^>]*>([A-Z0-9-]+)<')


def code_on(tv: Client) -> str:
    page = tv.get("/tv/")
    assert page.status_code == 200
    found = CODE.search(page.content)
    assert found is not None
    return found.group(1).decode()


def enter_code(admin: Client, code: str, display: Display) -> str:
    response = admin.post(
        "/admin/dashboard/display/pair/", {"code": code, "display": display.pk}, follow=True
    )
    return response.text


def test_a_new_tv_shows_a_short_unambiguous_code_and_keeps_it_across_reloads() -> None:
    tv = Client()
    code = code_on(tv)
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{3}-[ACDEFGHJKMNPQRTUVWXY34679]{3}", code)
    assert tv.cookies["wb_pairing"]["httponly"]
    assert code_on(tv) == code
    poll = tv.get("/tv/pairing/").json()
    assert (poll["paired"], poll["code"]) == (False, code)


def test_an_admin_pairs_a_tv_by_its_code_and_the_tv_shows_the_board(
    board: Board, admin: Client
) -> None:
    tv = Client()
    code = code_on(tv)
    display = Display.objects.create(name="Lobby TV", board=board)
    assert b"/admin/dashboard/display/pair/" in admin.get("/admin/dashboard/display/").content
    assert b"/admin/dashboard/display/pair/" in admin.get("/admin/").content
    typed = code.lower().replace("-", " ")  # as an admin might type it
    assert f"The TV showing {code} becomes “Lobby TV” now." in enter_code(admin, typed, display)
    poll = tv.get("/tv/pairing/")
    assert poll.json() == {"paired": True}
    credential = poll.cookies["wb_display"]
    assert credential["httponly"]
    assert credential.value not in Display.objects.get().token_hash  # stored hashed
    kiosk = tv.get("/tv/")
    assert (kiosk.status_code, kiosk.context["board"], kiosk.context["kiosk"]) == (200, board, True)
    assert kiosk.context["actor"] is None
    assert kiosk.context["display"] == {
        "boards": ["sales"],
        "rotation_s": 30,
        "reload_hour": 4,
        "sound_alerts": False,
    }
    assert Display.objects.get().last_seen_at is not None
    assert not PairingRequest.objects.exists()  # used up


def test_a_tv_that_reloads_after_pairing_gets_its_board_at_once(
    board: Board, admin: Client
) -> None:
    tv = Client()
    code = code_on(tv)
    enter_code(admin, code, Display.objects.create(name="Lobby TV", board=board))
    response = tv.get("/tv/")
    assert response["Location"] == "/tv/"
    assert response.cookies["wb_display"]["httponly"]
    assert tv.get("/tv/").context["board"] == board


def test_an_expired_code_is_refused_and_the_tv_gets_a_new_one(board: Board, admin: Client) -> None:
    tv = Client()
    code = code_on(tv)
    PairingRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    display = Display.objects.create(name="Lobby TV", board=board)
    assert "No TV shows this code now" in enter_code(admin, code, display)
    assert tv.get("/tv/pairing/").json() == {"paired": False, "expired": True}
    assert code_on(tv) != code
    assert PairingRequest.objects.count() == 1  # the expired one was cleaned up


def test_a_malformed_code_is_explained(board: Board, admin: Client) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    assert "Codes have six letters and digits" in enter_code(admin, "K7Q", display)


def test_a_flood_of_new_tvs_from_one_address_is_rate_limited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pairing, "CODES_PER_ADDRESS", 2)
    code_on(Client())
    code_on(Client())
    refused = Client().get("/tv/")
    assert refused.status_code == 429
    assert CODE.search(refused.content) is None
    assert "wb_pairing" not in refused.cookies
    assert PairingRequest.objects.count() == 2


def test_the_number_of_live_codes_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairing, "MAX_LIVE_CODES", 1)
    code_on(Client(REMOTE_ADDR="192.0.2.1"))
    assert Client(REMOTE_ADDR="192.0.2.2").get("/tv/").status_code == 429


def test_a_kiosk_rotates_through_the_display_boards(board: Board) -> None:
    other = Board.objects.create(slug="support", name="Support", queues="7000")
    display = Display.objects.create(name="Lobby TV", board=board, rotation_s=20)
    display.more_boards.add(other)
    tv = Client()
    tv.cookies["wb_display"] = display.claim()
    context = tv.get("/tv/").context["display"]
    assert context == {
        "boards": ["sales", "support"],
        "rotation_s": 20,
        "reload_hour": 4,
        "sound_alerts": False,
    }


def test_a_revoked_tv_is_shown_a_pairing_code_again(board: Board, admin: Client) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    tv = Client()
    tv.cookies["wb_display"] = display.claim()
    assert tv.get("/tv/").context["board"] == board
    admin.post(
        "/admin/dashboard/display/",
        {"action": "revoke_displays", "_selected_action": [display.pk]},
    )
    assert Display.objects.get().revoked
    code_on(tv)


def claim(tv: Client, code: str) -> int:
    """What a browser does with /tv/claim/#<code>: load the page, then post the fragment; the
    status of that post (a pairing sets the cookie in `tv`)."""
    page = tv.get("/tv/claim/")
    assert page.status_code == 200
    assert b"Pair this screen" in page.content
    token = csrf_field(page.content.decode())
    response = tv.post("/tv/claim/", {"csrfmiddlewaretoken": token, "code": code})
    if response.status_code == 302:
        assert response["Location"] == "/tv/"
    return response.status_code


def test_the_one_time_link_pairs_a_tv_with_an_httponly_cookie(board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    code = display.new_claim_code()
    tv = Client(enforce_csrf_checks=True)
    assert claim(tv, code) == 302
    cookie = tv.cookies["wb_display"]
    assert cookie["httponly"]
    assert code not in cookie.value
    kiosk = tv.get("/tv/")
    assert (kiosk.status_code, kiosk.context["board"], kiosk.context["kiosk"]) == (200, board, True)
    assert b"Log out" not in kiosk.content
    assert claim(Client(), code) == 404  # used up


def test_a_claim_needs_csrf(board: Board) -> None:
    code = Display.objects.create(name="Lobby TV", board=board).new_claim_code()
    refused = Client(enforce_csrf_checks=True).post("/tv/claim/", {"code": code})
    assert refused.status_code == 403


def test_an_admin_issues_a_pairing_link_that_works(admin: Client, board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    response = admin.post(
        "/admin/dashboard/display/",
        {"action": "issue_pairing_links", "_selected_action": [display.pk]},
        follow=True,
    )
    link = re.search(r"open http://testserver/tv/claim/#(\S+) on the TV", response.text)
    assert link is not None
    assert claim(Client(), link.group(1)) == 302


def test_the_claim_code_reaches_no_log(board: Board, caplog: pytest.LogCaptureFixture) -> None:
    """The code rides in the link's fragment and the form's body, never in a request line: what
    Daphne's access log and Django's request log write."""
    code = Display.objects.create(name="Lobby TV", board=board).new_claim_code()
    caplog.set_level(logging.DEBUG)
    wrong = code[::-1]
    assert (claim(Client(), wrong), claim(Client(), code)) == (404, 302)
    assert "Not Found: /tv/claim/" in caplog.text  # Django logs the refused one's path
    assert code not in caplog.text
    assert wrong not in caplog.text


def test_a_claim_link_lasts_only_the_pairing_window(board: Board) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    code = display.new_claim_code()
    assert display.claim_expires_at is not None
    assert display.claim_expires_at - timezone.now() <= PAIRING_CODE_LIFETIME
    Display.objects.update(claim_expires_at=timezone.now() - timedelta(seconds=1))
    assert claim(Client(), code) == 404
