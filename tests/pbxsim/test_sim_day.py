"""A simulated day at full speed: invariants of the model and agreement of REST with events."""

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from pbxsim.api_core import ApiRequest, Handler
from pbxsim.api_live import queue_agent_status, queue_call_status
from pbxsim.clock import SimClock
from pbxsim.config import SimConfig
from pbxsim.directory import QueueDef
from pbxsim.sim import Simulator
from pbxsim.wire import ApiError, JsonObj

DAY, STEP, CHECKPOINT = 86400, 5, 1800
TOPICS = frozenset({30008, 30011, 30012, 30029})
# queue/agent_status `call_status` for each 30008 status (§4.3, §5.3).
CALL_STATUS = {"Idle": 1, "Busy": 2, "Ringing": 3}


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

    def waiting(self, queue_number: str) -> int:
        """Queue calls with only the caller's leg: nobody rings yet."""
        return sum(
            1
            for members in self.calls.values()
            if len(members) == 1 and members[0].get("inbound", {}).get("call_path") == queue_number
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
        assert entry["call_status"] == CALL_STATUS[phone], entry
    stats = sim.centre.stats[queue.number]
    calls = sim.centre.calls.values()
    unfinished = len([c for c in calls if c.queue is queue and not c.outcome])
    ended = stats.abandoned + stats.timed_out + stats.transferred
    assert stats.offered == stats.answered + ended + unfinished


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
    view = EventView()
    for step in range(span // STEP):
        wall.now += STEP
        sim.tick()
        while not watcher.outbox.empty():
            item = watcher.outbox.get_nowait()
            assert isinstance(item, str)
            view.apply(json.loads(item))
        if step % (CHECKPOINT // STEP) == 0:
            check(sim, view)

    total = sum(s.offered for s in sim.centre.stats.values())
    assert total > 5000
    # Every ended call left exactly one CDR, and every CDR belongs to an ended call.
    assert set(view.cdrs.values()) == {1}
    assert len(view.cdrs) == len(sim.centre.cdrs)
    outcomes = Counter(str(c.status) for c in sim.centre.cdrs)
    assert outcomes["ANSWERED"] > 0
    assert outcomes["NO ANSWER"] > 0
