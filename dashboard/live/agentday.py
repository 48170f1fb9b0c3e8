"""Each agent's day so far: logged-in time, answered and missed calls, talk, hold and pause
time and pauses by reason."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

from dashboard.live.call import Talking
from dashboard.live.outcomes import Handled, Record, RingMissed, Settled
from dashboard.live.state import LiveState

# What a pause with no reason (an auto-pause, 30025) counts under; the browser words it.
NO_REASON = "(no reason)"

# What runs now, by key (an agent for pauses and logged-in time, a call id for holds): (since,
# label), the label being the pause's reason, the holding agent, or "" (logged in).
Spans = dict[str, tuple[int, str]]


@dataclass
class AgentDay:
    """One agent's day, what has ended of it: what runs now is added when it ends."""

    answered: int = 0
    missed: int = 0
    # Answered queue calls, answer to hang-up, hold included (as the PBX's CDRs count talk).
    talk_ms: int = 0
    hold_ms: int = 0  # of those calls, on hold
    pause_ms: dict[str, int] = field(default_factory=dict)  # by pause reason
    pauses: dict[str, int] = field(default_factory=dict)  # how many, by reason (ended ones)
    logged_in_ms: int = 0  # logged in to at least one queue


class RunningPause(TypedDict):
    reason: str
    since: int


class Running(TypedDict):
    """When each part running now began: the board adds now - since to the day's figures."""

    talk: list[int]  # answer times of the agent's counted calls in progress
    hold: list[int]  # starts of its calls' holds in progress
    pause: RunningPause | None
    logged_in: int | None  # since when the agent is logged in to a queue; None: logged out


class AgentToday(TypedDict):
    """An agent's `today` on a board: what has ended, and what runs since when."""

    answered: int
    missed: int
    talk_ms: int
    hold_ms: int
    pause_ms: dict[str, int]
    logged_in_ms: int
    running: Running
    since: int  # of missed, hold, pause and logged-in time (answered and talk: from CDRs too)


@dataclass
class AgentsDay:
    """Every agent's day: counted from the reducer's records, and from who is paused and which
    calls are held (observed after every change, so each span ends at the event that ends it)."""

    agents: dict[str, AgentDay] = field(default_factory=dict)
    paused_since: Spans = field(default_factory=dict)  # agent → (since, reason)
    held_since: Spans = field(default_factory=dict)  # call id → (since, agent)
    logged_in_since: Spans = field(default_factory=dict)  # agent → (since, "")

    def record(self, record: Record) -> None:
        """A call answered, handled (its talk time) or missed (30026) by an agent."""
        if isinstance(record, Settled) and record.outcome == "answered":
            self._agent(record.agent).answered += 1
        elif isinstance(record, Handled):
            self._agent(record.agent).talk_ms += record.talk_ms
        elif isinstance(record, RingMissed):
            self._agent(record.agent).missed += 1

    def observe(self, state: LiveState, now_ms: int) -> None:
        """End the spans that no longer run (or changed reason); start new ones."""
        _follow(self.paused_since, _pausing(state), now_ms, self._add_pause)
        _follow(self.held_since, _holding(state), now_ms, self._add_hold)
        _follow(self.logged_in_since, _logged_in(state), now_ms, self._add_logged_in)

    def end_running(self, now_ms: int) -> None:
        """End every span still running at `now_ms` (a report's day as of then)."""
        _follow(self.paused_since, {}, now_ms, self._add_pause)
        _follow(self.held_since, {}, now_ms, self._add_hold)
        _follow(self.logged_in_since, {}, now_ms, self._add_logged_in)

    def figures(self, number: str, talking: Sequence[int], since_ms: int) -> AgentToday:
        """An agent's day for a board; `talking`: the answer times of its calls in progress."""
        day = self.agents.get(number, AgentDay())
        pause = self.paused_since.get(number)
        logged_in = self.logged_in_since.get(number)
        return {
            "answered": day.answered,
            "missed": day.missed,
            "talk_ms": day.talk_ms,
            "hold_ms": day.hold_ms,
            "pause_ms": dict(day.pause_ms),
            "logged_in_ms": day.logged_in_ms,
            "running": {
                "talk": sorted(talking),
                "hold": sorted(
                    since for since, agent in self.held_since.values() if agent == number
                ),
                "pause": {"reason": pause[1], "since": pause[0]} if pause else None,
                "logged_in": logged_in[0] if logged_in else None,
            },
            "since": since_ms,
        }

    def next_day(self, start_ms: int) -> "AgentsDay":
        """A new business day from zero; pauses, holds and logged-in time running across its
        start count from then (a pause across it counts in both days). A talk running across it
        counts whole when it ends, as the queues' talk does."""
        return AgentsDay(
            paused_since=_from(self.paused_since, start_ms),
            held_since=_from(self.held_since, start_ms),
            logged_in_since=_from(self.logged_in_since, start_ms),
        )

    def _add_pause(self, number: str, reason: str, ms: int) -> None:
        day = self._agent(number)
        day.pause_ms[reason] = day.pause_ms.get(reason, 0) + ms
        day.pauses[reason] = day.pauses.get(reason, 0) + 1

    def _add_logged_in(self, number: str, _label: str, ms: int) -> None:
        self._agent(number).logged_in_ms += ms

    def _add_hold(self, _call_id: str, agent: str, ms: int) -> None:
        self._agent(agent).hold_ms += ms

    def _agent(self, number: str) -> AgentDay:
        return self.agents.setdefault(number, AgentDay())


