"""The board against the simulator's ground truth, figure by figure: what `GET /_sim/state` says
(and what follows from it call by call), what a board's snapshot shows, and where they differ.

Used by `python -m bench.accuracy` and tests/integration/test_live_truth.py. Pure: no I/O.

A *view* maps each metric to its value per queue (`View[metric][queue]`). Values are compared
with `==`, except `Bounds` (a figure the truth knows only within bounds, or a time the board
stamped by its own clock), equal to a value or bounds within the metric's tolerance."""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

JsonObj = dict[str, Any]
View = dict[str, dict[str, Any]]

OUTCOMES = ("offered", "answered", "abandoned", "timed_out", "transferred")
METRICS = (
    "unanswered",
    "longest_wait",
    *OUTCOMES,
    "short_abandoned",
    "service_level",
    "agent_state",
    "pause_reason",
    "agent_answered",
    "agent_missed",
)
# Simulated milliseconds: the board stamps a caller's wait by the worker's clock when the event
# arrives, so under acceleration it is off by the delivery lag times the speed-up.
LONGEST_WAIT_TOLERANCE_MS = 2000
# The board rounds the service level to 0.1 %.
SERVICE_LEVEL_TOLERANCE = 0.05
TOLERANCES = {"longest_wait": LONGEST_WAIT_TOLERANCE_MS, "service_level": SERVICE_LEVEL_TOLERANCE}
# Simulated seconds: a caller who hangs up sooner is a short abandon (pbxsim's and the board's
# default); the board must be told the same in its own clock's seconds.
SHORT_ABANDON_S = 5.0


@dataclass(frozen=True)
class Bounds:
    """A figure known to lie between `low` and `high` (both included)."""

    low: float
    high: float

    @staticmethod
    def exactly(value: float) -> "Bounds":
        return Bounds(value, value)

    def meets(self, other: "Bounds", tolerance: float) -> bool:
        return self.low - tolerance <= other.high and other.low - tolerance <= self.high


# An agent's call status as both sides are compared: the simulator's agent `state` and the
# board's `call_status`. Talking and on hold are one: 30011 shows HOLD on both legs whoever
# holds, while queue/agent_status (and the truth's `state`) says 2, in a call, when the agent
# holds and 5 when the caller does; the board takes both as on a call (dashboard/live/agents.py
# ON_A_CALL).
CALL_STATUS = {"idle": "idle", "ringing": "ringing", "talking": "on_call", "hold": "on_call"}


def fingerprint(state: JsonObj) -> str:
    """What identifies a ground truth: all of it but the clock, which moves on every read."""
    rest = {key: value for key, value in state.items() if key != "time"}
    return hashlib.blake2b(json.dumps(rest, sort_keys=True).encode(), digest_size=16).hexdigest()


def unanswered_entries(queue: JsonObj) -> list[JsonObj]:
    """Every caller of the queue no agent has answered yet: `unanswered` when the simulator
    reports it (the board's meaning), else `waiting` + `ringing` (`waiting` leaves out callers
    whose call rings an agent; the board counts them)."""
    given = queue.get("unanswered")
    if isinstance(given, list):
        return [entry for entry in given if isinstance(entry, dict)]
    return [*queue["waiting"], *queue["ringing"]]


def _ids(entries: Iterable[JsonObj]) -> frozenset[str]:
    return frozenset(str(entry["call_id"]) for entry in entries)


def call_id_seconds(call_id: str) -> float:
    """A call ID is `<unix seconds>.<sequence>`: the call began in that second (ms)."""
    head = call_id.split(".", 1)[0]
    return float(head) * 1000 if head.isdigit() else 0.0


@dataclass
class _Call:
    """One queue call as the truth showed it, read by read (simulated epoch ms)."""

    arrived: Bounds
    answered: Bounds | None = None
    last_unanswered_ms: float = 0.0


@dataclass
class Counts:
    """A queue's figures that depend on how long each caller waited, from waits known within
    bounds: each is known to lie between its sure count and its sure plus maybe count."""

    answered: int = 0
    within: int = 0  # answered surely within the service level's threshold
    maybe_within: int = 0  # answered; the wait straddles the threshold
    after: int = 0  # surely abandoned after the threshold
    maybe_after: int = 0  # perhaps abandoned, perhaps after it
    short: int = 0  # surely a short abandon
    maybe_short: int = 0

    def service_level(self) -> Bounds | None:
        """Answered within the threshold ÷ (answered + abandoned after it), in %."""
        low_base = self.answered + self.after + self.maybe_after
        high_base = self.answered + self.after
        if low_base == 0:
            return None
        low = 100 * self.within / low_base
        high = 100 * (self.within + self.maybe_within) / high_base if high_base else 100.0
        return Bounds(round(low, 1), round(high, 1))

    def short_abandoned(self) -> Bounds:
        return Bounds(self.short, self.short + self.maybe_short)

    def since(self, earlier: "Counts") -> "Counts":
        """What was counted after `earlier` (a copy of these counts taken before)."""
        return Counts(**{k: v - getattr(earlier, k) for k, v in asdict(self).items()})


