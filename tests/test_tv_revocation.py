"""Revoking a TV destroys its credential; only a new pairing brings the screen back, unrevoked."""

import re

import pytest
from django.test import Client

from dashboard.boards.displays import revocation_key
from dashboard.boards.livestore import live_redis_sync
from dashboard.models import Board, Display

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]
CODE = re.compile(r'class="pairing-code"[^>]*>([A-Z0-9-]+)<')


def revoke(admin: Client, display: Display) -> None:
    changelist = "/admin/dashboard/display/"
    admin.post(changelist, {"action": "revoke_displays", "_selected_action": [display.pk]})


def edit(admin: Client, display: Display, *, revoked: bool) -> str:
    """Save the display's change form as an admin would, ticking or unticking "revoked"."""
    form = {
        "name": display.name,
        "board": display.board_id,
        "rotation_s": display.rotation_s,
        "reload_hour": display.reload_hour,
        **({"revoked": "on"} if revoked else {}),
    }
    return admin.post(f"/admin/dashboard/display/{display.pk}/change/", form, follow=True).text


def pair_by_code(admin: Client, tv: Client, display: Display) -> None:
    found = CODE.search(tv.get("/tv/").text)
    assert found is not None, "the TV shows no pairing code"
    admin.post("/admin/dashboard/display/pair/", {"code": found.group(1), "display": display.pk})
    assert tv.get("/tv/pairing/").json() == {"paired": True}


def marked_revoked(display: Display) -> bool:
    return bool(live_redis_sync().exists(revocation_key(display.pk)))


def test_revoking_destroys_the_credential_and_unrevoking_does_not_revive_it(
    board: Board, admin: Client
) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    tv = Client()
    tv.cookies["wb_display"] = display.claim()
    revoke(admin, display)
    assert Display.objects.get().token_hash == ""
    page = edit(admin, display, revoked=False)
    assert "needs a new pairing" in page
    assert not Display.objects.get().revoked
    assert CODE.search(tv.get("/tv/").text) is not None  # the old cookie is no credential now


def test_ticking_revoked_in_the_form_destroys_the_credential(board: Board, admin: Client) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    tv = Client()
    tv.cookies["wb_display"] = display.claim()
    edit(admin, display, revoked=True)
    assert (Display.objects.get().token_hash, marked_revoked(display)) == ("", True)


def test_a_tv_paired_again_is_not_told_it_is_revoked(board: Board, admin: Client) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    revoke(admin, display)
    assert marked_revoked(display)
    edit(admin, display, revoked=False)
    assert not marked_revoked(display)  # un-revoked: its next pairing's sockets must stay open
    revoke(admin, display)
    Display.objects.update(revoked=False)  # un-revoked behind the admin's back: pairing clears it
    tv = Client()
    pair_by_code(admin, tv, display)
    assert not marked_revoked(display)
    assert tv.get("/tv/").context["board"] == board


def test_the_one_time_link_clears_the_revocation_marker(board: Board, admin: Client) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    revoke(admin, display)
    Display.objects.update(revoked=False)
    code = Display.objects.get().new_claim_code()
    assert marked_revoked(display)
    tv = Client()
    tv.post("/tv/claim/", {"code": code})
    assert not marked_revoked(display)
