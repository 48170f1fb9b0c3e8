"""cdr/list (§5.6b): paging and sorting as the guide documents them, and the GUESS switches of
what a row says of its call (`--cdr-uid-style`, `--cdr-call-id`)."""

import pytest

from tests.pbxsim.sim_harness import SALES, RunningSim, StartSim


async def ended_calls(sim: RunningSim, count: int) -> list[str]:
    """Scripted callers who hang up after waiting 1, 2, 3 … s (so they differ in duration)."""
    call_ids = []
    for n in range(count):
        call = await sim.control("calls", {"queue": SALES, "caller": f"55500{n:02}"})
        await sim.control("clock/advance", {"seconds": n + 1})
        await sim.control(f"calls/{call['call_id']}/abandon")
        call_ids.append(str(call["call_id"]))
    return call_ids


async def test_pages_hold_10000_rows_unless_asked_and_sort_by_any_documented_field(
    sim: RunningSim,
) -> None:
    await ended_calls(sim, 12)
    token = await sim.token()

    async def ids(**params: object) -> list[int]:
        reply = await sim.api("GET", "cdr/list", token, params=params)
        assert reply["errcode"] == 0, reply
        assert reply["total_number"] == 12
        return [row["id"] for row in reply["data"]]

    assert await ids() == list(range(12, 0, -1))  # all on page 1, newest first
    assert await ids(page=2, page_size=5, sort_by="id", order_by="asc") == [6, 7, 8, 9, 10]
    assert await ids(sort_by="duration", order_by="asc", page_size=3) == [1, 2, 3]
    assert await ids(sort_by="time", order_by="desc", page=3, page_size=5) == [2, 1]
    assert await ids(sort_by="disposition", page_size=1) == [12]  # all NO ANSWER: by id


@pytest.mark.parametrize(
    ("params", "field"),
    [({"sort_by": "time_start"}, "sort_by"), ({"order_by": "newest"}, "order_by"),
     ({"page_size": 10_001}, "page_size"), ({"page": 0}, "page")],
)  # fmt: skip
async def test_undocumented_paging_parameters_are_refused(
    sim: RunningSim, params: dict[str, object], field: str
) -> None:
    reply = await sim.api("GET", "cdr/list", await sim.token(), params=params)

    assert reply["errcode"] == 40002
    assert reply["invalid_param_list"][0]["field"] == field


@pytest.mark.parametrize(
    ("overrides", "uid_is_call_id", "call_id_given"),
    [({}, False, False), ({"cdr_uid_style": "call_id"}, True, False),
     ({"cdr_call_id": True}, False, True)],
)  # fmt: skip
async def test_what_a_row_says_of_its_call_follows_the_switches(
    start_sim: StartSim, overrides: dict[str, object], uid_is_call_id: bool, call_id_given: bool
) -> None:
    sim = await start_sim(**overrides)
    (call_id,) = await ended_calls(sim, 1)

    (row,) = (await sim.api("GET", "cdr/list", await sim.token()))["data"]

    assert (row["uid"] == call_id) is uid_is_call_id
    assert row["uid"]
    assert ("call_id" in row) is call_id_given
    assert row.get("call_id", call_id) == call_id
    assert row["timestamp"] == int(call_id.split(".")[0])
