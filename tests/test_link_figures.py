"""What the worker could not use of the PBX's frames is counted by event type in its link
figures, which /healthz shows; each kind is logged once, without our token."""

import logging
from typing import cast

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from dashboard.live.events import SubscribeReply, parse_frame
from dashboard.live.state import LiveState
from dashboard.pbx.api import PbxApi
from dashboard.worker.daybook import DayBook
from dashboard.worker.leader import Leadership
from dashboard.worker.loop import Worker
from dashboard.worker.timing import Timing
from tests.sockets import StartPublisher

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]

FRAMES = [
    '{"type":"30011","sn":"3631A2124XXX","msg":{"members":[]}}',  # no call id
    '{"type":30011,"msg":"{\\"call_id\\":"}',  # msg cut short
    '{"type":30099,"msg":{"access_token":"SECRET1"}}',  # a type we do not follow
    "wss://pbx/subscribe?access_token=SECRET2 not a frame",
    '{"type":30011,"msg":{"call_id":"1.2","members":[{"inbound":{"member_status":"BYE"}}]}}',
]


class NoTokens:
    async def current(self) -> None:
        """No token yet: the link figures say so."""


class Api:
    """The PBX API as far as the link figures read it."""

    tokens = NoTokens()


class Figures:
    """Today's figures, which these frames leave alone."""

    zone = "UTC"

    def take(self, state: LiveState, now_ms: int) -> set[str]:
        """Nothing to count: no queue's figures change."""
        return set()


async def test_healthz_counts_what_the_worker_could_not_use_by_event_type(
    publisher: StartPublisher, caplog: pytest.LogCaptureFixture
) -> None:
    pub = await publisher()
    api, figures = cast(PbxApi, Api()), cast(DayBook, Figures())
    worker = Worker(api, cast(Leadership, None), pub, figures, Timing(30.0, 15.0, 300.0))
    with caplog.at_level(logging.WARNING):
        for written in FRAMES * 2:
            frame = parse_frame(written)
            assert not isinstance(frame, SubscribeReply)
            await worker._handle(frame)
    await worker._publish_link()
    await pub.close()
    response = await sync_to_async(Client().get)("/healthz")
    assert response.json()["pbx_link"]["unusable"] == {
        "30011": 4, "unknown type 30099": 2, "unparseable frame": 2,
    }  # fmt: skip
    logged = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 4  # once per kind and problem
    assert "SECRET" not in caplog.text
