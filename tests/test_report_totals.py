"""Reports over long ranges: the day totals always equal their intervals (as the worker,
rebuild_history, pruning and the upgrade write them) and give the reports the intervals would;
a long report comes page by page, its downloads whole."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import User
from django.test import Client, override_settings

from dashboard.live.today import QueueDay, Today
from dashboard.live.trends import added
from dashboard.models import QueueDayTotal, QueueInterval
from dashboard.reports import pages
from dashboard.worker import history

pytestmark = pytest.mark.usefixtures("clean_redis")
BANGKOK = ZoneInfo("Asia/Bangkok")
# 05:45 and 06:00 in Bangkok on 2 December 2026: the last interval of business day 1 December,
# the first of 2 December.
BEFORE_SIX = datetime(2026, 12, 1, 22, 45, tzinfo=UTC)
AT_SIX = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
Totals = dict[tuple[str, date], dict[str, Any]]


@pytest.fixture(autouse=True)
def bangkok() -> Iterator[None]:
    with override_settings(TIME_ZONE="Asia/Bangkok", BUSINESS_DAY_START=time(6, 0)):
        yield


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def interval(at: datetime, **offered: int) -> Today:
    """An interval with these calls offered (and answered) per queue: `q6400=3`."""
    kept = Today("", ms(at))
    for name, calls in offered.items():
        kept.queues[name[1:]] = QueueDay(offered=calls, answered=calls, handled=calls)
    return kept


def sums_of_intervals() -> Totals:
    """What each day total must be, added up here from the intervals kept."""
    days: dict[tuple[str, date], list[QueueDay]] = defaultdict(list)
    for row in QueueInterval.objects.all():
        day = (row.start.astimezone(BANGKOK) - timedelta(hours=6)).date()
        days[row.queue, day].append(QueueDay(**row.counters))
    return {key: asdict(added(kept)) for key, kept in days.items()}


def totals() -> Totals:
    return {(row.queue, row.day): row.counters for row in QueueDayTotal.objects.all()}


async def kept() -> tuple[Totals, Totals]:
    return await sync_to_async(totals)(), await sync_to_async(sums_of_intervals)()


@pytest.mark.django_db(transaction=True)
async def test_the_worker_keeps_each_day_total_equal_to_its_intervals() -> None:
    await history.save_interval(interval(BEFORE_SIX - timedelta(minutes=15), q6400=2, q6401=1))
    await history.save_interval(interval(BEFORE_SIX, q6400=3))
    await history.save_interval(interval(AT_SIX, q6400=5))
    await history.save_interval(interval(BEFORE_SIX, q6400=4, q6401=7))  # counted on
    written, expected = await kept()
    assert written == expected
    assert expected["6400", date(2026, 12, 1)]["offered"] == 2 + 4
    assert expected["6400", date(2026, 12, 2)]["offered"] == 5


@pytest.mark.django_db(transaction=True)
async def test_rebuilt_and_pruned_history_keeps_the_totals_equal() -> None:
    await history.save_interval(interval(BEFORE_SIX, q6400=3, q6401=1))
    await history.save_interval(interval(AT_SIX, q6400=5))
    await history.replace_intervals(
        {("6400", ms(BEFORE_SIX)): QueueDay(offered=9), ("6401", ms(BEFORE_SIX)): None}
    )
    written, expected = await kept()
    assert written == expected
    assert ("6401", date(2026, 12, 1)) not in written  # no interval left: no total
    await history.prune(AT_SIX + timedelta(days=90, hours=1))  # 1 December began 90 days ago
    written, expected = await kept()
    assert written == expected
    assert set(written) == {("6400", date(2026, 12, 2))}


@pytest.mark.django_db
def test_the_upgrade_totals_the_history_already_kept() -> None:
    for n in range(200):  # written by a release before the totals: none
        start = AT_SIX + timedelta(minutes=15 * n)
        QueueInterval.objects.create(queue="6400", start=start, counters={"offered": n})
    history.total_every_day(QueueInterval, QueueDayTotal)
    assert totals() == sums_of_intervals()
    assert len(totals()) == 3


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user("boss", is_staff=True))
    return client


def a_fortnight() -> None:
    """Two queues, 14 business days from 1 December, a busy interval every two hours."""
    for n in range(14 * 12):
        at = AT_SIX - timedelta(days=1) + timedelta(hours=2 * n)
        async_to_sync(history.save_interval)(interval(at, q6400=n % 7, q6401=n % 5 + 1))


def report_table(client: Client, **query: str) -> str:
    asked = {"date_from": "2026-12-01", "date_to": "2026-12-14", "queues": ["6400", "6401"]}
    page = client.get("/reports/", {**asked, **query}).content.decode()
    return page[page.index("<table") : page.index("</table>")]


@pytest.mark.django_db
@pytest.mark.parametrize(("grouping", "period"), [("day", "2026-12-08"), ("week", "2026-12-07")])
def test_a_report_over_days_reads_the_same_from_totals_as_from_intervals(
    staff: Client, grouping: str, period: str
) -> None:
    a_fortnight()
    from_totals = report_table(staff, grouping=grouping)
    assert f"<td>{period}</td><td>6401</td>" in from_totals
    QueueDayTotal.objects.all().delete()
    assert report_table(staff, grouping=grouping) == from_totals


@pytest.mark.django_db
def test_totals_summed_under_another_business_day_are_not_used(staff: Client) -> None:
    a_fortnight()
    with override_settings(BUSINESS_DAY_START=time(0, 0)):
        shown = report_table(staff, grouping="day")
        QueueDayTotal.objects.all().delete()
        assert report_table(staff, grouping="day") == shown


@pytest.mark.django_db
def test_a_long_report_comes_page_by_page_and_downloads_whole(
    staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "PAGE_ROWS", 32)  # intervals read: 4 hours of the two queues
    a_fortnight()
    first = staff.get("/reports/", {"date_from": "2026-12-02", "date_to": "2026-12-02",
                                    "queues": ["6400", "6401"], "grouping": "hour"})  # fmt: skip
    text = first.content.decode()
    assert "page 1 of 6, at most 32 rows a page" in text
    assert text.count("<tr><td>2026-12-02 0") == 2 * 2  # 06:00 to 09:59: two busy hours
    assert 'rel="prev"' not in text
    link = text.index('rel="next"')
    later = text[text.rindex('href="?', 0, link) + len('href="?') :].split('"')[0]
    second = staff.get("/reports/?" + later.replace("&amp;", "&")).content.decode()
    assert "page 2 of 6" in second
    assert "<tr><td>2026-12-02 10:00</td><td>6400</td>" in second
    assert 'rel="prev"' in second
    csv = staff.get("/reports/report.csv?" + later.replace("&amp;", "&")).content.decode()
    assert len(csv.splitlines()) == 1 + 12 * 2  # every busy hour of the day, both queues
