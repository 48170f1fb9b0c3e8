"""A supervisor's session ends after SESSION_IDLE_MINUTES without a page load or an action; an
open board socket is not activity, and closes with 4401 at its next re-check."""

import asyncio
import os
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.boards import consumers
from tests.integration.stack import ROOT
from tests.sockets import TIMEOUT_S, open_board, receive

# The idle time the test stands in for SESSION_IDLE_MINUTES, and the socket's re-check period.
IDLE_S = 3
RECHECK_S = 0.5
SHOW_SESSION_SETTINGS = """
from django.conf import settings
print(settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST)
"""


def test_the_idle_time_is_the_sessions_age_renewed_by_every_request() -> None:
    env = {**os.environ, "SESSION_IDLE_MINUTES": "7"}
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_SESSION_SETTINGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert shown[-2:] == ["420", "True"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "You are logged out after {minutes} minutes without a page load or an action."),
        ("th", "เมื่อไม่มีการเปิดหน้าหรือสั่งงานใดๆ เป็นเวลา {minutes} นาที"),
    ],
)
def test_the_log_in_page_says_how_long_the_idle_time_is(language: str, note: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/").content.decode()
    assert note.format(minutes=django_settings.SESSION_IDLE_MINUTES) in page


async def ping(socket: WebsocketCommunicator) -> str:
    """Ping the board; what answers: "pong", or "closed <code>"."""
    await socket.send_json_to({"type": "ping"})
    while True:
        output = await socket.receive_output(TIMEOUT_S)
        if output["type"] == "websocket.close":
            return f"closed {output.get('code')}"
        if '"pong"' in output.get("text", ""):
            return "pong"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_redis")
async def test_activity_keeps_the_board_open_and_idleness_closes_it(
    alice: User, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(consumers, "RECHECK_S", RECHECK_S)
    settings.SESSION_COOKIE_AGE = IDLE_S
    browser = Client()
    await sync_to_async(browser.force_login)(alice)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    socket = await open_board("sales", (b"cookie", cookie))
    assert (await receive(socket))["type"] == "snapshot"
    loop = asyncio.get_running_loop()
    active_until = loop.time() + 2 * IDLE_S
    while loop.time() < active_until:  # a page load each second, for twice the idle time
        assert (await sync_to_async(browser.get)("/boards/sales/")).status_code == 200
        assert await ping(socket) == "pong"
        await asyncio.sleep(1)  # the supervisor's pace, not a wait for the server
    closed = await socket.receive_output(IDLE_S + 4 * RECHECK_S)
    assert closed == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()
