"""A simulated day at full speed: invariants of the model, agreement of REST with events, and
no drift over the hours (nothing stuck, nothing growing without bound)."""

import json
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

import pytest

from pbxsim.api_core import ApiRequest, Handler
from pbxsim.api_live import queue_agent_status, queue_call_status
from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.directory import QueueDef
from pbxsim.model import CDRS_KEPT
from pbxsim.records import Phase
from pbxsim.sim import Simulator
from pbxsim.wire import ApiError, JsonObj

DAY, STEP, CHECKPOINT = 86400, 5, 1800
TOPICS = frozenset({30008, 30011, 30012, 30029})
# queue/agent_status `call_status` for each 30008 status (§4.3, §5.3); a call the caller holds
# is 5, one the agent holds stays 2, and the events show HOLD for both.
CALL_STATUS = {"Idle": {1}, "Busy": {2}, "Ringing": {3}}
HELD = {2, 5}
# Far beyond any call the model makes (talk: 5 s + exponential, mean 30 s or 90 s).
LONGEST_TALK = 3600


class FakeWall:
    """Wall time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class EventView:
    """What a client knows from the events alone."""

    calls: dict[str, list[JsonObj]] = field(default_factory=dict)
    paused: dict[tuple[str, str], bool] = field(default_factory=dict)
    cdrs: Counter[str] = field(default_factory=Counter)
    phones: dict[str, str] = field(default_factory=dict)

    def apply(self, frame: JsonObj) -> None:
        msg = json.loads(frame["msg"])
        if frame["type"] == 30011:
            statuses = {next(iter(m.values()))["member_status"] for m in msg["members"]}
            if statuses == {"BYE"}:
                self.calls.pop(msg["call_id"], None)
            else:
                self.calls[msg["call_id"]] = msg["members"]
        elif frame["type"] == 30029 and msg["status"] in ("Paused", "Unpaused"):
            self.paused[(msg["queue_number"], msg["agent_number"])] = msg["status"] == "Paused"
        elif frame["type"] == 30012:
            self.cdrs[msg["call_id"]] += 1
        elif frame["type"] == 30008:
            self.phones[msg["extension"]] = msg["status"]

    def held(self, extension: str) -> bool:
        """Whether a call the extension is in shows HOLD."""
        return any(
            leg.get("number") == extension and leg["member_status"] == "HOLD"
            for members in self.calls.values()
            for leg in (next(iter(m.values())) for m in members)
        )

    def waiting(self, queue_number: str) -> int:
        """Calls with only the caller's leg up, in a queue that is the last feature on their
        path (one sent on from another queue shows both; its agent's leg hangs up): nobody
        rings yet."""
        up = [
            [m for m in members if next(iter(m.values()))["member_status"] != "BYE"]
            for members in self.calls.values()
        ]
        return sum(
            1
            for members in up
            if len(members) == 1
            and members[0].get("inbound", {}).get("call_path", "").split("-")[-1] == queue_number
        )


def rest(handler: Handler, sim: Simulator, **query: str) -> JsonObj:
    """An endpoint's reply, errors included, without the transport around it."""
    try:
        return handler(sim, ApiRequest(query, {}, "127.0.0.1"))
    except ApiError as error:
        return error.body()


def check(sim: Simulator, view: EventView) -> None:
    """The model's own invariants, then each queue's REST answers against the events."""
    centre = sim.centre
    assert set(view.calls) == set(centre.calls) | set(centre.plain)
    busy = [n for c in centre.calls.values() if c.agent for n in (c.agent, *c.others)]
    busy += [g.number for p in centre.plain.values() for g in p.legs if g.kind == "extension"]
    assert len(busy) == len(set(busy)), "an agent is in two calls"
    for agent in centre.agents.values():
        assert (agent.call_id is None) == (agent.defn.number not in busy)
    for queue in centre.directory.queues:
        check_queue(sim, view, queue)


def check_queue(sim: Simulator, view: EventView, queue: QueueDef) -> None:
    """Waiting callers, pauses and phone states as REST tells them; the queue's counters."""
    status = rest(queue_call_status, sim, id=str(queue.id))
    assert status.get("waiting_calls", 0) == view.waiting(queue.number)
    agents = rest(queue_agent_status, sim, id=str(queue.id))
    for entry in agents.get("data", []):
        seen = view.paused.get((queue.number, entry["number"]), False)
        assert entry["is_pause"] == int(seen)
        phone = view.phones.get(entry["number"], "Idle")
        expected = HELD if view.held(entry["number"]) else CALL_STATUS[phone]
        assert entry["call_status"] in expected, entry
    stats = sim.centre.stats[queue.number]
    calls = sim.centre.calls.values()
    unfinished = len([c for c in calls if c.queue is queue and not c.outcome])
    ended = stats.abandoned + stats.timed_out + stats.transferred
    assert stats.offered == stats.answered + ended + unfinished


@dataclass
class Drift:
    """What the checkpoints saw over the hours: the schedule's size, who sat in which call."""

    schedule_sizes: list[int] = field(default_factory=list)
    # Per checkpoint: the share of queue memberships paused, and logged out.
    paused: list[float] = field(default_factory=list)
    logged_out: list[float] = field(default_factory=list)
    calls_by_agent: dict[str, str | None] = field(default_factory=dict)

    def check(self, sim: Simulator) -> None:
        """Nothing stuck or unbounded: no call outlives its limits, no agent stays in one call
        from one checkpoint to the next, counters stay sane, most agents stay at work."""
        centre, now = sim.centre, sim.now()
        for call in centre.calls.values():
            if call.phase is Phase.TALKING and call.answered_at is not None:
                assert now - call.answered_at < LONGEST_TALK, call
            else:
                assert now - call.waiting_since <= call.queue.max_wait_time, call
        assert all(now - p.started < LONGEST_TALK for p in centre.plain.values())
        calls = {n: a.call_id for n, a in centre.agents.items()}
        stuck = [n for n, c in calls.items() if c and self.calls_by_agent.get(n) == c]
        assert not stuck, f"agents in the same call for {CHECKPOINT} s: {stuck}"
        self.calls_by_agent = calls
        members = [m for a in centre.agents.values() for m in a.memberships.values()]
        self.paused.append(sum(m.paused for m in members) / len(members))
        self.logged_out.append(sum(not m.logged_in for m in members) / len(members))
        assert all(min(vars(s).values()) >= 0 for s in centre.stats.values())
        assert len(centre.cdrs) <= CDRS_KEPT
        self.schedule_sizes.append(len(sim.schedule))

    def assert_bounded(self) -> None:
        """The schedule (every pending timer) does not grow over the hours, and agents keep
        coming back from breaks and log-outs: no more of them away late than early."""
        third = len(self.schedule_sizes) // 3
        early, late = self.schedule_sizes[:third], self.schedule_sizes[-third:]
        assert max(late) <= 1.5 * max(early), self.schedule_sizes
        for shares in (self.paused, self.logged_out):
            assert mean(shares) <= 0.25, shares
            assert mean(shares[-third:]) <= mean(shares[:third]) + 0.1, shares


# A whole day for the small centre; a business day (8 h) for the big one keeps the run short.
@pytest.mark.parametrize(
    ("scenario", "seed", "span"),
    [("small", 1, DAY), ("small", 2, DAY), ("contact-centre", 3, DAY // 3)],
)
def test_a_simulated_day_keeps_every_invariant(scenario: str, seed: int, span: int) -> None:
    wall = FakeWall()
    config = SimConfig(scenario=scenario, seed=seed, arrival_per_min=4.0)
    sim = Simulator(config, SimClock(wall=wall))
    watcher = sim.hub.join()
    watcher.topics = TOPICS
    view, drift = EventView(), Drift()
    for step in range(span // STEP):
        wall.now += STEP
        sim.tick()
        while not watcher.outbox.empty():
            item = watcher.outbox.get_nowait()
            assert isinstance(item, str)
            view.apply(json.loads(item))
        if step % (CHECKPOINT // STEP) == 0:
            check(sim, view)
            drift.check(sim)

    total = sum(s.offered for s in sim.centre.stats.values())
    assert total > 5000
    # Every ended call left exactly one CDR, and every CDR belongs to an ended call.
    assert set(view.cdrs.values()) == {1}
    assert len(view.cdrs) == sim.centre.cdr_count
    outcomes = Counter(str(c.status) for c in sim.centre.cdrs)
    assert outcomes["ANSWERED"] > 0
    assert outcomes["NO ANSWER"] > 0
    drift.assert_bounded()