@dataclass
class Tracker:
    """Follows the ground truth read after read and derives what it does not state: each
    queue's service level (answered within `service_level_s` ÷ answered + abandoned after it)
    and short abandons, agents' answered calls, when each caller began waiting. The bounds are
    as wide as the time between reads; reads must come more often than a call can be answered
    and hung up (talk lasts at least 5 simulated seconds), and `complete` says if they did."""

    service_level_s: float = 20.0
    calls: dict[tuple[str, str], _Call] = field(default_factory=dict)
    counts: dict[str, Counts] = field(default_factory=dict)
    answered_by: dict[str, int] = field(default_factory=dict)
    complete: bool = True
    _previous: JsonObj | None = None

    def observe(self, state: JsonObj) -> None:
        now = float(state["time"])
        before = self._previous
        old_queues = {q["number"]: q for q in before["queues"]} if before else {}
        for queue in state["queues"]:
            old = old_queues.get(queue["number"])
            self._queue(queue, old, float(before["time"]) if before else None, now)
        self._previous = state
        answered = sum(int(q["today"]["answered"]) for q in state["queues"])
        self.complete = self.complete and sum(self.answered_by.values()) == answered

    def _queue(
        self, queue: JsonObj, old: JsonObj | None, since_ms: float | None, now: float
    ) -> None:
        number = str(queue["number"])
        counts = self.counts.setdefault(number, Counts())
        waiting = {str(e["call_id"]): e for e in unanswered_entries(queue)}
        active = {str(e["call_id"]): str(e.get("agent_number") or "") for e in queue["active"]}
        known = len([key for key in self.calls if key[0] == number])
        for call_id, entry in waiting.items():
            self._call(number, call_id, entry, since_ms, now).last_unanswered_ms = now
        for call_id, agent in active.items():
            call = self._call(number, call_id, {}, since_ms, now)
            if call.answered is None:
                call.answered = Bounds(max(call.last_unanswered_ms, call.arrived.low), now)
                self.answered_by[agent] = self.answered_by.get(agent, 0) + 1
                self._count_answer(counts, call)
        seen_new = len([key for key in self.calls if key[0] == number]) - known
        gone = [
            key for key in self.calls
            if key[0] == number and key[1] not in waiting and key[1] not in active
        ]  # fmt: skip
        if old is not None:
            outcomes = _outcomes_between(old["today"], queue["today"])
            ended = [self.calls[key] for key in gone if self.calls[key].answered is None]
            for call in ended:
                wait = Bounds(call.last_unanswered_ms - call.arrived.high, now - call.arrived.low)
                self._count_unanswered(counts, outcomes, wait)
            unseen = int(queue["today"]["offered"]) - int(old["today"]["offered"]) - seen_new
            for _ in range(max(0, unseen)):  # came and went between the reads
                self._count_unanswered(counts, outcomes, Bounds(0, now - (since_ms or now)))
        for key in gone:
            del self.calls[key]

    def _call(
        self, queue: str, call_id: str, entry: JsonObj, since_ms: float | None, now: float
    ) -> _Call:
        key, exact = (queue, call_id), entry.get("since")
        call = self.calls.get(key)
        if call is None:
            begun = call_id_seconds(call_id)
            call = self.calls[key] = _Call(Bounds(max(since_ms or begun, begun), now))
        if isinstance(exact, int | float):
            call.arrived = Bounds.exactly(float(exact))
        return call

    def _count_answer(self, counts: Counts, call: _Call) -> None:
        assert call.answered is not None
        low = call.answered.low - call.arrived.high
        high = call.answered.high - call.arrived.low
        threshold = self.service_level_s * 1000
        counts.answered += 1
        counts.within += high <= threshold
        counts.maybe_within += low <= threshold < high

    def _count_unanswered(self, counts: Counts, outcomes: set[str], wait: Bounds) -> None:
        """A call that left the queue unanswered; `outcomes`: those counted meanwhile."""
        if "abandoned" not in outcomes:
            return
        surely = outcomes == {"abandoned"}
        threshold, short = self.service_level_s * 1000, SHORT_ABANDON_S * 1000
        sure_after = surely and wait.low > threshold
        counts.after += sure_after
        counts.maybe_after += not sure_after and wait.high > threshold
        sure_short = surely and wait.high < short
        counts.short += sure_short
        counts.maybe_short += not sure_short and wait.low < short

    def longest_wait(self, queue: JsonObj) -> Bounds | None:
        """When the queue's longest-waiting caller began waiting (simulated ms)."""
        number = str(queue["number"])
        bands = [
            self.calls[(number, str(e["call_id"]))].arrived
            for e in unanswered_entries(queue)
            if (number, str(e["call_id"])) in self.calls
        ]
        if not bands:
            return None
        return Bounds(min(b.low for b in bands), min(b.high for b in bands))


