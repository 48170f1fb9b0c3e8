"""The admin: a board's settings in sections with thresholds checked, and the displays list."""

from datetime import timedelta
from typing import Any

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dashboard.boards.displays import revocation_key
from dashboard.models import Board, Display

pytestmark = pytest.mark.django_db


def board_form(**changes: Any) -> dict[str, Any]:
    fields = {
        "name": "Sales floor",
        "slug": "sales",
        "queues": "6400,6401",
        "language": "th",
        "waiting_warn": 3,
        "waiting_critical": 6,
        "longest_wait_warn_s": 60,
        "longest_wait_critical_s": 120,
        "service_level_warn": 80,
        "service_level_critical": 60,
        "abandon_rate_warn": 5,
        "abandon_rate_critical": 10,
        "available_warn": 0,
        "available_critical": 0,
        "flash_s": 60,
        "show_agents": "on",
        "show_waiting": "on",
    }
    return {**fields, **changes}


def test_the_board_form_groups_its_settings(admin: Client) -> None:
    page = admin.get("/admin/dashboard/board/add/").text
    for section in ("Thresholds", "Sections shown", "Language", "Who may view"):
        assert f">{section}</h2>" in page  # one heading per fieldset


def test_an_admin_saves_a_board_with_its_language_sections_and_thresholds(admin: Client) -> None:
    response = admin.post("/admin/dashboard/board/add/", board_form())
    assert response.status_code == 302
    board = Board.objects.get()
    assert (board.language, board.show_calls, board.waiting_critical) == ("th", False, 6)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"waiting_critical": 3}, "Critical must be above the warning level."),
        ({"longest_wait_critical_s": 30}, "Critical must be above the warning level."),
        ({"service_level_critical": 90}, "Critical must be below the warning level"),
        ({"service_level_warn": 120}, "A percentage: 100 at most."),
        ({"abandon_rate_critical": 4}, "Critical must be above the warning level."),
        ({"abandon_rate_critical": 101}, "A percentage: 100 at most."),
        ({"available_warn": 1, "available_critical": 2}, "Critical must be below the warning"),
    ],
)
def test_thresholds_in_the_wrong_order_are_refused(
    admin: Client, changes: dict[str, int], complaint: str
) -> None:
    response = admin.post("/admin/dashboard/board/add/", board_form(**changes))
    assert response.status_code == 200
    assert complaint in response.text
    assert not Board.objects.exists()


def test_available_agents_alarm_only_below_what_an_admin_sets(admin: Client) -> None:
    """Fewer available agents than the level is worse; a critical level of 0 is no alarm."""
    form = board_form(available_warn=2, available_critical=0, flash_s=0)
    assert admin.post("/admin/dashboard/board/add/", form).status_code == 302
    board = Board.objects.get()
    assert (board.available_warn, board.available_critical, board.flash_s) == (2, 0, 0)


def test_the_display_list_says_which_tvs_are_online(admin: Client, board: Board) -> None:
    now = timezone.now()
    Display.objects.create(name="Lobby TV", board=board, last_seen_at=now)
    Display.objects.create(name="Canteen TV", board=board, last_seen_at=now - timedelta(hours=1))
    Display.objects.create(name="Spare TV", board=board)
    page = admin.get("/admin/dashboard/display/").text
    rows = {
        name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Lobby", "Canteen", "Spare")
    }
    assert "online" in rows["Lobby"]
    assert "stale" in rows["Canteen"]
    assert "never" in rows["Spare"]


def test_revoking_marks_the_display_for_its_live_sockets(
    admin: Client, board: Board, clean_redis: str
) -> None:
    display = Display.objects.create(name="Lobby TV", board=board)
    response = admin.post(
        "/admin/dashboard/display/",
        {"action": "revoke_displays", "_selected_action": [display.pk]},
        follow=True,
    )
    assert "Revoked 1 display(s)" in response.text
    assert Display.objects.get().revoked
    assert redis.Redis.from_url(clean_redis).exists(revocation_key(display.pk))


def test_only_admins_may_pair_tvs(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/admin/dashboard/display/pair/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
