"""`GET /api/boards/<slug>/snapshot/`: the socket's snapshot as JSON, with the same rules."""

import json
from collections.abc import Callable

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client, override_settings

from dashboard.models import Board, Display
from dashboard.streams import EPOCH_KEY, stream_key

pytestmark = pytest.mark.django_db
URL = "/api/boards/sales/snapshot/"
SALES = {"number": "6400", "name": "Sales", "waiting": []}


@pytest.fixture
def stored_state(clean_redis: str) -> None:
    """What a worker would have published: an epoch and one of the board's queues."""
    store = redis.Redis.from_url(clean_redis)
    store.set(EPOCH_KEY, "e1")
    store.set(stream_key("queue:6400"), json.dumps({"epoch": "e1", "seq": 3, "data": SALES}))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def display_client(board: Board, revoked: bool = False) -> Client:
    client = Client()
    client.cookies["wb_display"] = Display.objects.create(
        name="TV", board=board, revoked=revoked
    ).claim()
    return client


def other_board() -> Board:
    return Board.objects.create(slug="support", name="Support", queues="7000")


CAST: dict[str, Callable[[Board], Client]] = {
    "anonymous": lambda board: Client(),
    "viewer of another board": lambda board: signed_in(
        other_board().viewers.create(username="dave")
    ),
    "viewer": lambda board: signed_in(board.viewers.create(username="erin")),
    "staff": lambda board: signed_in(User.objects.create_user("root", is_staff=True)),
    "display of this board": display_client,
    "display of another board": lambda board: display_client(other_board()),
    "revoked display": lambda board: display_client(board, revoked=True),
}


@pytest.mark.usefixtures("stored_state")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("viewer of another board", 403),
        ("viewer", 200),
        ("staff", 200),
        ("display of this board", 200),
        ("display of another board", 403),
        ("revoked display", 403),
    ],
)
def test_it_answers_only_those_who_may_see_the_board(board: Board, who: str, status: int) -> None:
    response = CAST[who](board).get(URL)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if status == 200:
        assert response.json()["streams"]["queue:6400"] == {"seq": 3, "data": SALES}
    else:
        assert response.json()["error"]


@pytest.mark.usefixtures("stored_state")
def test_it_returns_the_same_snapshot_as_the_socket(board: Board, alice: User) -> None:
    snapshot = signed_in(alice).get(URL).json()
    assert snapshot["type"] == "snapshot"
    assert snapshot["epoch"] == "e1"
    assert snapshot["board"]["slug"] == "sales"
    assert snapshot["board"]["thresholds"]["waiting_critical"] == 6
    assert snapshot["streams"]["queue:6401"] == {"seq": 0, "data": None}
    assert set(snapshot["streams"]) == {"link", "beat", "queue:6400", "queue:6401"}
    assert isinstance(snapshot["server_time"], int)


def test_an_unknown_board_is_404_for_a_signed_in_user(alice: User) -> None:
    response = signed_in(alice).get("/api/boards/nope/snapshot/")
    assert response.status_code == 404
    assert response.json() == {"error": "No such board."}


def test_anonymous_callers_get_json_not_a_login_redirect(board: Board) -> None:
    response = Client().get("/api/boards/nope/snapshot/")
    assert response.status_code == 401
    assert response.json() == {"error": "Sign in, or open this on a paired TV."}


def test_redis_down_is_a_json_503(alice: User) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/15"):  # nothing listens on port 1
        response = signed_in(alice).get(URL)
    assert response.status_code == 503
    assert response.json() == {"error": "The live figures cannot be read now (ConnectionError)."}
