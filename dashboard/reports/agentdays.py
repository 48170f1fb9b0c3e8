"""An agent's day as kept with the day's figures (DaySnapshot): one row per agent, sortable."""

from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypedDict, get_args
from urllib.parse import urlencode

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dashboard.live import agentday
from dashboard.live.agentday import NO_REASON, AgentDay

SortKey = Literal[
    "agent",
    "logged_in_s",
    "answered",
    "missed",
    "talk_s",
    "hold_s",
    "aht_s",
    "pause_s",
    "auto_pauses",
    "auto_pause_s",
]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
COLUMN_LABELS: dict[SortKey, Promise] = {
    "agent": _("Agent"),
    "logged_in_s": _("Logged-in time"),
    "answered": _("Answered"),
    "missed": _("Missed"),
    "talk_s": _("Talk time"),
    "hold_s": _("Hold time"),
    "aht_s": _("AHT"),
    "pause_s": _("Pause time"),
    "auto_pauses": _("Auto-pauses"),
    "auto_pause_s": _("Auto-pause time"),
}


class Column(TypedDict):
    key: SortKey
    label: Promise
    query: str  # the page's query string that sorts by this column
    sorted: Literal["ascending", "descending", "none"]


@dataclass(frozen=True)
class AgentRow:
    agent: str  # extension number
    name: str  # as the PBX names it ("" if unknown)
    logged_in_s: int  # logged in to at least one queue
    answered: int
    missed: int  # rang and not answered (30026)
    talk_s: int
    hold_s: int
    aht_s: int | None  # talk time per answered call
    pause_s: int
    auto_pauses: int  # how many times paused with no reason: the PBX's auto-pause (30025)
    auto_pause_s: int
    pauses: dict[str, int] = field(default_factory=dict)  # seconds by reason, longest first


def agent_rows(kept: Mapping[str, Any], until_ms: int, names: Mapping[str, str]) -> list[AgentRow]:
    """Every agent of the kept day; pauses and holds still running count until `until_ms` (now
    for today, the day's end for a day gone by), as the board adds what runs."""
    day = agentday.from_json(deepcopy(dict(kept)))  # it shares the kept dicts: not to be changed
    day.end_running(until_ms)
    return [_row(number, figures, names.get(number, "")) for number, figures in day.agents.items()]


def _row(number: str, day: AgentDay, name: str) -> AgentRow:
    pauses = {reason: round(ms / 1000) for reason, ms in day.pause_ms.items()}
    return AgentRow(
        agent=number,
        name=name,
        logged_in_s=round(day.logged_in_ms / 1000),
        answered=day.answered,
        missed=day.missed,
        talk_s=round(day.talk_ms / 1000),
        hold_s=round(day.hold_ms / 1000),
        aht_s=round(day.talk_ms / day.answered / 1000) if day.answered else None,
        pause_s=round(sum(day.pause_ms.values()) / 1000),
        auto_pauses=day.pauses.get(NO_REASON, 0),
        auto_pause_s=pauses.get(NO_REASON, 0),
        pauses=dict(sorted(pauses.items(), key=lambda item: -item[1])),
    )


def sorted_rows(rows: list[AgentRow], key: SortKey, descending: bool) -> list[AgentRow]:
    """By the column, then by extension (a stable sort of rows in extension order); an agent
    without an AHT (no call answered) counts as below any who has one."""

    def value(row: AgentRow) -> int | str:
        figure: int | str | None = getattr(row, key)
        return -1 if figure is None else figure

    by_agent = sorted(rows, key=lambda row: row.agent)
    return sorted(by_agent, key=value, reverse=descending)


def sort_links(day: date, key: SortKey, descending: bool) -> list[Column]:
    """Each column's heading: a link sorting by it (the sorted column's link reverses it)."""
    columns: list[Column] = []
    for column, label in COLUMN_LABELS.items():
        current = column == key
        flip = current and not descending
        query = urlencode(
            {"day": day.isoformat(), "sort": column, **({"desc": "on"} if flip else {})}
        )
        order: Literal["ascending", "descending", "none"] = (
            ("descending" if descending else "ascending") if current else "none"
        )
        columns.append({"key": column, "label": label, "query": query, "sorted": order})
    return columns


class ShownRow(TypedDict):
    """A row as the page shows it: durations as H:MM:SS ("–" for no AHT)."""

    agent: str
    name: str
    logged_in_s: str
    answered: int
    missed: int
    talk_s: str
    hold_s: str
    aht_s: str
    pause_s: str
    auto_pauses: int
    auto_pause_s: str
    reasons: list[tuple[str, str]]


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}"


def shown(row: AgentRow) -> ShownRow:
    reasons = [
        (str(_("No reason")) if reason == NO_REASON else reason, duration(s))
        for reason, s in row.pauses.items()
    ]
    return {
        "agent": row.agent,
        "name": row.name,
        "logged_in_s": duration(row.logged_in_s),
        "answered": row.answered,
        "missed": row.missed,
        "talk_s": duration(row.talk_s),
        "hold_s": duration(row.hold_s),
        "aht_s": duration(row.aht_s),
        "pause_s": duration(row.pause_s),
        "auto_pauses": row.auto_pauses,
        "auto_pause_s": duration(row.auto_pause_s),
        "reasons": reasons,
    }
