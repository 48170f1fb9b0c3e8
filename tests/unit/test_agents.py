"""Agents and extensions from the payloads of docs/yeastar-api.md (§4.3–4.9, §5.3, §7.1)."""

import pytest

from dashboard.live.agents import Agent, Extension, load_agent_status, load_extension
from dashboard.live.events import CallEvent, CallMember, PbxEvent
from dashboard.live.figures import agent_state, queue_figures
from dashboard.live.queues import apply_call_event
from dashboard.live.reduce import apply_event
from dashboard.live.state import LiveState, end_wrap_ups


def centre() -> LiveState:
    """Queue 6402 with agents 1002 (dynamic) and 2010 (static), both logged in and idle."""
    live = LiveState()
    live.set_queues({"6402": "Support"})
    queue = live.queues["6402"]
    queue.wrap_up_s = 10
    queue.agents = {"1002": Agent("1002", kind="dynamic"), "2010": Agent("2010")}
    for number in queue.agents:
        live.extension(number).registered_kinds = {"Sip"}
    return live


def state_of(live: LiveState, number: str, now_ms: int = 1000) -> str:
    return agent_state(live, live.queues["6402"].agents[number], now_ms)


@pytest.mark.parametrize("queue_number", ["queue-6402", "6402"])
def test_30029_pauses_with_the_reason_text(queue_number: str) -> None:
    """§4.9: the documented example, and the bare queue number 30025/30026 use."""
    live = centre()
    msg = {"queue_number": queue_number, "agent_number": "1002", "status": "Paused",
           "reason": "Lunch"}  # fmt: skip
    assert apply_event(live, PbxEvent(30029, msg), 500).changed == {"6402"}
    agent = live.queues["6402"].agents["1002"]
    assert (agent.paused, agent.pause_reason, agent.since_ms) == (True, "Lunch", 500)
    assert state_of(live, "1002") == "paused"


@pytest.mark.parametrize(
    ("status", "field", "value"),
    [("Unpaused", "paused", False), ("Logged Out", "logged_in", False),
     ("logged_out", "logged_in", False), ("LoggedIn", "logged_in", True)],
)  # fmt: skip
def test_30029_status_spellings_we_guess(status: str, field: str, value: bool) -> None:
    live = centre()
    live.queues["6402"].agents["1002"].paused = True
    live.queues["6402"].agents["1002"].logged_in = not value if field == "logged_in" else True
    msg = {"queue_number": "6402", "agent_number": "1002", "status": status}
    apply_event(live, PbxEvent(30029, msg), 500)
    assert getattr(live.queues["6402"].agents["1002"], field) is value


def test_an_unknown_30029_status_asks_rest_to_settle_it() -> None:
    live = centre()
    msg = {"queue_number": "6402", "agent_number": "1002", "status": "Wandering"}
    effect = apply_event(live, PbxEvent(30029, msg), 500)
    assert (effect.changed, effect.recheck) == (set(), {"6402"})


def test_30025_auto_pause_keeps_the_missed_calls() -> None:
    """§4.7: the documented example (object msg, no sn)."""
    live = centre()
    msg = {"queue_number": "6402", "agent_number": "2010", "calls": [
        {"caller_number": "5003300", "call_id": "1713151497.32"},
        {"caller_number": "5003301", "call_id": "1713151475.26"}]}  # fmt: skip
    assert apply_event(live, PbxEvent(30025, msg), 700).changed == {"6402"}
    agent = live.queues["6402"].agents["2010"]
    assert agent.auto_paused
    assert [call["caller"] for call in agent.missed_calls] == ["5003300", "5003301"]
    unpause = {"queue_number": "queue-6402", "agent_number": "2010", "status": "Unpaused"}
    apply_event(live, PbxEvent(30029, unpause), 900)
    assert (agent.paused, agent.auto_paused, agent.missed_calls) == (False, False, [])


