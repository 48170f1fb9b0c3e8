"""Stopping a monitoring call and switching its mode, against the real simulator over sockets:
only the supervisor's leg is hung up, the agent's call goes on, and every step is audit-logged."""

import time
from typing import Any

import pytest
from django.contrib.auth.models import User

from dashboard.actions.tracking import SHARED_FOLLOW_UP_MS
from dashboard.models import ActionAttempt, Board, Supervisor
from tests.integration.stack import wait_until
from tests.test_actions import Api, Sim, answered_call
from tests.test_actions import sim as sim  # a fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


def monitoring(api: Api, agent: str, mode: str, **extra: Any) -> dict[str, Any]:
    """Start (or switch to) a mode on the agent's call; wait until the supervisor answered."""
    status, started = api.act(action=mode, agent=agent, queues=["6400"], **extra)
    assert status == 202, started
    settled = api.settled(started["id"])
    assert (settled["status"], settled["phase"]) == ("ok", "monitoring"), settled
    return settled


def monitor_calls(sim: Sim) -> list[dict[str, Any]]:
    """The simulator's monitoring calls (call/listen), live now."""
    return [call for call in sim.control("state")["other_calls"] if call["monitors"]]


def talking(sim: Sim, call_id: str) -> list[str]:
    """The extensions talking on the call (the answering agent; no supervisor: listen-only
    monitoring makes no member of it)."""
    calls = [call for call in sim.control("state")["calls"] if call["call_id"] == call_id]
    legs = [m["extension"] for call in calls for m in call["members"] if "extension" in m]
    return [leg["number"] for leg in legs if leg["member_status"] == "ANSWER"]


def stop(api: Api, session: dict[str, Any], agent: str = "1001") -> tuple[int, dict[str, Any]]:
    return api.act(action="stop", agent=agent, monitor=session["id"])


def test_stop_hangs_up_the_supervisors_leg_only_and_the_call_goes_on(sim: Sim, dora: User) -> None:
    call_id = answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")
    assert [call["call_id"] for call in monitor_calls(sim)] == [session["call_id"]]

    status, stopped = stop(api, session)

    assert (status, stopped["status"]) == (202, "ok"), stopped
    assert stopped["message"] == "Monitoring stopped; the agent's call goes on."
    assert monitor_calls(sim) == []
    assert talking(sim, call_id) == ["1001"]
    assert api.get("/api/monitors/?board=sales")[1] == {"monitors": []}
    row = ActionAttempt.objects.get(pk=stopped["id"])
    assert (row.username, row.action, row.target, row.queues, row.result) == (
        "dora",
        "stop",
        "1001",
        "6400",
        "ok",
    )
    assert row.parameters["monitor"] == session["id"]
    assert row.parameters["call_id"] == session["call_id"]


def test_the_mode_switches_listen_whisper_barge_on_the_same_call(sim: Sim, dora: User) -> None:
    call_id = answered_call(sim, "1001")
    api = Api(dora)
    listening = monitoring(api, "1001", "listen")
    whispering = monitoring(api, "1001", "whisper", monitor=listening["id"])
    barging = monitoring(api, "1001", "barge", monitor=whispering["id"])

    (live,) = monitor_calls(sim)
    assert live["call_id"] == barging["call_id"] != listening["call_id"]
    assert talking(sim, call_id) == ["1001"]
    _, listed = api.get("/api/monitors/?board=sales")
    assert [(m["id"], m["mode"], m["monitored_call"]) for m in listed["monitors"]] == [
        (barging["id"], "barge", call_id)
    ]
    switch = ActionAttempt.objects.get(pk=barging["id"])
    assert (switch.action, switch.parameters["monitor"]) == ("barge", whispering["id"])
    ended = wait_until(lambda: api.get(f"/api/actions/{listening['id']}/")[1]["phase"] == "ended")
    assert ended


def test_the_monitors_list_names_the_agent_and_the_supervisor(sim: Sim, dora: User) -> None:
    answered_call(sim, "1001")
    dora.first_name, dora.last_name = "Dora", "Lee"
    dora.save()
    api = Api(dora)
    session = monitoring(api, "1001", "whisper")
    _, listed = api.get("/api/monitors/?board=sales")
    (shown,) = listed["monitors"]
    assert (shown["agent"], shown["agent_name"]) == ("1001", "Anan Chaiyo")
    assert (shown["supervisor_name"], shown["mine"]) == ("Dora Lee", True)
    assert shown["id"] == session["id"]


