"""Stopping and switching monitoring as the wallboard does it (docs/actions.md): call/hangup of
the supervisor's own channel ends the monitoring call only; a busy supervisor cannot be rung."""

from tests.pbxsim.sim_harness import SALES, JsonObj, RunningSim

CALLER = "5550001"


async def monitored(sim: RunningSim, token: str, kind: str = "listen") -> tuple[str, str]:
    """A call answered by 1002 that 1100 monitors (answered): (its call ID, the monitor's)."""
    call_id = str((await sim.control("calls", {"queue": SALES, "caller": CALLER}))["call_id"])
    await sim.control(f"calls/{call_id}/answer", {"agent": "1002"})
    body = {"monitor": "1100", "channel_id": channel_of(await call(sim, token, call_id), "1002")}
    reply = await sim.api("POST", "call/listen", token, json={**body, "type": kind})
    await sim.control("clock/advance", {"seconds": 2})
    return call_id, str(reply["call_id"])


async def call(sim: RunningSim, token: str, call_id: str) -> JsonObj | None:
    found = await sim.api("GET", "call/query", token, params={"call_id": call_id})
    return next(iter(found.get("data") or []), None)


def channel_of(found: JsonObj | None, number: str) -> str:
    assert found is not None
    legs = [m["extension"] for m in found["members"] if "extension" in m]
    return str(next(leg["channel_id"] for leg in legs if leg["number"] == number))


def statuses(found: JsonObj | None) -> list[tuple[str, str]]:
    assert found is not None
    legs = [next(iter(m.values())) for m in found["members"]]
    return [(leg.get("number", leg.get("from", "")), leg["member_status"]) for leg in legs]


async def test_hanging_up_the_supervisors_channel_ends_only_the_monitoring(
    sim: RunningSim,
) -> None:
    token = await sim.token()
    call_id, monitor_id = await monitored(sim, token)
    supervisor = channel_of(await call(sim, token, monitor_id), "1100")

    reply = await sim.api("POST", "call/hangup", token, json={"channel_id": supervisor})

    assert reply == {"errcode": 0, "errmsg": "SUCCESS", "call_id": monitor_id}
    assert await call(sim, token, monitor_id) is None
    assert statuses(await call(sim, token, call_id)) == [(CALLER, "ANSWERED"), ("1002", "ANSWER")]
    again = await sim.api("POST", "call/hangup", token, json={"channel_id": supervisor})
    assert again["errcode"] == 70130


async def test_a_monitoring_supervisor_is_busy_until_the_old_leg_is_hung_up(
    sim: RunningSim,
) -> None:
    token = await sim.token()
    call_id, monitor_id = await monitored(sim, token)
    agent = channel_of(await call(sim, token, call_id), "1002")
    barge = {"monitor": "1100", "channel_id": agent, "type": "barge"}

    busy = await sim.api("POST", "call/listen", token, json=barge)
    supervisor = channel_of(await call(sim, token, monitor_id), "1100")
    await sim.api("POST", "call/hangup", token, json={"channel_id": supervisor})
    switched = await sim.api("POST", "call/listen", token, json=barge)

    assert busy["errcode"] == -1
    assert switched["errcode"] == 0
    assert switched["call_id"] != monitor_id
    assert statuses(await call(sim, token, switched["call_id"])) == [("1100", "RING")]
