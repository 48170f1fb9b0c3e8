"""The role model of docs/design.md#roles on every HTTP endpoint that needs no PBX: anonymous,
viewer, a signed-in user the board is not shared with, TV display, supervisor, admin. (Actions
against the PBX: tests/test_actions.py; the board socket: tests/test_board_socket.py.)"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import Board, Display, Supervisor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

ROLES = ["anonymous", "viewer", "not_shared", "tv", "supervisor", "admin"]
# Expected HTTP status per role, in the order of ROLES.
MATRIX: dict[str, list[int | None]] = {
    "/boards/sales/": [302, 200, 404, 302, 200, 200],
    "/api/boards/sales/snapshot/": [401, 200, 403, 200, 200, 200],
    "/api/pause-reasons/": [401, 403, 403, 403, None, None],  # None: needs the PBX
    "/api/monitors/?board=sales": [401, 403, 404, 403, 200, 200],  # 404: not even its name
    "/admin/": [302, 302, 302, 302, 302, 200],
    "/admin/dashboard/actionattempt/": [302, 302, 302, 302, 302, 200],
    "/admin/dashboard/display/pair/": [302, 302, 302, 302, 302, 200],
}


@pytest.fixture
def clients(board: Board, alice: User, bob: User) -> dict[str, Client]:
    """Admin here is a superuser: staff act on every queue, and Django's own permissions
    decide which admin pages a staff member without them may open."""
    admin = User.objects.create_superuser("erin", password="erin-password-1")
    dora = User.objects.create_user("dora", password="dora-password-1")
    board.viewers.add(dora)
    Supervisor.objects.create(user=dora, extension="1100", queues="6400")
    tv = Client()
    tv.cookies["wb_display"] = Display.objects.create(name="Lobby TV", board=board).claim()
    signed_in = {"viewer": alice, "not_shared": bob, "supervisor": dora, "admin": admin}
    clients = {"anonymous": Client(), "tv": tv}
    for role, user in signed_in.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


@pytest.mark.parametrize("path", sorted(MATRIX))
def test_each_role_gets_what_design_md_grants_it(clients: dict[str, Client], path: str) -> None:
    got = {role: clients[role].get(path).status_code for role in ROLES}
    expected = {role: code for role, code in zip(ROLES, MATRIX[path], strict=True) if code}
    assert {role: got[role] for role in expected} == expected


def test_only_supervisors_and_admins_get_the_action_ui(clients: dict[str, Client]) -> None:
    pages = {role: clients[role].get("/boards/sales/").content.decode() for role in ROLES}
    assert 'id="wb-actor"' not in pages["viewer"]
    assert '"queues": ["6400"]' in pages["supervisor"]
    assert 'id="wb-actor"' in pages["admin"]
    tv_page = clients["tv"].get("/tv/").content.decode()
    assert "actions.js" not in tv_page
    assert 'id="wb-actor"' not in tv_page


def test_every_api_refusal_is_json_never_a_login_page(clients: dict[str, Client]) -> None:
    for path in ("/api/boards/sales/snapshot/", "/api/pause-reasons/", "/api/monitors/"):
        response = clients["anonymous"].get(path)
        assert response["Content-Type"].startswith("application/json"), path
        assert "error" in response.json(), path
