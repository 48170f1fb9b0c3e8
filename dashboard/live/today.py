"""Today's figures per queue and agent (business day in the PBX's time zone), from outcomes."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.live import agentday
from dashboard.live.agentday import AgentsDay, AgentToday
from dashboard.live.outcomes import Handled, Offered, Record, Settled, WaitLearned


@dataclass(frozen=True)
class Thresholds:
    service_level_s: int = 20  # answered within this counts toward the service level
    short_abandon_s: int = 5  # abandoned within this is a short abandon (not held against us)


@dataclass
class QueueDay:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    transferred: int = 0
    answered_in_sl: int = 0
    abandoned_after_sl: int = 0
    answered_wait_ms: int = 0
    handled: int = 0
    talk_ms: int = 0
    waits_unknown: int = 0  # answered calls whose wait their CDR has yet to tell

    def figures(self) -> dict[str, Any]:
        """Counters plus service level (%), ASA and AHT (s); None where nothing to divide.
        Answered calls whose wait is not known yet count in neither."""
        timed = self.answered - self.waits_unknown
        sl_base = timed + self.abandoned_after_sl
        return {
            **vars(self),  # flat integers: asdict's deep copy cost a third of a long report's CPU
            "service_level": round(100 * self.answered_in_sl / sl_base, 1) if sl_base else None,
            "asa_s": round(self.answered_wait_ms / timed / 1000) if timed > 0 else None,
            "aht_s": round(self.talk_ms / self.handled / 1000) if self.handled else None,
        }


@dataclass
class Today:
    day: str  # YYYY-MM-DD of the business day
    counting_since_ms: int  # the day's start, or later when we started mid-day
    partial: bool = False  # counting began after the day started: boards say "since HH:MM"
    # Agents' missed calls, hold and pause time count from here when the rest was rebuilt from
    # CDRs (which carry none of them); 0 when they count from `counting_since_ms` like the rest.
    detail_since_ms: int = 0
    queues: dict[str, QueueDay] = field(default_factory=dict)
    agent_day: AgentsDay = field(default_factory=AgentsDay)

    def record(self, record: Record, thresholds: Thresholds) -> None:
        self.agent_day.record(record)
        if isinstance(record, Offered):
            self._queue(record.queue).offered += 1
        elif isinstance(record, Settled):
            self._settled(record, thresholds)
        elif isinstance(record, Handled):
            self._queue(record.queue).handled += 1
            self._queue(record.queue).talk_ms += record.talk_ms
        elif isinstance(record, WaitLearned):
            self._wait_learned(record, thresholds)

    def _settled(self, settled: Settled, thresholds: Thresholds) -> None:
        queue = self._queue(settled.queue)
        within_sl = settled.wait_ms <= thresholds.service_level_s * 1000
        if settled.outcome == "answered":
            queue.answered += 1
            queue.waits_unknown += not settled.wait_known
            if settled.wait_known:
                queue.answered_wait_ms += settled.wait_ms
                queue.answered_in_sl += within_sl
        elif settled.outcome == "abandoned":
            short = settled.wait_ms < thresholds.short_abandon_s * 1000
            queue.short_abandoned += short
            queue.abandoned += not short
            queue.abandoned_after_sl += not within_sl
        elif settled.outcome == "timed_out":
            queue.timed_out += 1
        else:
            queue.transferred += 1

    def _wait_learned(self, learned: WaitLearned, thresholds: Thresholds) -> None:
        queue = self._queue(learned.queue)
        # The answer may have counted in another 15-minute interval: never below zero there.
        queue.waits_unknown = max(0, queue.waits_unknown - 1)
        queue.answered_wait_ms += learned.wait_ms
        queue.answered_in_sl += learned.wait_ms <= thresholds.service_level_s * 1000

    def agent_figures(self, number: str, talking: Sequence[int] = ()) -> AgentToday:
        """An agent's day so far; `talking`: the answer times of its calls in progress."""
        return self.agent_day.figures(
            number, talking, self.detail_since_ms or self.counting_since_ms
        )

    def adopt_rebuilt(
        self, records: list[Record], day_start_ms: int, thresholds: Thresholds
    ) -> None:
        """Add the calls that ended before counting began (from the PBX's CDRs): the queues'
        figures now cover the whole day; agents' missed calls, hold and pause time cannot."""
        for record in records:
            self.record(record, thresholds)
        if self.partial:
            self.detail_since_ms, self.counting_since_ms = self.counting_since_ms, day_start_ms
            self.partial = False

    def _queue(self, number: str) -> QueueDay:
        return self.queues.setdefault(number, QueueDay())


def next_day(today: Today, day: str, start_ms: int) -> Today:
    """A new business day; pauses and holds running across the boundary count from its start."""
    return Today(day, start_ms, agent_day=today.agent_day.next_day(start_ms))


def business_day(now_ms: int, zone: str, starts_at: time) -> tuple[str, int]:
    """The business day `now_ms` falls in, and when it started (epoch ms), in the PBX's zone."""
    local = datetime.fromtimestamp(now_ms / 1000, ZoneInfo(zone))
    start = local.replace(hour=starts_at.hour, minute=starts_at.minute, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start.date().isoformat(), int(start.timestamp() * 1000)


def to_json(today: Today) -> dict[str, Any]:
    """The agents' day sits beside the queues (`agents`, `paused_since`, `held_since`), as it
    always has: a worker reads what an older one kept."""
    data = asdict(today)
    agents = data.pop("agent_day")
    return {**data, **agents}


def from_json(data: dict[str, Any]) -> Today:
    return Today(
        day=data["day"],
        counting_since_ms=data["counting_since_ms"],
        partial=data["partial"],
        detail_since_ms=data.get("detail_since_ms", 0),  # absent from older snapshots
        queues={number: QueueDay(**day) for number, day in data["queues"].items()},
        agent_day=agentday.from_json(data),
    )
