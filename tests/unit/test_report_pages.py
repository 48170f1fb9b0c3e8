"""A long report's pages: together they cover the question exactly, each of whole periods,
weeks from their Monday, hours in elapsed time across a change of clocks."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest

from dashboard.reports import pages
from dashboard.reports.aggregate import span
from dashboard.reports.pages import Page, page_of

BERLIN = "Europe/Berlin"  # clocks went forward at 02:00 on 29 March 2026


def every_page(chosen: dict[str, Any]) -> list[Page]:
    count = page_of(chosen, 1, BERLIN, time(0, 0)).count
    return [page_of(chosen, number, BERLIN, time(0, 0)) for number in range(1, count + 1)]


def question(grouping: str, first: date, last: date, queues: int) -> dict[str, Any]:
    numbers = [str(6400 + n) for n in range(queues)]
    return {"date_from": first, "date_to": last, "grouping": grouping, "queues": numbers}


def test_week_pages_hold_whole_weeks_and_cover_the_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_ROWS", 20)  # two weeks of 10 queues a page
    shown = every_page(question("week", date(2026, 3, 4), date(2026, 4, 30), queues=10))
    assert [(page.first, page.last) for page in shown] == [
        (date(2026, 3, 4), date(2026, 3, 15)),  # from a Wednesday: the rest of its week, and one
        (date(2026, 3, 16), date(2026, 3, 29)),
        (date(2026, 3, 30), date(2026, 4, 12)),
        (date(2026, 4, 13), date(2026, 4, 26)),
        (date(2026, 4, 27), date(2026, 4, 30)),
    ]
    assert {page.count for page in shown} == {5}


def test_hour_pages_tile_the_range_across_a_change_of_clocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pages, "PAGE_ROWS", 40)  # 10 hours of one queue a page
    chosen = question("hour", date(2026, 3, 28), date(2026, 3, 29), queues=1)
    shown = every_page(chosen)
    asked = span(chosen["date_from"], chosen["date_to"], BERLIN, time(0, 0))
    start, end = (at.astimezone(UTC) for at in asked)
    assert shown[0].start == start
    assert shown[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(shown))
    assert all(page.end - page.start == timedelta(hours=10) for page in shown[:-1])
    assert len(shown) == 5  # 47 hours: the night of 29 March had 23
    assert shown[2].start == datetime(2026, 3, 28, 19, 0, tzinfo=UTC)


def test_a_page_beyond_the_last_is_the_last() -> None:
    chosen = question("15min", date(2026, 3, 1), date(2026, 3, 1), queues=50)
    assert page_of(chosen, 99, BERLIN, time(0, 0)) == page_of(chosen, 1, BERLIN, time(0, 0))
