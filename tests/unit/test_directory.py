"""Reference data: the number↔ID directory every process reads, and what a refresh changes."""

from dashboard.live.agents import Agent
from dashboard.live.directory import (
    apply_extensions,
    apply_queue_details,
    directory_data,
    moved_agents,
)
from dashboard.live.state import LiveState

# The reference's queue/list (§5.1) and extension/list (§7.1) examples.
QUEUE_LIST = [
    {"id": 3, "number": "6402", "name": "Support", "ring_strategy": "ring_all",
     "static_agent_list": [
         {"text": "Leo Ball", "text2": "1000", "value": "9", "type": "extension"}],
     "dynamic_agent_list": [
         {"text": "Phillip Huff", "text2": "1001", "value": "10", "type": "extension"}],
     "manager_list": []},
]  # fmt: skip
EXTENSION = {
    "id": 9, "number": "1000", "caller_id_name": "Leo Ball", "role_name": "Employee",
    "presence_status": "available", "custom_presence_status": "",
    "online_status": {"sip_phone": {"status": 1, "ext_dev_type": "sip",
                                    "status_list": [{"status": 1}]},
                      "linkus_desktop": {"status": 0}, "linkus_mobile": {"status": 0},
                      "linkus_web": {"status": 1, "ext_dev_type": "linkusweb"}},
}  # fmt: skip


def test_the_directory_maps_numbers_to_ids_with_each_agents_kind() -> None:
    assert directory_data(QUEUE_LIST, [EXTENSION]) == {
        "queues": {"6402": {"id": 3, "name": "Support",
                            "agents": {"1000": {"kind": "static"}, "1001": {"kind": "dynamic"}}}},
        "extensions": {"1000": {"id": 9, "name": "Leo Ball"},
                       "1001": {"id": 10, "name": "Phillip Huff"}},
    }  # fmt: skip


def test_an_added_agent_marks_its_queue_for_a_re_read() -> None:
    before = directory_data(QUEUE_LIST, [])
    grown = [{**QUEUE_LIST[0], "dynamic_agent_list": [
        *QUEUE_LIST[0]["dynamic_agent_list"],  # type: ignore[misc]
        {"text": "New Agent", "text2": "1002", "value": "11", "type": "extension"}]}]  # fmt: skip
    assert moved_agents(before, directory_data(grown, [])) == {"6402"}
    assert moved_agents(before, before) == set()
    assert moved_agents({}, before) == {"6402"}


def support() -> LiveState:
    live = LiveState()
    live.set_queues({"6402": "Support"})
    live.queues["6402"].agents = {"1000": Agent("1000")}
    return live


def test_a_changed_extension_changes_the_queues_it_serves() -> None:
    live = support()
    assert apply_extensions(live, [EXTENSION]) == {"6402"}
    assert live.extensions["1000"].registered_kinds == {"Sip", "Web"}
    assert apply_extensions(live, [EXTENSION]) == set()
    away = {**EXTENSION, "presence_status": "do_not_disturb"}
    assert apply_extensions(live, [away]) == {"6402"}
    assert live.extensions["1000"].presence == "do_not_disturb"


def test_queue_details_set_wrap_up_and_maximum_wait() -> None:
    live = support()
    detail = {"id": 3, "number": "6402", "wrap_up_time": 15, "max_wait_time": 600}
    assert apply_queue_details(live, [detail]) == {"6402"}
    assert (live.queues["6402"].wrap_up_s, live.queues["6402"].max_wait_s) == (15, 600)
    assert apply_queue_details(live, [detail, {"number": "9999"}]) == set()


def test_queue_details_name_the_failover_destination_unless_it_ends_the_call() -> None:
    """§5.2 `fail_dest`/`fail_dest_value`: a caller going on there timed out (queues.py)."""
    live = support()
    voicemail = {"number": "6402", "fail_dest": "ext_vm", "fail_dest_value": "1005"}
    apply_queue_details(live, [voicemail])
    assert live.queues["6402"].failover == "1005"
    apply_queue_details(live, [{**voicemail, "fail_dest": "end_call"}])
    assert live.queues["6402"].failover == ""
