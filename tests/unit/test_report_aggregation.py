"""Reports from the 15-minute history: periods in the installation's zone and business day,
sums per period, ratios from the sums (never averaged), and the files' cells."""

import csv
from datetime import UTC, date, datetime, time
from io import BytesIO, StringIO

from openpyxl import load_workbook

from dashboard.live.today import QueueDay
from dashboard.reports.aggregate import Interval, group, period_of, span
from dashboard.reports.exports import to_csv, to_xlsx

BANGKOK = "Asia/Bangkok"
SIX = time(6, 0)


def at(utc: str) -> datetime:
    return datetime.fromisoformat(utc).replace(tzinfo=UTC)


def interval(queue: str, utc: str, **counters: int) -> Interval:
    return Interval(queue, at(utc), QueueDay(**counters))


def test_an_hour_sums_its_four_intervals_at_the_local_hour() -> None:
    rows = group(
        [interval("6400", f"2026-12-01T01:{m:02}", offered=1, answered=1) for m in (0, 15, 30, 45)],
        "hour",
        BANGKOK,
        SIX,
    )
    assert [(row.period.isoformat(), row.queue) for row in rows] == [
        ("2026-12-01T08:00:00+07:00", "6400")
    ]
    assert rows[0].figures["offered"] == 4


def test_a_day_is_the_business_day_in_the_installations_zone() -> None:
    # 05:45 in Bangkok is before a 06:00 business day starts: it counts on the day before.
    assert period_of(at("2026-12-01T22:45"), "day", BANGKOK, SIX) == date(2026, 12, 1)
    assert period_of(at("2026-12-01T23:00"), "day", BANGKOK, SIX) == date(2026, 12, 2)


def test_a_week_is_named_by_its_monday() -> None:
    # Sunday 6 December 2026, 10:00 in Bangkok.
    assert period_of(at("2026-12-06T03:00"), "week", BANGKOK, SIX) == date(2026, 11, 30)


def test_fifteen_minutes_keep_each_interval_and_queue_apart() -> None:
    rows = group(
        [
            interval("6401", "2026-12-01T01:00", offered=2),
            interval("6400", "2026-12-01T01:00", offered=1),
        ],
        "15min",
        BANGKOK,
        SIX,
    )
    assert [(row.queue, row.figures["offered"]) for row in rows] == [("6400", 1), ("6401", 2)]


def test_service_level_asa_and_aht_come_from_the_sums_not_averages() -> None:
    quiet = interval(
        "6400",
        "2026-12-01T01:00",
        answered=1,
        answered_in_sl=1,
        answered_wait_ms=2000,
        handled=1,
        talk_ms=60_000,
    )
    busy = interval(
        "6400", "2026-12-01T01:15", answered=9, answered_wait_ms=90_000, handled=9, talk_ms=180_000
    )
    (row,) = group([quiet, busy], "hour", BANGKOK, SIX)
    # 1 of 10 within the service level: 10 %, not the 50 % an average of 100 % and 0 % gives.
    assert row.figures["service_level"] == 10.0
    assert row.figures["asa_s"] == 9  # 92 s over 10 calls
    assert row.figures["aht_s"] == 24  # 240 s over 10 calls
    assert row.figures["talk_s"] == 240


def test_a_span_runs_from_the_first_business_days_start_to_the_day_after_the_last() -> None:
    start, end = span(date(2026, 12, 1), date(2026, 12, 30), BANGKOK, SIX)
    assert start == at("2026-11-30T23:00")
    assert end == at("2026-12-30T23:00")


def test_csv_has_a_heading_row_and_iso_periods() -> None:
    rows = group([interval("6400", "2026-12-01T01:00", offered=3)], "hour", BANGKOK, SIX)
    lines = list(csv.reader(StringIO(to_csv(rows))))
    assert lines[0][:4] == ["Period", "Queue", "Offered", "Answered"]
    assert lines[1][:3] == ["2026-12-01T08:00+07:00", "6400", "3"]
    assert lines[1][lines[0].index("Service level (%)")] == ""  # nothing to divide


def test_xlsx_cells_are_numbers_and_dates() -> None:
    rows = group(
        [interval("6400", "2026-12-01T01:00", offered=3, answered=2, answered_in_sl=1)],
        "15min",
        BANGKOK,
        SIX,
    )
    sheet = load_workbook(BytesIO(to_xlsx(rows))).active
    assert sheet is not None
    headings = [cell.value for cell in sheet[1]]
    line = [cell for cell in sheet[2]]
    assert line[0].value == datetime(2026, 12, 1, 8, 0)  # local time, as a date-time cell
    assert line[0].is_date
    assert line[0].number_format == "yyyy-mm-dd hh:mm"
    assert line[headings.index("Offered")].value == 3
    assert line[headings.index("Service level (%)")].value == 50.0
    days = group([interval("6400", "2026-12-01T01:00", offered=1)], "day", BANGKOK, SIX)
    day_cell = load_workbook(BytesIO(to_xlsx(days))).active["A2"]  # type: ignore[index]
    assert day_cell.is_date
    assert day_cell.number_format == "yyyy-mm-dd"