def test_many_consoles_asking_who_monitors_cost_the_pbx_one_read_a_round(
    sim: Sim, dora: User
) -> None:
    """Every open console polls the monitors every 3 s: twenty of them at once must not cost
    the PBX twenty reads of the same call, and each still sees the session."""
    answered_call(sim, "1001")
    session = monitoring(Api(dora), "1001", "listen")
    consoles = [Api(dora) for _ in range(20)]
    reads = sim.control("state")["api_requests"].get("GET call/query", 0)
    started = time.monotonic()
    lists = [console.get("/api/monitors/?board=sales")[1] for console in consoles]
    elapsed_s = time.monotonic() - started
    asked = sim.control("state")["api_requests"].get("GET call/query", 0) - reads
    assert all([m["id"] for m in listed["monitors"]] == [session["id"]] for listed in lists)
    # One read per SHARED_FOLLOW_UP_MS at most, however slow this machine was.
    assert 1 <= asked <= 1 + int(elapsed_s * 1000 / SHARED_FOLLOW_UP_MS), (asked, elapsed_s)


def test_stopping_a_monitor_that_already_ended_says_so(sim: Sim, dora: User) -> None:
    call_id = answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")
    sim.control(f"calls/{call_id}/hangup", {})

    _, stopped = stop(api, session)

    assert (stopped["status"], stopped["message"]) == (
        "failed",
        "This monitoring call has already ended.",
    )


def test_a_refused_hang_up_is_explained_and_the_monitoring_goes_on(sim: Sim, dora: User) -> None:
    answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")
    sim.control("faults/errcode", {"endpoint": "call/hangup", "errcode": 10005})

    _, stopped = stop(api, session)

    assert stopped["status"] == "failed"
    assert "lacks permission" in stopped["message"]
    assert [call["call_id"] for call in monitor_calls(sim)] == [session["call_id"]]


def test_switching_after_the_call_ended_fails_and_rings_nobody(sim: Sim, dora: User) -> None:
    call_id = answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")
    sim.control(f"calls/{call_id}/hangup", {})

    _, switched = api.act(action="whisper", agent="1001", queues=["6400"], monitor=session["id"])

    assert (switched["status"], switched["message"]) == (
        "failed",
        "The call you were monitoring has ended.",
    )
    assert monitor_calls(sim) == []


def test_only_ones_own_monitoring_can_be_stopped_or_switched(
    sim: Sim, dora: User, board: Board
) -> None:
    answered_call(sim, "1001")
    session = monitoring(Api(dora), "1001", "listen")
    erin = User.objects.create_user("erin", password="erin-password-1")
    board.viewers.add(erin)
    Supervisor.objects.create(user=erin, extension="1008", queues="6400")

    stopped = stop(Api(erin), session)
    switched = Api(erin).act(action="barge", agent="1001", queues=["6400"], monitor=session["id"])

    assert stopped[0] == switched[0] == 404
    assert [call["call_id"] for call in monitor_calls(sim)] == [session["call_id"]]
    refused = ActionAttempt.objects.filter(username="erin").values_list("action", "result")
    assert sorted(refused) == [("barge", "refused"), ("stop", "refused")]


def test_a_stop_without_the_csrf_token_is_refused_and_logged(sim: Sim, dora: User) -> None:
    answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")

    status, answer = api.act(csrf=False, action="stop", agent="1001", monitor=session["id"])

    assert status == 403
    assert answer["error"].startswith("CSRF check failed")
    assert [call["call_id"] for call in monitor_calls(sim)] == [session["call_id"]]
    row = ActionAttempt.objects.get(action="stop")
    assert (row.result, row.parameters) == ("refused", {"monitor": str(session["id"])})


@pytest.mark.parametrize(
    "body",
    [
        {"action": "stop", "agent": "1001"},
        {"action": "stop", "agent": "1001", "monitor": "7"},
        {"action": "listen", "agent": "1001", "queues": ["6400"], "monitor": True},
    ],
)
def test_a_monitor_must_be_a_session_id(sim: Sim, dora: User, body: dict[str, Any]) -> None:
    status, answer = Api(dora).act(**body)
    assert (status, answer["error"]) == (400, "monitor must be the ID of a monitoring session.")


def test_a_stop_answers_in_the_supervisors_language(sim: Sim, dora: User) -> None:
    answered_call(sim, "1001")
    api = Api(dora)
    session = monitoring(api, "1001", "listen")
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "th"
    _, stopped = stop(api, session)
    assert stopped["message"] == "หยุดมอนิเตอร์แล้ว สายของเจ้าหน้าที่ยังคงดำเนินต่อ"
