"""`GET /api/boards/<slug>/intraday/` and the intraday page: today's intervals of a board's
queues beside last week's, for those who may see the board only."""

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, time

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from dashboard.live.today import QueueDay
from dashboard.models import Board, DaySnapshot, QueueInterval, Supervisor
from tests.test_snapshot_api import CAST as SNAPSHOT_CAST
from tests.test_snapshot_api import display_client, other_board, signed_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("bangkok_morning"),
]
URL = "/api/boards/sales/intraday/"
# Friday 2026-12-04 09:20 in Bangkok (02:20 UTC); the business day began at 08:00 (01:00 UTC).
NOW = datetime(2026, 12, 4, 2, 20, tzinfo=UTC)
DAY_START = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
MINUTE_MS = 60_000


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@pytest.fixture
def bangkok_morning(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("dashboard.boards.intraday.now_ms", lambda: ms(NOW))
    with override_settings(TIME_ZONE="Asia/Bangkok", BUSINESS_DAY_START=time(8, 0)):
        yield


def kept(queue: str, start: datetime, **counters: int) -> None:
    QueueInterval.objects.create(queue=queue, start=start, counters=asdict(QueueDay(**counters)))


@pytest.fixture
def history(board: Board) -> None:
    """08:00 today on both queues, 09:00 and 09:15 (the current interval) on 6400, 08:00 last
    Friday on 6400, and today's figures as the worker last wrote them."""
    kept("6400", DAY_START, offered=4, answered=3, answered_in_sl=3, abandoned=1)
    kept("6401", DAY_START, offered=2, answered=2, answered_in_sl=1, handled=2, talk_ms=90_000)
    kept("6400", datetime(2026, 12, 4, 2, 0, tzinfo=UTC), offered=1)
    kept("6400", datetime(2026, 12, 4, 2, 15, tzinfo=UTC), offered=2)  # the current interval
    kept("6400", datetime(2026, 11, 27, 1, 0, tzinfo=UTC), offered=9, answered=9, answered_in_sl=9)
    kept("7000", DAY_START, offered=50)  # another board's queue
    queues = {"6400": asdict(QueueDay(offered=5)), "6401": asdict(QueueDay(offered=2))}
    DaySnapshot.objects.create(day="2026-12-04", data={"day": "2026-12-04", "queues": queues})


def supervisor_of_other_board(board: Board) -> Client:
    """A supervisor of queue 7000 only, on the support board."""
    user = other_board().viewers.create(username="sam")
    Supervisor.objects.create(user=user, extension="1009", queues="7000")
    return signed_in(user)


# The snapshot API's callers, and one more: the same access rule (board_for_api) answers both.
CAST: dict[str, Callable[[Board], Client]] = {
    **SNAPSHOT_CAST,
    "supervisor of another board": supervisor_of_other_board,
}


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("supervisor of another board", 403),
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
    if status == 200:
        assert response.json()["today"][0]["offered"] == 6
    else:
        assert response.json()["error"]


@pytest.mark.usefixtures("history")
def test_the_board_s_queues_add_up_interval_by_interval(alice: User) -> None:
    day = signed_in(alice).get(URL).json()
    assert (day["day"], day["start"], day["slots"]) == ("2026-12-04", ms(DAY_START), 96)
    assert [interval["start"] for interval in day["today"]] == [
        ms(DAY_START) + n * 15 * MINUTE_MS for n in range(5)
    ]  # 08:00 to 09:00: closed; 09:15 is the current one, which the page counts on live
    first = day["today"][0]
    assert (first["offered"], first["answered"], first["abandoned"]) == (6, 5, 1)
    assert (first["service_level"], first["aht_s"]) == (80.0, 45)
    assert day["today"][1]["offered"] == 0
    assert day["today"][1]["service_level"] is None
    assert day["today"][4]["offered"] == 1
    assert day["current"] == ms(datetime(2026, 12, 4, 2, 15, tzinfo=UTC))


@pytest.mark.usefixtures("history")
def test_it_has_the_same_weekday_last_week(alice: User) -> None:
    last_week = signed_in(alice).get(URL).json()["last_week"]
    assert last_week["day"] == "2026-11-27"
    assert len(last_week["intervals"]) == 96
    assert last_week["intervals"][0]["offered"] == 9
    assert last_week["intervals"][0]["service_level"] == 100.0


@pytest.mark.usefixtures("history")
def test_one_queue_alone_and_the_baseline_for_the_live_interval(alice: User) -> None:
    day = signed_in(alice).get(URL, {"queue": "6401"}).json()
    assert day["queues"] == ["6401"]
    assert day["today"][0]["offered"] == 2
    assert day["last_week"]["intervals"][0]["offered"] == 0
    everything = signed_in(alice).get(URL).json()["live"]
    assert everything["today"]["offered"] == 7  # today's, as the worker last wrote them
    assert everything["interval"]["offered"] == 2  # 09:15's, as the worker last wrote it


def test_a_queue_not_on_the_board_is_404(alice: User) -> None:
    response = signed_in(alice).get(URL, {"queue": "7000"})
    assert response.status_code == 404
    assert signed_in(alice).get("/boards/sales/intraday/", {"queue": "7000"}).status_code == 404


def test_the_page_is_for_the_board_s_viewers(board: Board, alice: User, bob: User) -> None:
    page = signed_in(alice).get("/boards/sales/intraday/", {"queue": "6400"})
    assert page.status_code == 200
    assert b'data-queue="6400"' in page.content
    assert signed_in(bob).get("/boards/sales/intraday/").status_code == 404
    assert Client().get("/boards/sales/intraday/").status_code == 302  # to sign in


@pytest.mark.usefixtures("history")
def test_the_tv_strip_is_off_until_the_board_asks_for_it(board: Board) -> None:
    tv = display_client(board)
    assert tv.get("/api/boards/sales/trend-strip/").json() == {"shown": False}
    Board.objects.filter(pk=board.pk).update(tv_trend_strip=True)
    strip = tv.get("/api/boards/sales/trend-strip/").json()
    assert strip["slots"] == 96
    assert [interval["offered"] for interval in strip["queues"]["6400"]] == [4, 0, 0, 0, 1]
    assert strip["queues"]["6401"][0] == {"offered": 2, "service_level": 50.0}
    assert Client().get("/api/boards/sales/trend-strip/").status_code == 401
    assert display_client(other_board()).get("/api/boards/sales/trend-strip/").status_code == 403


def test_admins_find_the_tv_strip_among_the_board_s_sections(admin: Client) -> None:
    page = admin.get("/admin/dashboard/board/add/").text
    sections = page.split(">Sections shown</h2>", 1)[1].split("</fieldset>", 1)[0]
    assert 'name="tv_trend_strip"' in sections
