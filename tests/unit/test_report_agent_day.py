"""An agent's day from the kept figures: what still ran counts until the day's end, sorting."""

from datetime import date

from dashboard.live.agentday import NO_REASON
from dashboard.reports.agentdays import agent_rows, shown, sort_links, sorted_rows

KEPT = {
    "agents": {
        "1001": {
            "answered": 4,
            "missed": 1,
            "talk_ms": 400_000,
            "hold_ms": 30_000,
            "pause_ms": {"Lunch": 1_800_000},
        },
        "1002": {
            "answered": 0,
            "missed": 2,
            "talk_ms": 0,
            "hold_ms": 0,
            "pause_ms": {NO_REASON: 60_000},
        },
    },
    # 1002 was auto-paused again at 1000 s and 1001 held a call from 2000 s: both ran on.
    "paused_since": {"1002": [1_000_000, NO_REASON]},
    "held_since": {"call-9": [2_000_000, "1001"]},
}


def test_figures_include_what_still_ran_until_the_days_end() -> None:
    rows = {row.agent: row for row in agent_rows(KEPT, 2_010_000, {"1001": "Ann"})}
    ann, other = rows["1001"], rows["1002"]
    assert (ann.name, ann.answered, ann.missed, ann.talk_s, ann.aht_s) == ("Ann", 4, 1, 400, 100)
    assert ann.hold_s == 40  # 30 s kept + 10 s still on hold
    assert ann.pause_s == 1800
    assert ann.auto_pause_s == 0
    assert other.aht_s is None
    assert other.auto_pause_s == 60 + 1010 == other.pause_s


def test_rows_sort_by_any_column_either_way() -> None:
    rows = agent_rows(KEPT, 2_010_000, {})
    assert [row.agent for row in sorted_rows(rows, "missed", True)] == ["1002", "1001"]
    assert [row.agent for row in sorted_rows(rows, "talk_s", False)] == ["1002", "1001"]
    assert [row.agent for row in sorted_rows(rows, "aht_s", True)] == ["1001", "1002"]


def test_the_sorted_columns_link_reverses_it() -> None:
    links = {link["key"]: link for link in sort_links(date(2026, 12, 1), "missed", False)}
    assert links["missed"]["sorted"] == "ascending"
    assert "desc=on" in links["missed"]["query"]
    assert "desc" not in links["answered"]["query"]


def test_durations_show_as_hours_minutes_seconds_and_no_reason_in_words() -> None:
    row = shown(agent_rows(KEPT, 2_010_000, {})[1])
    assert row["pause_s"] == "0:17:50"
    assert row["reasons"] == [("No reason", "0:17:50")]
    assert row["aht_s"] == "–"