def talking_by_agent(talks: Iterable[Talking]) -> dict[str, list[int]]:
    """The answer times of each agent's queue calls in progress (`talks`: the live state's) whose
    answer was counted: the talk its `Handled` will add (a call first seen answered by REST is
    counted by its CDR)."""
    talking: dict[str, list[int]] = {}
    for talk in talks:
        if talk.counted:
            talking.setdefault(talk.agent, []).append(talk.answered_ms)
    return talking


def _pausing(state: LiveState) -> dict[str, str]:
    """Agents paused now in a queue they are logged in to, with the pause's reason."""
    return {
        agent.number: agent.pause_reason or NO_REASON
        for queue in state.queues.values()
        for agent in queue.agents.values()
        if agent.paused and agent.logged_in
    }


def _logged_in(state: LiveState) -> dict[str, str]:
    """Agents logged in now to at least one queue."""
    return {
        agent.number: ""
        for queue in state.queues.values()
        for agent in queue.agents.values()
        if agent.logged_in
    }


def _holding(state: LiveState) -> dict[str, str]:
    """Answered queue calls on hold now (30011's HOLD, whoever holds), with their agent."""
    return {call_id: talk.agent for call_id, talk in state.calls.talking().items() if talk.held}


def _from(spans: Spans, start_ms: int) -> Spans:
    return {key: (start_ms, label) for key, (_, label) in spans.items()}


def _follow(
    spans: Spans,
    running: Mapping[str, str],
    now_ms: int,
    ended: Callable[[str, str, int], None],
) -> None:
    """Make `spans` what runs now: a span gone, or under another label, ends (its time goes to
    `ended`); one still running keeps its start."""
    for key, (since, label) in list(spans.items()):
        if running.get(key) != label:
            ended(key, label, max(0, now_ms - since))
            del spans[key]
    for key, label in running.items():
        spans.setdefault(key, (now_ms, label))


def to_json(day: AgentsDay) -> dict[str, Any]:
    return asdict(day)


def from_json(data: Mapping[str, Any]) -> AgentsDay:
    """As `to_json` wrote it; talk and hold time, holds, pause counts and logged-in time are
    absent from older snapshots."""
    return AgentsDay(
        agents={number: AgentDay(**day) for number, day in data["agents"].items()},
        paused_since=_spans(data["paused_since"]),
        held_since=_spans(data.get("held_since", {})),
        logged_in_since=_spans(data.get("logged_in_since", {})),
    )


def _spans(data: Mapping[str, Any]) -> Spans:
    return {key: (since, label) for key, (since, label) in data.items()}
