"""The reports pages over HTTP: who sees which queues, bad questions, and the CSV and XLSX files
(typed cells, English and Thai), each download in the audit log."""

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from io import BytesIO, StringIO
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from openpyxl import load_workbook

from dashboard.models import ActionAttempt, Board, DaySnapshot, QueueInterval, Supervisor
from dashboard.reports.views import business_today
from dashboard.streams import EPOCH_KEY, stream_key

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("clean_redis"),
]
BANGKOK = override_settings(TIME_ZONE="Asia/Bangkok", BUSINESS_DAY_START=time(6, 0))
# Thirty business days, 1-30 November 2026 (Bangkok, from 06:00).
MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-30", "grouping": "day"}


@pytest.fixture(autouse=True)
def bangkok() -> Iterator[None]:
    with BANGKOK:
        yield


@pytest.fixture
def history(db: None) -> None:
    """Each day at 09:00 in Bangkok, one interval per queue: 6400 and 6500 (no board's)."""
    for day in range(1, 31):
        start = datetime(2026, 11, day, 2, 0, tzinfo=UTC)
        for queue in ("6400", "6500"):
            counters = {
                "offered": 3,
                "answered": 2,
                "answered_in_sl": 1,
                "handled": 2,
                "talk_ms": 240_000,
            }
            QueueInterval.objects.create(queue=queue, start=start, counters=counters)


@pytest.fixture
def supervisor(db: None) -> User:
    """A supervisor of queue 6500, whose board they are not a viewer of."""
    user = User.objects.create_user("sam", password="sam-password-1")
    Supervisor.objects.create(user=user, queues="6500")
    return user


def ask(client: Client, user: User, path: str, **query: str | list[str]) -> Any:
    """The test client's response (with `context`, which HttpResponse's type lacks)."""
    client.force_login(user)
    return client.get(path, query)


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/report.csv", "/reports/report.xlsx", "/reports/agents/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path, MONTH)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_without_queues_has_no_reports(client: Client, bob: User) -> None:
    assert ask(client, bob, "/reports/").status_code == 404


def test_a_viewer_is_offered_their_boards_queues_only(
    client: Client, alice: User, history: None
) -> None:
    page = ask(client, alice, "/reports/")
    assert [value for value, _ in page.context["form"].fields["queues"].choices] == ["6400", "6401"]


def test_a_queue_not_the_users_is_a_form_error(client: Client, alice: User, history: None) -> None:
    for path in ("/reports/", "/reports/report.csv"):
        response = ask(client, alice, path, **MONTH, queues=["6400", "6500"])
        assert response.status_code == 400
        assert b"6500 is not one of the available choices" in response.content
    assert not ActionAttempt.objects.filter(action="export").exists()


def test_a_supervisor_sees_their_queues(client: Client, supervisor: User, history: None) -> None:
    response = ask(client, supervisor, "/reports/report.csv", **MONTH, queues="6500")
    lines = list(csv.reader(StringIO(response.content.decode())))
    assert {line[1] for line in lines[1:]} == {"6500"}
    assert ask(client, supervisor, "/reports/", **MONTH, queues="6400").status_code == 400


def test_staff_see_every_queue_with_history(
    client: Client, charlie: User, board: Board, history: None
) -> None:
    page = ask(client, charlie, "/reports/")
    assert [value for value, _ in page.context["form"].fields["queues"].choices] == [
        "6400",
        "6401",
        "6500",
    ]


@pytest.mark.parametrize(
    ("dates", "error"),
    [
        ({"date_from": "2026-08-01", "date_to": "2026-11-30"}, "Choose at most 90 days."),
        (
            {"date_from": "2026-11-30", "date_to": "2026-11-01"},
            "The end date is before the start date.",
        ),
        ({"date_from": "someday", "date_to": "2026-11-01"}, "Enter a valid date."),
    ],
)
def test_bad_ranges_are_form_errors(
    client: Client, alice: User, dates: dict[str, str], error: str
) -> None:
    for path in ("/reports/", "/reports/report.xlsx"):
        response = ask(client, alice, path, **dates, grouping="day", queues="6400")
        assert response.status_code == 400
        assert error in response.content.decode()


