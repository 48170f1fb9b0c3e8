"""The 15-minute history rebuilt from the PBX's CDRs for a range of business days: recounted by the
live path's own functions, compared with the rows kept, the differences written
(docs/operations.md#history)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dashboard.clock import now_ms
from dashboard.live.agents import load_agent_status
from dashboard.live.cdr import SANE_EPOCH_S, Cdr
from dashboard.live.fields import seconds
from dashboard.live.intervals import Change, Key, changes, interval_start, recount
from dashboard.live.state import LiveState
from dashboard.live.today import QueueDay, Thresholds
from dashboard.pbx.api import PbxApi
from dashboard.pbx.checks_base import record
from dashboard.worker import history
from dashboard.worker.resync import CDR_MAX_PAGES, CDR_PAGE_SIZE, cdrs_since, load_directory

# Calls still going on have no CDR yet: the intervals of the last hour are left to the worker
# (a queue call that waits and talks for longer than this would count short).
SETTLE_MS = 3_600_000
# A read-back this long may have stopped at its limit (docs/operations.md#history).
NEAR_READ_LIMIT = CDR_PAGE_SIZE * (CDR_MAX_PAGES - 1)


@dataclass(frozen=True)
class Days:
    """Business days `first` to `last` in the PBX's zone, each starting at `starts_at`."""

    first: date
    last: date
    zone: str
    starts_at: time

    def start_ms(self, day: date) -> int:
        local = datetime.combine(day, self.starts_at, tzinfo=ZoneInfo(self.zone))
        return interval_start(int(local.timestamp() * 1000))

    def each(self) -> list[tuple[date, int, int]]:
        """Every day with its span (epoch ms, whole intervals)."""
        count = (self.last - self.first).days + 1
        days = [self.first + timedelta(days=n) for n in range(count)]
        return [(day, self.start_ms(day), self.start_ms(day + timedelta(days=1))) for day in days]


@dataclass
class Outcome:
    """What a rebuild found: the figures it changed, and the days it could not recount."""

    changed: list[Change] = field(default_factory=list)
    skipped: dict[date, str] = field(default_factory=dict)


async def queues_now(api: PbxApi, zone: str) -> LiveState:
    """The PBX's queues as they are now, with their agents (an answered CDR names the agent,
    whose queue is the call's) and their maximum wait (which unanswered calls timed out)."""
    state = LiveState(zone=zone)
    directory, _ = await load_directory(api, state)
    for number, queue in directory["queues"].items():
        agents = await api.get("queue/agent_status", empty_ok=True, id=queue["id"])
        load_agent_status(state.queues[number].agents, agents.get("data") or [], 0)
    return state


async def pbx_now_ms(api: PbxApi) -> int:
    """The PBX's clock (system/information `timestamp`), else ours."""
    stamp = seconds(record(await api.get("system/information")).get("timestamp"))
    return stamp * 1000 if stamp is not None and stamp in SANE_EPOCH_S else now_ms()


async def rebuild(
    api: PbxApi,
    days: Days,
    thresholds: Thresholds,
    write: bool,
    progress: Callable[[date], None],
) -> Outcome:
    """Recount the days' intervals that are over (but the last hour's) from cdr/list and, with
    `write`, store the differences; `progress` hears of each day done."""
    state = await queues_now(api, days.zone)
    spans = days.each()
    until = min(spans[-1][2], interval_start(await pbx_now_ms(api) - SETTLE_MS))
    cdrs = await cdrs_since(api, spans[0][1], days.zone)
    recounted = recount(state, cdrs, (spans[0][1], until), thresholds)
    reached = _reached(cdrs)
    outcome = Outcome()
    for day, start, end in spans:
        why = await _rebuild_day(recounted, (start, min(end, until)), reached, write, outcome)
        if why:
            outcome.skipped[day] = why
        progress(day)
    return outcome


def _reached(cdrs: list[Cdr]) -> int:
    """How far back the CDRs read are known to be complete: all the way, unless the read-back
    may have stopped at its limit (then from the oldest call read)."""
    if len(cdrs) < NEAR_READ_LIMIT:
        return 0
    return min(cdr.start_ms for cdr in cdrs)


async def _rebuild_day(
    recounted: dict[Key, QueueDay],
    span: tuple[int, int],
    reached: int,
    write: bool,
    outcome: Outcome,
) -> str:
    """One day: its changes noted (and written); returns why it was left alone, if it was."""
    if span[1] <= span[0]:
        return "not over yet (the last hour's intervals are the worker's)"
    if span[0] < reached:
        return "older than the CDRs read back (cdr/list is read to its newest 50,000 rows)"
    kept = await history.load_span(*span)
    ours = {key: day for key, day in recounted.items() if span[0] <= key[1] < span[1]}
    if kept and not ours:
        return "the PBX lists no call that day: its CDRs may have been deleted"
    found = changes(kept, ours)
    outcome.changed += found
    if write:
        await history.replace_intervals({key: ours.get(key) for key in _keys(found)})
    return ""


def _keys(found: list[Change]) -> list[Key]:
    return list(dict.fromkeys((change.queue, change.start_ms) for change in found))
