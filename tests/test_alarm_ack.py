"""Acknowledging a board's alarms (issue #16): who may, CSRF, the audit log, what the board's
screens receive (their snapshot's board settings), and how every web process hears of it."""

import asyncio
import json
from dataclasses import dataclass, field

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer
from django.contrib.auth.models import User
from django.test import Client

from dashboard.access import Access
from dashboard.boards.access_markers import settings_marker
from dashboard.boards.consumers import watched_markers
from dashboard.boards.fanout import Hub, Markers
from dashboard.models import ActionAttempt, Board, Display

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/boards/sales/alarms/acknowledge/"
ALARMS = {"6400": {"waiting": "critical", "longest": "warn"}}


def post(client: Client, body: object, csrf: bool = True) -> tuple[int, dict[str, object]]:
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    response = client.post(URL, json.dumps(body), content_type="application/json", headers=headers)
    return response.status_code, response.json()


def signed_in(user: User) -> Client:
    """A browser that opened a page with a form first, which sets its CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/accounts/login/")
    return client


def test_a_supervisor_acknowledges_and_every_screen_gets_it_in_its_board_settings(
    dora: User,
) -> None:
    client = signed_in(dora)
    status, answer = post(client, {"alarms": ALARMS})
    assert status == 200
    acknowledged = answer["acknowledged"]
    assert isinstance(acknowledged, dict)
    assert acknowledged["6400"]["alarms"] == ALARMS["6400"]
    snapshot = client.get("/api/boards/sales/snapshot/").json()
    assert snapshot["board"]["alarms"]["acknowledged"] == acknowledged
    (attempt,) = ActionAttempt.objects.filter(action="acknowledge")
    assert (attempt.username, attempt.target, attempt.queues) == ("dora", "sales", "6400")
    assert (attempt.result, attempt.parameters) == ("ok", {"alarms": ALARMS})


def test_a_later_acknowledgement_keeps_the_other_queues_earlier_one(
    dora: User, charlie: User
) -> None:
    post(signed_in(dora), {"alarms": ALARMS})
    status, answer = post(signed_in(charlie), {"alarms": {"6401": {"service_level": "warn"}}})
    assert status == 200
    acknowledged = answer["acknowledged"]
    assert isinstance(acknowledged, dict)
    assert set(acknowledged) == {"6400", "6401"}


def test_only_a_supervisor_of_the_queues_may_acknowledge(
    board: Board, dora: User, alice: User, bob: User
) -> None:
    tv = Client(enforce_csrf_checks=True)
    tv.cookies["wb_display"] = Display.objects.create(name="Lobby TV", board=board).claim()
    assert tv.post(URL, "{}", content_type="application/json").status_code == 403
    assert Client().post(URL, "{}", content_type="application/json").status_code == 401
    assert post(signed_in(alice), {"alarms": ALARMS})[0] == 403  # a viewer, no supervisor
    assert post(signed_in(bob), {"alarms": ALARMS})[0] == 404  # not shared with him
    outside = {"6401": {"waiting": "critical"}}
    assert post(signed_in(dora), {"alarms": outside})[0] == 403  # not one of her queues
    assert Board.objects.get().acknowledged_alarms == {}
    refused = ActionAttempt.objects.filter(action="acknowledge", result="refused")
    assert refused.count() == 3  # each signed-in refusal is in the audit log


def test_an_acknowledgement_needs_the_csrf_token(dora: User) -> None:
    status, answer = post(signed_in(dora), {"alarms": ALARMS}, csrf=False)
    assert status == 403
    assert "CSRF" in str(answer["error"])
    assert Board.objects.get().acknowledged_alarms == {}
    assert ActionAttempt.objects.get(action="acknowledge").result == "refused"


@pytest.mark.parametrize(
    "body",
    [
        {"alarms": {}},
        {"alarms": {"6400": {"waiting": "red"}}},
        {"alarms": {"6400": {"mood": "critical"}}},
        {"alarms": {"6499": {"waiting": "critical"}}},
        {"alarms": ["6400"]},
        ["alarms"],
    ],
)
def test_what_is_not_an_alarm_of_the_board_is_refused(dora: User, body: object) -> None:
    assert post(signed_in(dora), body)[0] == 400
    assert Board.objects.get().acknowledged_alarms == {}


@dataclass(eq=False)
class Screen:
    followed: frozenset[str]
    markers: Markers = field(default_factory=dict)
    told: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self, *args: object) -> None:
        raise AssertionError("no delta is sent here")

    async def access_changed(self, markers: Markers) -> None:
        self.told.set()


def tv_screen(stream: str) -> Screen:
    """A TV's screen of one stream, watching the markers its socket watches."""
    markers = watched_markers({}, Access(None, display=Display(pk=1)), [stream])
    return Screen(frozenset({stream}), markers)


@pytest.mark.django_db(transaction=True)  # the request's thread writes while the loop reads
async def test_every_web_process_tells_the_screens_of_the_acknowledged_queues(
    dora: User,
) -> None:
    """Each process's hub polls the settings markers with its access markers: the screens
    following a queue whose board's alarms were acknowledged re-check (and so reconnect with the
    new settings); a screen of other queues does not."""
    hub = Hub(InMemoryChannelLayer())
    sales, support = tv_screen("queue:6400"), tv_screen("queue:6401")
    await hub.join(sales)
    await hub.join(support)
    assert settings_marker("queue:6400") != settings_marker("queue:6401")
    client = await sync_to_async(signed_in)(dora)
    status, _ = await sync_to_async(post)(client, {"alarms": ALARMS})
    assert status == 200
    await asyncio.wait_for(sales.told.wait(), 5)
    assert not support.told.is_set()