def _outcomes_between(old: JsonObj, new: JsonObj) -> set[str]:
    """The outcomes of unanswered calls counted between two reads of a queue's `today`."""
    return {key for key in OUTCOMES[2:] if int(new.get(key, 0)) > int(old.get(key, 0))}


def truth_view(
    state: JsonObj, tracker: Tracker | None = None, missed: Mapping[str, int] | None = None
) -> View:
    """What the board should show, from one `GET /_sim/state` (after `tracker.observe` of it):
    metrics the truth cannot tell are left out (no tracker, `missed` unknown). Each agent's
    answered and missed calls come from the simulator when it states them (`agents[].today`),
    else from the tracker and `missed`."""
    statuses = {a["number"]: CALL_STATUS.get(a["state"], "idle") for a in state["agents"]}
    days = agent_days(state)
    view: View = {metric: {} for metric in METRICS}
    for queue in state["queues"]:
        number, today = str(queue["number"]), queue["today"]
        members = sorted((str(a["number"]), a) for a in queue["agents"])
        given = queue.get("unanswered")
        view["unanswered"][number] = (
            given if isinstance(given, int) else _ids(unanswered_entries(queue))
        )
        for key in OUTCOMES:
            view[key][number] = int(today[key])
        if "short_abandoned" in today:
            view["short_abandoned"][number] = int(today["short_abandoned"])
        view["agent_state"][number] = tuple(
            (n, bool(a["logged_in"]), bool(a["paused"]), statuses.get(n, "idle"))
            for n, a in members
        )
        view["pause_reason"][number] = tuple(
            (n, str(a["pause_reason"])) for n, a in members if a["paused"]
        )
        if missed is not None:
            view["agent_missed"][number] = tuple((n, missed.get(n, 0)) for n, _ in members)
        if tracker is not None:
            _derived(view, tracker, queue, [n for n, _ in members])
        if days:  # the simulator's own count, when it keeps one, before any derived
            for metric, key in (("agent_answered", "answered"), ("agent_missed", "missed")):
                view[metric][number] = tuple(
                    (n, int(days.get(n, {}).get(key, 0))) for n, _ in members
                )
    return view


def agent_days(state: JsonObj) -> dict[str, JsonObj]:
    """Each agent's answered and missed calls today, where `/_sim/state` states them."""
    return {
        str(a["number"]): a["today"] for a in state["agents"] if isinstance(a.get("today"), dict)
    }


def _derived(view: View, tracker: Tracker, queue: JsonObj, members: list[str]) -> None:
    """The figures only the tracker knows. Its short abandons are bounds as wide as the time
    between reads, which is as closely as a board watching the events can know them too."""
    number = str(queue["number"])
    counts = tracker.counts.get(number, Counts())
    view["longest_wait"][number] = tracker.longest_wait(queue)
    view["service_level"][number] = counts.service_level()
    view["short_abandoned"][number] = counts.short_abandoned()
    if tracker.complete:
        view["agent_answered"][number] = tuple((n, tracker.answered_by.get(n, 0)) for n in members)


def board_view(snapshot: JsonObj, wall_to_sim: Callable[[float], Bounds] | None = None) -> View:
    """What a board's snapshot (`GET /api/boards/<slug>/snapshot/`) shows, in the truth's terms:
    abandoned = abandoned + short abandoned (the simulator's `abandoned` counts both), a
    caller's wait start mapped to simulated time by `wall_to_sim` (left out without it)."""
    view: View = {metric: {} for metric in METRICS}
    for name, stream in snapshot["streams"].items():
        if not name.startswith("queue:") or not stream.get("data"):
            continue
        data, number = stream["data"], name.split(":", 1)[1]
        today = data["today"]
        view["unanswered"][number] = _ids(data["waiting"])
        for key in OUTCOMES:
            view[key][number] = int(today[key])
        view["abandoned"][number] += int(today.get("short_abandoned", 0))
        view["short_abandoned"][number] = int(today.get("short_abandoned", 0))
        level = today.get("service_level")
        view["service_level"][number] = None if level is None else Bounds.exactly(float(level))
        agents = sorted(data["agents"], key=lambda a: str(a["number"]))
        view["agent_state"][number] = tuple(
            (
                str(a["number"]),
                bool(a["logged_in"]),
                bool(a["paused"]),
                CALL_STATUS.get(str(a["call_status"]), str(a["call_status"])),
            )
            for a in agents
        )
        view["pause_reason"][number] = tuple(
            (str(a["number"]), str(a.get("pause_reason") or "")) for a in agents if a["paused"]
        )
        view["agent_answered"][number] = tuple(
            (str(a["number"]), int(a["today"]["answered"])) for a in agents
        )
        view["agent_missed"][number] = tuple(
            (str(a["number"]), int(a["today"]["missed"])) for a in agents
        )
        since = data["figures"].get("longest_wait_since")
        if wall_to_sim is not None:
            view["longest_wait"][number] = None if since is None else wall_to_sim(float(since))
    return view


