"""The rules of actions: what a request may ask, how it resolves, what PBX answers mean."""

import csv
import io
from io import StringIO
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from dashboard.actions.directory import Directory
from dashboard.actions.messages import failure_message
from dashboard.actions.requests import ActionRequest, Refusal, parse, plan
from dashboard.live.directory import directory_data
from dashboard.models import ActionAttempt, Supervisor
from dashboard.pbx.agent_control import monitor_phase, talking_leg
from dashboard.pbx.replies import CallMemberRow, CallRow
from dashboard.streams import DirectoryData

# Like pbxsim's small scenario: 1001 static in Sales, 1003 dynamic in both, 1004 static in Support.
DIRECTORY = Directory(
    cast(DirectoryData, directory_data(
        [
            {"id": 1, "number": "6400", "name": "Sales",
             "static_agent_list": [{"text": "A", "text2": "1001", "value": "17"}],
             "dynamic_agent_list": [{"text": "C", "text2": "1003", "value": "19"}]},
            {"id": 2, "number": "6401", "name": "Support",
             "static_agent_list": [{"text": "D", "text2": "1004", "value": "20"}],
             "dynamic_agent_list": [{"text": "C", "text2": "1003", "value": "19"}]},
        ],
        [],
    ))
)  # fmt: skip


def request(**fields: object) -> ActionRequest:
    return parse({"action": "pause", "agent": "1003", "queues": "all", **fields})


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"action": "hangup"}, "action must be one of"),
        ({"agent": "10 03"}, "agent must be an extension number"),
        ({"agent": "1003\n"}, "agent must be an extension number"),
        ({"queues": ["6400\n"]}, 'queues must be "all"'),
        ({"reason_code": "*01\n"}, "reason_code must be"),
        ({"queues": []}, 'queues must be "all"'),
        ({"queues": "6400"}, 'queues must be "all"'),
        ({"reason_code": "Lunch break"}, "reason_code must be"),
        ({"unpause_after_s": 5}, r"0 \(stay paused\) or 10 to 86400"),
        ({"unpause_after_s": True}, r"0 \(stay paused\) or 10 to 86400"),
        ({"idempotency_key": "k" * 65}, "at most 64 characters"),
    ],
)
def test_it_rejects_malformed_requests(fields: dict[str, object], complaint: str) -> None:
    with pytest.raises(Refusal, match=complaint) as refused:
        request(**fields)
    assert refused.value.status == 400


def test_all_means_every_queue_of_the_agent() -> None:
    checked = plan(request(reason_code="*01", unpause_after_s=600), DIRECTORY)
    assert (checked.queues, checked.queue_ids, checked.ext_id) == (["6400", "6401"], [1, 2], 19)
    assert checked.request.parameters() == {
        "queues": "all",
        "reason_code": "*01",
        "unpause_after_s": 600,
    }


def test_logging_in_all_queues_skips_static_memberships() -> None:
    directory = Directory(
        {
            "queues": {
                "6400": {"id": 1, "name": "Sales", "agents": {"1003": {"kind": "static"}}},
                "6401": {"id": 2, "name": "Support", "agents": {"1003": {"kind": "dynamic"}}},
            },
            "extensions": {"1003": {"id": 19, "name": "C"}},
        }
    )
    assert plan(request(action="login"), directory).queues == ["6401"]
    with pytest.raises(Refusal, match="static member of queue 6400"):
        plan(request(action="login", queues=["6400"]), directory)


def test_a_static_agent_cannot_be_logged_in_or_out_anywhere() -> None:
    with pytest.raises(Refusal, match="static member of queue 6400: static members are"):
        plan(request(action="logout", agent="1001"), DIRECTORY)


def test_it_refuses_queues_the_agent_is_not_in_and_unknown_agents() -> None:
    with pytest.raises(Refusal, match="not a member of queue 6401"):
        plan(request(agent="1001", queues=["6401"]), DIRECTORY)
    with pytest.raises(Refusal, match="not an agent of any queue") as unknown:
        plan(request(agent="1099"), DIRECTORY)
    assert unknown.value.status == 404


def test_it_explains_the_pbx_errors_a_supervisor_meets() -> None:
    assert "Enterprise or Ultimate" in failure_message("pause", 40002, with_reason=True)
    assert "only dynamic agents" in failure_message("login", 40002)
    assert "call has ended" in failure_message("whisper", 70130)
    assert "Call Monitor" in failure_message("barge", 70084)
    assert "limit of 8 live access tokens" in failure_message("pause", 60002)
    assert failure_message("pause", 99999) == "The PBX refused the request (errcode 99999)."


def call(*legs: tuple[str, str]) -> CallRow:
    caller: CallMemberRow = {"inbound": {"from": "0800", "to": "6400", "trunk_name": "t",
        "channel_id": "PJSIP/t-1", "member_status": "ANSWERED", "call_path": "6400"}}  # fmt: skip
    members: list[CallMemberRow] = [
        {"extension": {"number": n, "channel_id": f"PJSIP/{n}-1", "member_status": s,
                       "call_path": "6400"}}
        for n, s in legs
    ]  # fmt: skip
    return {"call_id": "1.1", "members": [caller, *members]}


def test_it_finds_the_channel_of_the_agents_talking_leg() -> None:
    leg = talking_leg([call(("1002", "RING")), call(("1001", "ANSWER"))], "1001")
    assert leg is not None
    assert (leg.channel_id, leg.call_path) == ("PJSIP/1001-1", "6400")
    assert talking_leg([call(("1001", "RING"))], "1001") is None


def test_it_follows_the_monitoring_call() -> None:
    assert monitor_phase(call(("1100", "RING")), "1100") == "ringing"
    assert monitor_phase(call(("1100", "ANSWER")), "1100") == "monitoring"
    assert monitor_phase(call(("1100", "BYE")), "1100") == "ended"
    assert monitor_phase(None, "1100") == "ended"


@pytest.mark.django_db
def test_the_demo_supervisor_acts_on_the_demo_queues_from_extension_1100() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    supervisor = Supervisor.objects.get(user__username="supervisor")
    assert (supervisor.extension, supervisor.queue_numbers) == ("1100", ["6400", "6401"])
    assert "Acts on:  queues 6400,6401, from extension 1100" in out.getvalue()


@pytest.mark.django_db
def test_the_audit_log_is_read_only_and_exports_csv(client: Client, charlie: User) -> None:
    charlie.is_superuser = True
    charlie.save()
    client.force_login(charlie)
    attempt = ActionAttempt.objects.create(
        username="dora", action="pause", target="1003", queues="6400",
        parameters={"reason_code": "*01"}, result="failed", errcode=-1, message="=cmd()",
    )  # fmt: skip
    assert client.get("/admin/dashboard/actionattempt/add/").status_code == 403
    page = client.get("/admin/dashboard/actionattempt/?result__exact=failed")
    assert b"1003" in page.content
    response = client.post(
        "/admin/dashboard/actionattempt/",
        {"action": "export_csv", "_selected_action": [attempt.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["at", "username", "action"]
    assert rows[1][1:9] == [
        "dora", "pause", "1003", "6400", '{"reason_code": "*01"}', "failed", "-1", "'=cmd()",
    ]  # fmt: skip