def test_extension_events_change_availability() -> None:
    """§4.3–4.5: call state, presence and registration of the agent's extension."""
    live = centre()
    apply_event(live, PbxEvent(30008, {"extension": "2010", "status": "Ringing"}), 1)
    assert state_of(live, "2010") == "ringing"
    apply_event(live, PbxEvent(30008, {"extension": "2010", "status": "Busy"}), 2)
    assert state_of(live, "2010") == "on_call"  # a non-queue call takes the agent too
    apply_event(live, PbxEvent(30008, {"extension": "2010", "status": "Idle"}), 3)
    apply_event(live, PbxEvent(30009, {"extension": "2010", "status": "do_not_disturb"}), 4)
    assert state_of(live, "2010") == "unavailable"
    apply_event(live, PbxEvent(30009, {"extension": "2010", "status": "available"}), 5)
    registration = {"extension": "2010", "kind": "Sip", "status": "Unregistered",
                    "registered_ip": "223.104.45.163"}  # fmt: skip
    effect = apply_event(live, PbxEvent(30007, registration), 6)
    assert effect.changed == {"6402"}
    assert state_of(live, "2010") == "unavailable"


def leg(status: str) -> CallEvent:
    caller = CallMember("inbound", "5503301", "PJSIP/trunk-t-1", "ALERT", "6402")
    agent = CallMember("extension", "2010", "PJSIP/2010-00000032", status, "6402")
    return CallEvent("1713151497.32", (caller, agent))


def test_an_agent_rings_talks_then_wraps_up_then_is_available() -> None:
    live = centre()
    apply_call_event(live, leg("RING"), 1000)
    assert state_of(live, "2010", 1000) == "ringing"
    apply_call_event(live, leg("ANSWER"), 2000)
    assert state_of(live, "2010", 2000) == "on_call"
    apply_call_event(live, leg("BYE"), 3000)
    assert state_of(live, "2010", 3000) == "wrap_up"
    assert state_of(live, "2010", 13_001) == "available"


def test_a_wrap_up_ends_once_its_time_is_up_and_names_the_agent_once() -> None:
    live = centre()
    apply_call_event(live, leg("ANSWER"), 2000)
    apply_call_event(live, leg("BYE"), 3000)
    assert end_wrap_ups(live, 12_999) == []
    assert end_wrap_ups(live, 13_000) == ["2010"]
    assert end_wrap_ups(live, 14_000) == []
    assert state_of(live, "2010", 3000) == "available"  # forgotten, not merely past


def test_queue_figures_count_agents_by_state() -> None:
    live = centre()
    live.queues["6402"].agents["1002"].logged_in = False
    apply_call_event(live, leg("ANSWER"), 2000)
    figures = queue_figures(live, live.queues["6402"], 2000)
    assert figures["logged_in"] == 1
    assert (figures["on_call"], figures["logged_out"], figures["available"]) == (1, 1, 0)


def test_rest_agent_status_is_the_truth() -> None:
    """§5.3: the constructed example; changes are reported as corrections by kind."""
    live = centre()
    entries = [
        {"name": "Leo Ball", "number": "1000", "is_login": 1, "is_pause": 0, "call_status": 2,
         "pause_reason": "", "agent_type": "static"},
        {"name": "Phillip Huff", "number": "1002", "is_login": 1, "is_pause": 1,
         "call_status": 1, "pause_reason": "Lunch", "agent_type": "dynamic"},
    ]  # fmt: skip
    agents = live.queues["6402"].agents
    corrections = load_agent_status(agents, entries, 5000)
    assert sorted(corrections) == ["agent_added", "agent_paused", "agent_removed"]
    assert sorted(agents) == ["1000", "1002"]
    assert (agents["1000"].call_status, agents["1000"].name) == ("talking", "Leo Ball")
    assert (agents["1002"].paused, agents["1002"].pause_reason) == (True, "Lunch")
    assert load_agent_status(agents, entries, 6000) == []


def test_extension_list_gives_names_presence_and_registration() -> None:
    """§7.1: the constructed example."""
    extension = Extension("1000")
    load_extension(extension, {
        "id": 9, "number": "1000", "caller_id_name": "Leo Ball", "presence_status": "available",
        "online_status": {"sip_phone": {"status": 1, "ext_dev_type": "sip"},
                          "linkus_desktop": {"status": 0}, "linkus_mobile": {"status": 0},
                          "linkus_web": {"status": 1, "ext_dev_type": "linkusweb"}}})  # fmt: skip
    assert (extension.name, extension.registered_kinds) == ("Leo Ball", {"Sip", "Web"})
