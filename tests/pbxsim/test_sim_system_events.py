"""System event notifications (§4.11): /_sim/system_event sends one to its level's subscribers."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.pbxsim.sim_harness import JsonObj, RunningSim, StartSim, next_event, recv_text

INFORMATION, WARNING, ALERT = 30034, 30035, 30036
# The guide's 30035 example, the PBX's name and serial number left out of its text.
TRUNK_DOWN = {
    "event_name": "sip_trunk_disconnect",
    "event_type": "telephony",
    "event_level": "warn",
    "event_content": "The PBX failed to connect or register to the account trunk: 89-Inbound.\n"
    "Now the extensions may not be able to call through this trunk.",
}


def pbx_time(written: str, zone: str) -> float:
    """`create_time` (as the guide's example writes it, in the PBX's zone) as epoch seconds."""
    local = datetime.strptime(written, "%Y/%m/%d %H:%M:%S")
    return local.replace(tzinfo=ZoneInfo(zone)).timestamp()


async def test_a_warning_reaches_subscribers_of_30035_as_the_guide_shows_it(
    sim: RunningSim,
) -> None:
    async with sim.socket([WARNING]) as ws:
        reply = await sim.control("system_event", TRUNK_DOWN)
        event = await next_event(ws)
    now_s = (await sim.state())["time"] / 1000

    assert (event["type"], event["sn"]) == (WARNING, sim.config.sn)
    msg = event["msg"]
    assert set(msg) == {*TRUNK_DOWN, "create_time"}
    assert {key: msg[key] for key in TRUNK_DOWN} == TRUNK_DOWN
    # Whole seconds of the simulated clock, in the PBX's zone.
    assert now_s - 2 < pbx_time(msg["create_time"], sim.config.time_zone) <= now_s
    assert reply["event_name"] == "sip_trunk_disconnect"
    assert [(e["type"], e["key"]) for e in reply["emitted"]] == [(WARNING, "sip_trunk_disconnect")]


async def test_each_level_goes_to_its_own_topic_only(sim: RunningSim) -> None:
    async with sim.socket([INFORMATION, ALERT]) as ws:
        await sim.control("system_event", TRUNK_DOWN)  # 30035: nobody here subscribed to it
        await sim.control("system_event", {**TRUNK_DOWN, "event_level": "info"})
        await sim.control("system_event", {**TRUNK_DOWN, "event_level": "error"})
        levels = [(await next_event(ws))["type"] for _ in range(2)]
    assert levels == [INFORMATION, ALERT]


async def test_defaults_and_the_object_msg_switch(start_sim: StartSim) -> None:
    """A warning about the system by default; `--msg-object 30035` sends `msg` as an object,
    as the guide prints it."""
    sim = await start_sim(object_msg_types=frozenset({WARNING}))
    async with sim.socket([WARNING]) as ws:
        await sim.control("system_event", {"event_name": "disk_full", "event_content": "Full."})
        frame = json.loads(await recv_text(ws))
    assert frame["msg"]["event_type"] == "system"
    assert frame["msg"]["event_level"] == "warn"


@pytest.mark.parametrize(
    "body",
    [
        {"event_content": "no name"},
        {"event_name": "sip_trunk_disconnect"},
        {**TRUNK_DOWN, "event_level": "warning"},
        {**TRUNK_DOWN, "event_level": ["warn"]},
        {**TRUNK_DOWN, "event_type": "network"},
    ],
)
async def test_a_body_the_guide_would_not_send_is_refused(sim: RunningSim, body: JsonObj) -> None:
    reply = await sim.control("system_event", body, status=400)
    assert reply["error"]
