"""Supervisor actions through the JSON API, against the real simulator over real sockets."""

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.actions import outcomes
from dashboard.models import ActionAttempt, Board
from devstack.procs import free_port
from tests.integration.stack import wait_until
from tests.simcontrol import SimControl, quiet_sim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]

CLIENT_ID = "wallboard"


class Sim(SimControl):
    """A running `python -m pbxsim` and its control API (ground truth, faults, callers)."""

    def membership(self, agent: str, queue: str) -> dict[str, Any]:
        """What the simulator holds true of one agent in one queue."""
        found = next(a for a in self.control("state")["agents"] if a["number"] == agent)
        return dict(next(q for q in found["queues"] if q["number"] == queue))


@pytest.fixture
def sim(settings: Settings) -> Iterator[Sim]:
    with quiet_sim(CLIENT_ID) as (url, secret):
        settings.PBX_URL, settings.PBX_CLIENT_ID, settings.PBX_CLIENT_SECRET = (
            url,
            CLIENT_ID,
            secret,
        )
        yield Sim(url)


class Api:
    """One user's browser session: a CSRF cookie and the X-CSRFToken header, as the page sends."""

    def __init__(self, user: User | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        if user is not None:
            self.client.force_login(user)
        self.csrf = secrets.token_hex(16)
        self.client.cookies["csrftoken"] = self.csrf

    def act(self, csrf: bool = True, **body: Any) -> tuple[int, dict[str, Any]]:
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        body.setdefault("idempotency_key", str(uuid.uuid4()))
        response = self.client.post(
            "/api/actions/", body, content_type="application/json", headers=headers
        )
        return response.status_code, response.json()

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        response = self.client.get(path)
        return response.status_code, response.json()

    def settled(self, attempt_id: int) -> dict[str, Any]:
        """Poll the attempt until the PBX confirmed or refused it."""

        def done() -> dict[str, Any] | None:
            """the attempt is no longer pending"""
            _, shown = self.get(f"/api/actions/{attempt_id}/")
            return shown if shown["status"] != "pending" else None

        return dict(wait_until(done, timeout=10))


def test_a_supervisor_pauses_an_agent_with_a_reason_then_unpauses(sim: Sim, dora: User) -> None:
    api = Api(dora)
    status, started = api.act(
        action="pause", agent="1003", queues=["6400"], reason_code="*01", unpause_after_s=600
    )
    assert status == 202
    assert started["status"] == "pending"
    assert api.settled(started["id"])["status"] == "ok"
    assert sim.membership("1003", "6400") | {"paused": True, "pause_reason": "Lunch"} == (
        sim.membership("1003", "6400")
    )
    assert sim.membership("1003", "6401")["paused"] is False  # not one of dora's queues

    status, started = api.act(action="unpause", agent="1003", queues=["6400"])
    assert api.settled(started["id"])["message"] == "Agent 1003 is unpaused in 6400."
    assert sim.membership("1003", "6400")["paused"] is False
    attempt = ActionAttempt.objects.get(pk=started["id"])
    assert (attempt.username, attempt.action, attempt.target, attempt.result) == (
        "dora",
        "unpause",
        "1003",
        "ok",
    )
    assert attempt.pbx_latency_ms is not None


def test_staff_log_a_dynamic_agent_out_of_all_queues_and_back_in(sim: Sim, charlie: User) -> None:
    api = Api(charlie)
    _, started = api.act(action="logout", agent="1003", queues="all")
    assert api.settled(started["id"])["message"] == "Agent 1003 is logged out of 6400, 6401."
    assert not sim.membership("1003", "6400")["logged_in"]
    assert not sim.membership("1003", "6401")["logged_in"]
    _, started = api.act(action="login", agent="1003", queues=["6401"])
    assert api.settled(started["id"])["status"] == "ok"
    assert sim.membership("1003", "6401")["logged_in"]
    assert not sim.membership("1003", "6400")["logged_in"]


def test_a_static_member_cannot_be_logged_out(sim: Sim, charlie: User) -> None:
    status, answer = Api(charlie).act(action="logout", agent="1001", queues=["6400"])
    assert status == 400
    assert "static member of queue 6400" in answer["error"]
    assert sim.membership("1001", "6400")["logged_in"]
    assert ActionAttempt.objects.get().result == "refused"


def test_a_supervisor_cannot_act_outside_their_queues(sim: Sim, dora: User) -> None:
    api = Api(dora)
    status, answer = api.act(action="pause", agent="1004", queues=["6401"])
    assert (status, answer["error"]) == (403, "You may not act on queue 6401.")
    status, answer = api.act(action="logout", agent="1003", queues="all")
    assert (status, answer["error"]) == (403, "You may not act on queue 6401.")
    assert sim.membership("1003", "6400")["logged_in"]
    assert sim.membership("1004", "6401")["paused"] is False
    assert list(ActionAttempt.objects.values_list("result", flat=True)) == ["refused", "refused"]


def test_viewers_anonymous_users_and_tvs_are_refused(
    sim: Sim, alice: User, bob: User, board: Board
) -> None:
    for viewer in (alice, bob):
        status, answer = Api(viewer).act(action="pause", agent="1003", queues=["6400"])
        assert (status, answer["error"]) == (403, "Only supervisors and admins may act on agents.")
    status, answer = Api(None).act(action="pause", agent="1003", queues=["6400"])
    assert (status, answer) == (401, {"error": "Sign in first."})
    tv = Api(None)
    tv.client.cookies["wb_display"] = "a-display-credential"
    assert tv.act(action="pause", agent="1003")[0] == 403
    assert Api(None).get("/api/pause-reasons/")[0] == 401
    assert sim.membership("1003", "6400")["paused"] is False
    assert ActionAttempt.objects.filter(result="refused").count() == 2  # the signed-in two


def test_an_action_without_the_csrf_token_is_refused_and_logged(sim: Sim, dora: User) -> None:
    status, answer = Api(dora).act(csrf=False, action="pause", agent="1003", queues=["6400"])
    assert status == 403
    assert answer["error"].startswith("CSRF check failed")
    assert sim.membership("1003", "6400")["paused"] is False
    assert ActionAttempt.objects.get().result == "refused"


def test_a_repeated_idempotency_key_acts_once(sim: Sim, dora: User) -> None:
    api = Api(dora)
    key = str(uuid.uuid4())
    first = api.act(action="pause", agent="1003", queues=["6400"], idempotency_key=key)
    again = api.act(action="pause", agent="1003", queues=["6400"], idempotency_key=key)
    assert first[0] == 202
    assert again[0] in (200, 409)
    assert again[1]["id"] == first[1]["id"]
    assert ActionAttempt.objects.count() == 1


def test_it_limits_how_many_actions_a_user_starts_a_minute(
    sim: Sim, dora: User, settings: Settings
) -> None:
    settings.ACTIONS_PER_MINUTE = 2
    api = Api(dora)
    assert [api.act(action="unpause", agent="1003", queues=["6400"])[0] for _ in range(3)] == [
        202,
        202,
        429,
    ]
    assert ActionAttempt.objects.filter(result="refused").count() == 1


def test_the_pause_reasons_come_from_the_pbx(sim: Sim, dora: User) -> None:
    status, answer = Api(dora).get("/api/pause-reasons/")
    assert status == 200
    assert {"code": "*01", "reason": "Lunch"} in answer["reasons"]


def test_a_plan_without_pause_reasons_is_explained(sim: Sim, dora: User) -> None:
    sim.control("faults/errcode", {"endpoint": "agent/pause", "errcode": 10009})
    status, answer = Api(dora).act(action="pause", agent="1003", queues=["6400"], reason_code="*02")
    assert (status, answer["status"], answer["errcode"]) == (202, "failed", 10009)
    assert "Enterprise or Ultimate plan" in answer["message"]
    assert ActionAttempt.objects.get().result == "failed"


def test_a_missing_api_permission_is_explained(sim: Sim, charlie: User) -> None:
    sim.control("faults/errcode", {"endpoint": "agent/login", "errcode": 10005})
    _, answer = Api(charlie).act(action="login", agent="1003", queues=["6400"])
    assert answer["status"] == "failed"
    assert "lacks permission" in answer["message"]


def test_an_unreachable_pbx_is_explained(db: None, dora: User, settings: Settings) -> None:
    settings.PBX_URL = f"http://127.0.0.1:{free_port()}"
    _, answer = Api(dora).act(action="pause", agent="1003", queues=["6400"])
    assert answer["status"] == "failed"
    assert "connection refused" in answer["message"]


def test_an_action_the_pbx_never_shows_fails_after_the_deadline(
    sim: Sim, dora: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outcomes, "CONFIRM_WITHIN_S", 0)
    sim.control("faults/errcode", {"endpoint": "queue/agent_status", "errcode": 10005})
    api = Api(dora)
    _, started = api.act(action="pause", agent="1003", queues=["6400"])
    settled = api.settled(started["id"])
    assert settled["status"] == "failed"
    assert settled["message"] == "Not confirmed by the PBX within 0 s."


def answered_call(sim: Sim, agent: str) -> str:
    call = sim.control("calls", {"queue": "6400", "caller": "5550001"})
    sim.control(f"calls/{call['call_id']}/answer", {"agent": agent})
    return str(call["call_id"])


def test_a_whisper_rings_the_supervisor_then_monitors_until_the_call_ends(
    sim: Sim, dora: User
) -> None:
    call_id = answered_call(sim, "1001")
    api = Api(dora)
    status, started = api.act(action="whisper", agent="1001", queues=["6400"])
    assert status == 202
    assert (started["phase"], started["extension"]) == ("ringing", "1100")
    assert started["message"] == "Ringing your extension 1100…"
    settled = api.settled(started["id"])
    assert (settled["status"], settled["phase"]) == ("ok", "monitoring")
    _, listed = api.get("/api/monitors/?board=sales")
    assert listed["monitors"] == [
        {
            "id": started["id"],
            "supervisor": "dora",
            "supervisor_name": "dora",  # no full name, and 1100 is in no queue/list here
            "mine": True,
            "extension": "1100",
            "agent": "1001",
            "agent_name": "Anan Chaiyo",
            "queues": ["6400"],
            "mode": "whisper",
            "phase": "monitoring",
            "call_id": settled["call_id"],
            "monitored_call": call_id,
        }
    ]
    sim.control(f"calls/{call_id}/hangup", {})
    assert wait_until(lambda: api.get(f"/api/actions/{started['id']}/")[1]["phase"] == "ended")
    assert api.get("/api/monitors/?board=sales")[1] == {"monitors": []}


def test_monitoring_needs_the_supervisors_extension_and_a_live_call(
    sim: Sim, charlie: User, dora: User
) -> None:
    answered_call(sim, "1001")
    status, answer = Api(charlie).act(action="listen", agent="1001", queues=["6400"])
    assert status == 400
    assert "no extension to listen from" in answer["error"]
    _, answer = Api(dora).act(action="barge", agent="1002", queues=["6400"])
    assert (answer["status"], answer["message"]) == (
        "failed",
        "Agent Bee Lim (1002) is not on a call now.",
    )
    sim.control("faults/errcode", {"endpoint": "call/listen", "errcode": 70130})
    _, answer = Api(dora).act(action="listen", agent="1001", queues=["6400"])
    assert "call has ended" in answer["message"]
