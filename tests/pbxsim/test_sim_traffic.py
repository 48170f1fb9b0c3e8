"""Random traffic: a seeded simulator produces callers, answers and hang-ups, reproducibly."""

from tests.pbxsim.sim_harness import JsonObj, RunningSim, StartSim, next_event

# Enough simulated time for dozens of calls to arrive, be answered or give up, and end.
SPAN = 600


async def callers_by_sequence(sim: RunningSim) -> tuple[dict[int, str], set[str]]:
    """Caller of each call (by the sequence part of its call_id) and every inbound status seen."""
    callers: dict[int, str] = {}
    statuses: set[str] = set()
    async with sim.socket([30011]) as ws:
        await sim.control("clock/advance", {"seconds": SPAN})
        while len(callers) < 20 or not {"ALERT", "ANSWERED", "BYE"} <= statuses:
            msg: JsonObj = (await next_event(ws))["msg"]
            leg = msg["members"][0]["inbound"]
            callers[int(msg["call_id"].split(".")[1])] = leg["from"]
            statuses.add(leg["member_status"])
    return callers, statuses


async def test_a_seeded_simulator_makes_the_same_callers_every_time(start_sim: StartSim) -> None:
    first = await start_sim(seed=7, arrival_per_min=6)
    second = await start_sim(seed=7, arrival_per_min=6)

    callers, statuses = await callers_by_sequence(first)
    again, _ = await callers_by_sequence(second)

    assert statuses >= {"ALERT", "ANSWERED", "BYE"}
    assert all(number.isdigit() for number in callers.values())
    common = callers.keys() & again.keys()
    assert len(common) >= 10
    assert {seq: callers[seq] for seq in common} == {seq: again[seq] for seq in common}


async def test_random_callers_show_up_in_the_ground_truth(start_sim: StartSim) -> None:
    sim = await start_sim(seed=3, arrival_per_min=6)

    await sim.control("clock/advance", {"seconds": SPAN})

    state = await sim.state()
    for queue in state["queues"]:
        stats = queue["stats"]
        assert stats["offered"] > 20
        # Every call offered has exactly one outcome, or is still waiting for an answer.
        unanswered = len(queue["waiting"]) + len(queue["ringing"])
        outcomes = ("answered", "abandoned", "timed_out", "transferred")
        assert stats["offered"] == sum(stats[o] for o in outcomes) + unanswered


async def test_a_living_call_centre_emits_every_kind_of_event(start_sim: StartSim) -> None:
    """Eight simulated hours of seeded traffic and agent life, as a subscriber sees them."""
    topics = {30007, 30008, 30009, 30011, 30012, 30025, 30026, 30029}
    sim = await start_sim(seed=3, arrival_per_min=6)
    seen: set[int] = set()
    async with sim.socket(sorted(topics)) as ws:
        await sim.control("clock/advance", {"seconds": 8 * 3600})
        while seen != topics:
            seen.add((await next_event(ws))["type"])

    state = await sim.state()
    stats = [queue["stats"] for queue in state["queues"]]
    assert all(s["answered"] and s["abandoned"] and s["transferred"] for s in stats)
    assert any(s["timed_out"] for s in stats)
    assert state["cdrs"] > 1000
