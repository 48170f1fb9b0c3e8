"""`/_sim/state` agents[].times: talk, hold, pause and logged-in time so far, the truth a
board's agent figures are checked against."""

from tests.pbxsim.sim_harness import SALES, SUPPORT, RunningSim, StartSim

CALLER = "5550001"


async def times(sim: RunningSim, number: str) -> dict[str, object]:
    agents = (await sim.state())["agents"]
    return next(a["times"] for a in agents if a["number"] == number)


async def advance(sim: RunningSim, seconds: int) -> None:
    await sim.control("clock/advance", {"seconds": seconds})


async def test_talk_and_hold_run_from_answer_and_hold_and_end_with_the_call(
    start_sim: StartSim,
) -> None:
    sim = await start_sim(speed=1e-9)  # the clock moves only when told
    call_id = (await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"]
    await sim.control(f"calls/{call_id}/answer", {"agent": "1001"})
    await advance(sim, 10)
    await sim.control(f"calls/{call_id}/hold", {"by": "caller"})
    await advance(sim, 5)
    talk = {"talk_ms": 15_000, "hold_ms": 5_000, "pause_ms": {}}
    assert await times(sim, "1001") == {**talk, "logged_in_ms": 15_000}
    await sim.control(f"calls/{call_id}/hangup")  # on hold: the hold ends with the call
    await advance(sim, 60)
    assert await times(sim, "1001") == {**talk, "logged_in_ms": 75_000}


async def test_pause_runs_by_reason_while_paused_in_a_queue_the_agent_is_logged_in_to(
    start_sim: StartSim,
) -> None:
    sim = await start_sim(speed=1e-9)
    await sim.control("agents/1003/pause", {"reason": "*01"})
    await advance(sim, 30)
    await sim.control("agents/1003/pause", {"reason": "Break", "queues": [SALES]})
    await sim.control("agents/1003/unpause", {"queues": [SUPPORT]})  # the first queue's reason
    await advance(sim, 20)
    await sim.control("agents/1003/logout")  # a dynamic agent of both: no longer on pause
    await advance(sim, 40)
    assert (await times(sim, "1003"))["pause_ms"] == {"Lunch": 30_000, "Break": 20_000}


async def test_logged_in_time_runs_while_the_agent_is_in_any_queue(start_sim: StartSim) -> None:
    sim = await start_sim(speed=1e-9)
    await advance(sim, 10)
    await sim.control("agents/1003/logout", {"queues": [SALES]})  # still in Support
    await advance(sim, 20)
    await sim.control("agents/1003/logout")
    await advance(sim, 40)
    await sim.control("agents/1003/login", {"queues": [SUPPORT]})
    await advance(sim, 5)
    assert (await times(sim, "1003"))["logged_in_ms"] == 35_000
