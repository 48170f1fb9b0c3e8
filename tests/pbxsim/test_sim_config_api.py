"""Configuration endpoints: system, extensions, queue details and pause reasons (§5, §7, §8)."""

import time
from datetime import UTC, datetime

import pytest

from tests.pbxsim.sim_harness import JsonObj, RunningSim, StartSim

SALES_ID, SUPPORT_ID = 1, 2


async def test_system_information_names_model_firmware_and_serial(start_sim: StartSim) -> None:
    sim = await start_sim(model="P570", firmware="37.23.0.123", sn="SN9")

    reply = await sim.api("GET", "system/information", await sim.token())

    assert reply["errcode"] == 0
    data = reply["data"]
    # The guide's Device_Info names ("Query PBX Information").
    assert (data["model_name"], data["firmware_version"], data["sn"]) == (
        "Yeastar P570",
        "37.23.0.123",
        "SN9",
    )


async def test_system_information_defaults_to_a_p560_with_api_firmware(sim: RunningSim) -> None:
    data = (await sim.api("GET", "system/information", await sim.token()))["data"]

    assert data["model_name"] == "Yeastar P560"
    major, minor, *_ = (int(part) for part in data["firmware_version"].split("."))
    assert (major, minor) >= (37, 7)


@pytest.mark.parametrize(("zone", "offset_h"), [("Asia/Bangkok", 7), ("Asia/Shanghai", 8)])
async def test_system_information_tells_the_pbx_wall_clock_in_its_zone(
    start_sim: StartSim, zone: str, offset_h: int
) -> None:
    sim = await start_sim(time_zone=zone)

    data = (await sim.api("GET", "system/information", await sim.token()))["data"]

    # system_time is the wall clock in the PBX's zone, timestamp the same instant (the guide's
    # example: "2025/08/22 16:44:40" beside 1755852280, 08:44:40 UTC, a PBX at UTC+8).
    assert data["system_date_format"] == "YYYY-MM-DD"
    assert data["system_time_format"] == "hh:mm:ss"
    wall = datetime.strptime(data["system_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert wall.timestamp() - data["timestamp"] == offset_h * 3600
    assert abs(data["timestamp"] - time.time()) < 5


async def test_system_capacity_counts_extensions_and_live_calls(sim: RunningSim) -> None:
    token = await sim.token()
    await sim.control("calls", {"queue": "6400", "caller": "5550001"})

    data = (await sim.api("GET", "system/capacity", token))["data"]

    assert data == {"extension_capacity": 100, "extension_used": 9, "cc_capacity": 30, "cc_used": 1}


@pytest.mark.parametrize(
    ("value", "numbers"), [("100", ["1001", "1002", "1003", "1004", "1005", "1006", "1007",
     "1008", "1100"]), ("chen", ["1003"]), ("1100", ["1100"]), ("nobody", [])],
)  # fmt: skip
async def test_extension_search_matches_number_or_name(
    sim: RunningSim, value: str, numbers: list[str]
) -> None:
    params = {"search_value": value, "page_size": 50}
    reply = await sim.api("GET", "extension/search", await sim.token(), params=params)

    assert reply["errcode"] == 0
    assert reply["total_number"] == len(numbers)
    assert [e["number"] for e in reply["data"]] == numbers


async def test_queue_get_gives_the_detail_object(sim: RunningSim) -> None:
    reply = await sim.api("GET", "queue/get", await sim.token(), params={"id": SUPPORT_ID})

    data = reply["data"]
    assert (data["id"], data["number"], data["name"]) == (SUPPORT_ID, "6401", "Support")
    for key in ("wrap_up_time", "max_wait_time", "fail_dest", "fail_dest_value", "agent_timeout"):
        assert key in data
    assert data["wrap_up_time"] == 15
    assert isinstance(data["static_agent_list"], list)


@pytest.mark.parametrize(
    ("params", "errcode"), [({}, 40002), ({"id": "x"}, 40002), ({"id": 99}, 60001)]
)
async def test_queue_get_errors(sim: RunningSim, params: JsonObj, errcode: int) -> None:
    reply = await sim.api("GET", "queue/get", await sim.token(), params=params)

    assert reply["errcode"] == errcode
    if errcode == 40002:
        assert reply["invalid_param_list"][0]["field"] == "id"


async def test_queue_query_takes_several_ids_and_skips_unknown_ones(sim: RunningSim) -> None:
    token = await sim.token()

    both = await sim.api("GET", "queue/query", token, params={"ids": "1,2,77"})
    none = await sim.api("GET", "queue/query", token, params={"ids": "77"})
    bad = await sim.api("GET", "queue/query", token, params={"ids": "1,a"})

    assert [q["number"] for q in both["data"]] == ["6400", "6401"]
    assert none == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}
    assert bad["invalid_param_list"] == [{"field": "ids", "value": "1,a"}]


async def test_pause_reasons_are_the_fresh_pbx_defaults(sim: RunningSim) -> None:
    reply = await sim.api("GET", "queue_pause_reason/list", await sim.token())

    assert reply == {
        "errcode": 0,
        "errmsg": "SUCCESS",
        "data": [
            {"code": "*01", "reason": "Lunch"},
            {"code": "*02", "reason": "Break"},
            {"code": "*03", "reason": "Wrap up"},
        ],
    }


@pytest.mark.parametrize(
    ("scenario", "queues", "extensions"), [("contact-centre", 10, 205), ("stress", 50, 1010)]
)
async def test_built_in_scenarios_have_their_size(
    start_sim: StartSim, scenario: str, queues: int, extensions: int
) -> None:
    sim = await start_sim(scenario=scenario)
    token = await sim.token()

    listed = await sim.api("GET", "queue/list", token)
    capacity = (await sim.api("GET", "system/capacity", token))["data"]
    agents = await sim.api("GET", "queue/agent_status", token, params={"id": 2})

    assert listed["total_number"] == queues
    assert capacity["extension_used"] == extensions
    kinds = {entry["agent_type"] for entry in agents["data"]}
    assert kinds == {"static", "dynamic"}