def _bounds(value: Any) -> Any:
    return Bounds.exactly(float(value)) if isinstance(value, int | float) else value


def equal(metric: str, truth: Any, board: Any) -> bool:
    """Whether the board shows the truth's value of one metric for one queue."""
    if isinstance(truth, Bounds) or isinstance(board, Bounds):
        truth, board = _bounds(truth), _bounds(board)
        if isinstance(truth, Bounds) and isinstance(board, Bounds):
            return truth.meets(board, TOLERANCES.get(metric, 0.0))
        return False
    if isinstance(truth, int) and isinstance(board, frozenset):
        return truth == len(board)  # the simulator gave only a count
    return bool(truth == board)


def between(metric: str, old: Any, new: Any, board: Any) -> bool:
    """Whether the board's value is one it may show on its way from the truth `old` to the
    truth `new`: either of them, or a mix (the events of one change of the truth arrive one by
    one, and the board may publish between them)."""
    if equal(metric, old, board) or equal(metric, new, board):
        return True
    if isinstance(board, frozenset) and isinstance(old, frozenset) and isinstance(new, frozenset):
        return old & new <= board <= old | new
    if isinstance(board, int) and isinstance(old, int) and isinstance(new, int):
        return min(old, new) <= board <= max(old, new)
    if isinstance(old, Bounds) and isinstance(new, Bounds):
        hull = Bounds(min(old.low, new.low), max(old.high, new.high))
        return equal(metric, hull, board)
    if isinstance(board, tuple) and isinstance(old, tuple) and isinstance(new, tuple):
        rows = {row[0]: row for row in old}, {row[0]: row for row in new}
        shown = {row[0]: row for row in board}
        keys = rows[0].keys() | rows[1].keys() | shown.keys()
        return all(shown.get(k) in (rows[0].get(k), rows[1].get(k)) for k in keys)
    return False


def unequal(truth: View, board: View, metric: str) -> list[str]:
    """The queues whose `metric` the board shows otherwise than the truth."""
    shown = board[metric]
    return [
        number
        for number, value in sorted(truth[metric].items())
        if number not in shown or not equal(metric, value, shown[number])
    ]


def differences(truth: View, board: View) -> dict[str, list[str]]:
    """Per metric the truth states, where the board differs (an empty list: equal)."""
    return {
        metric: [
            f"{metric} {number}: " + _contrast(queues[number], board[metric].get(number))
            for number in unequal(truth, board, metric)
        ]
        for metric, queues in truth.items()
        if queues
    }


def _contrast(truth: Any, board: Any) -> str:
    """The truth and the board side by side; for rows (agents), only the rows that differ."""
    if isinstance(truth, tuple) and isinstance(board, tuple):
        rows = {row[0]: row for row in truth}, {row[0]: row for row in board}
        keys = sorted(rows[0].keys() | rows[1].keys())
        truth = tuple(rows[0].get(k) for k in keys if rows[0].get(k) != rows[1].get(k))
        board = tuple(rows[1].get(k) for k in keys if rows[0].get(k) != rows[1].get(k))
    return f"truth {_show(truth)} board {_show(board)}"


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return str(sorted(value))
    if isinstance(value, Bounds):
        return f"{value.low:g}" if value.low == value.high else f"{value.low:g}..{value.high:g}"
    return str(value)


def facts(view: View) -> dict[tuple[str, str, str], Any]:
    """A view as single facts, to time when each change reaches the board: each unanswered
    caller, each counter, each agent's state and pause reason (keyed metric, queue, item)."""
    out: dict[tuple[str, str, str], Any] = {}
    for number, ids in view["unanswered"].items():
        if isinstance(ids, frozenset):
            out.update({("unanswered", number, call_id): True for call_id in ids})
    for metric in OUTCOMES:
        out.update({(metric, number, ""): value for number, value in view[metric].items()})
    for number, agents in view["agent_state"].items():
        out.update({("agent_state", number, a[0]): a[1:] for a in agents})
    for number, reasons in view["pause_reason"].items():
        out.update({("pause_reason", number, n): reason for n, reason in reasons})
    return out