def test_the_page_shows_a_row_per_day_with_its_figures(
    client: Client, alice: User, history: None
) -> None:
    page = ask(client, alice, "/reports/", **MONTH, queues="6400").content.decode()
    assert page.count("<tr><td>2026-11-") == 30
    assert '<td>2026-11-05</td><td>6400</td><td class="number">3</td>' in page
    assert 'href="/reports/report.xlsx?date_from=2026-11-01' in page


def test_a_30_day_csv_download_is_logged(client: Client, alice: User, history: None) -> None:
    response = ask(client, alice, "/reports/report.csv", **MONTH, queues="6400")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="report-2026-11-01-2026-11-30-day.csv"'
    )
    lines = list(csv.reader(StringIO(response.content.decode())))
    assert lines[0][:3] == ["Period", "Queue", "Offered"]
    assert [line[0] for line in lines[1:]] == [f"2026-11-{day:02}" for day in range(1, 31)]
    assert lines[1][lines[0].index("Service level (%)")] == "50.0"
    logged = ActionAttempt.objects.get(action="export")
    assert (logged.username, logged.target, logged.queues, logged.result) == (
        "alice",
        "report.csv",
        "6400",
        "ok",
    )
    assert logged.parameters == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "grouping": "day",
        "format": "csv",
    }


def test_a_30_day_xlsx_has_dates_and_numbers_in_thai(
    client: Client, alice: User, history: None
) -> None:
    client.force_login(alice)
    response = client.get(
        "/reports/report.xlsx", {**MONTH, "queues": "6400"}, headers={"accept-language": "th"}
    )
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "ช่วงเวลา"
    assert sheet["C1"].value == "สายเข้า"
    assert sheet["A2"].value == datetime(2026, 11, 1)
    assert sheet["A2"].is_date
    assert sheet["C2"].value == 3
    assert sheet.max_row == 31
    assert ActionAttempt.objects.get(action="export").target == "report.xlsx"


def test_hours_are_local_times(client: Client, alice: User, history: None) -> None:
    response = ask(
        client,
        alice,
        "/reports/report.csv",
        date_from="2026-11-01",
        date_to="2026-11-01",
        grouping="hour",
        queues="6400",
    )
    lines = list(csv.reader(StringIO(response.content.decode())))
    assert [line[0] for line in lines[1:]] == ["2026-11-01T09:00+07:00"]


def live_agents(queue: str, agents: list[dict[str, str]]) -> None:
    store = redis.Redis.from_url(settings.REDIS_URL)
    store.set(EPOCH_KEY, "e1")
    store.set(
        stream_key(f"queue:{queue}"),
        json.dumps({"epoch": "e1", "seq": 1, "data": {"agents": agents}}),
    )


def kept_day(day: str) -> None:
    agents = {
        number: {
            "answered": answered,
            "missed": 0,
            "talk_ms": answered * 60_000,
            "hold_ms": 0,
            "pause_ms": {},
        }
        for number, answered in (("1001", 3), ("1002", 5), ("2001", 9))
    }
    DaySnapshot.objects.create(
        day=day, data={"day": day, "agents": agents, "paused_since": {}, "held_since": {}}
    )


def test_a_viewer_sees_the_agents_of_their_queues_day(client: Client, alice: User) -> None:
    today = business_today()
    kept_day(today.isoformat())
    live_agents("6400", [{"number": "1001", "name": "Ann"}, {"number": "1002", "name": "Ben"}])
    page = ask(client, alice, "/reports/agents/", day=today.isoformat(), sort="answered", desc="on")
    content = page.content.decode()
    assert content.index('data-agent="1002"') < content.index('data-agent="1001"')
    assert 'data-agent="2001"' not in content  # another queue's agent


def test_staff_see_every_agent_and_a_day_too_old_is_an_error(
    client: Client, charlie: User, board: Board
) -> None:
    old = business_today() - timedelta(days=5)
    kept_day(old.isoformat())
    content = ask(client, charlie, "/reports/agents/", day=old.isoformat()).content.decode()
    assert 'data-agent="2001"' in content
    too_old = business_today() - timedelta(days=120)
    response = ask(client, charlie, "/reports/agents/", day=too_old.isoformat())
    assert response.status_code == 400
    assert "Choose a day of the last 90 days." in response.content.decode()


def test_every_page_leads_to_the_reports(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert 'href="/reports/"' in client.get("/boards/sales/").content.decode()
