"""A business day as 15-minute slots, last week's same weekday, and queues' intervals added up
(the intraday chart's series)."""

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from dashboard.live.intervals import INTERVAL_MS
from dashboard.live.today import QueueDay
from dashboard.live.trends import WEEK, added, counters_json, day_slots, series, shifted

BANGKOK = "Asia/Bangkok"
LONDON = "Europe/London"


def ms(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> int:
    local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
    return int(local.timestamp() * 1000)


def test_a_day_has_96_intervals_from_its_start() -> None:
    start = ms(BANGKOK, 2026, 12, 4, 8, 0)
    slots = day_slots(start, BANGKOK)
    assert len(slots) == 96
    assert slots[0] == start
    assert slots[-1] == ms(BANGKOK, 2026, 12, 5, 7, 45)


def test_days_of_summer_time_changes_are_shorter_or_longer() -> None:
    assert len(day_slots(ms(LONDON, 2026, 3, 29, 0, 0), LONDON)) == 92
    assert len(day_slots(ms(LONDON, 2026, 10, 25, 0, 0), LONDON)) == 100


def test_last_week_is_the_same_wall_clock_time_seven_days_before() -> None:
    assert shifted(ms(BANGKOK, 2026, 12, 4, 8, 0), BANGKOK, -WEEK) == ms(
        BANGKOK, 2026, 11, 27, 8, 0
    )
    # Across the change to summer time: 08:00 still, though 167 hours apart.
    after = ms(LONDON, 2026, 4, 2, 8, 0)
    assert shifted(after, LONDON, -WEEK) == ms(LONDON, 2026, 3, 26, 8, 0)
    assert after - shifted(after, LONDON, -WEEK) == 167 * 3600 * 1000


def test_queues_add_up_and_a_slot_without_rows_is_zeros() -> None:
    start = ms(BANGKOK, 2026, 12, 4, 8, 0)
    kept = {
        ("6400", start): QueueDay(offered=3, answered=2, answered_in_sl=1),
        ("6401", start): QueueDay(
            offered=1, answered=1, answered_in_sl=1, handled=1, talk_ms=60_000
        ),
        ("7000", start): QueueDay(offered=99),
    }
    first, second = series(kept, ["6400", "6401"], [start, start + INTERVAL_MS])
    assert (first["start"], first["offered"], first["answered"]) == (start, 4, 3)
    assert (first["service_level"], first["aht_s"]) == (66.7, 60)
    assert (second["offered"], second["service_level"], second["asa_s"]) == (0, None, None)


def test_today_s_kept_counters_add_up_for_the_queues_asked() -> None:
    queues = {"6400": asdict(QueueDay(offered=2)), "7000": asdict(QueueDay(offered=5))}
    assert counters_json(queues, ["6400", "6401"]) == asdict(QueueDay(offered=2))
    assert added([]) == QueueDay()
