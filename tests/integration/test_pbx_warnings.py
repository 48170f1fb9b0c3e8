"""The PBX's warnings end to end: a 30035 from pbxsim, through a worker, on the admin's PBX health
page, at the PBX's time; a new worker carries on with its predecessor's list."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.streams import LINK_STREAM, stream_key
from tests.integration.stack import Rig, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

ZONE = "Asia/Bangkok"  # the simulator's, and so the installation's
TRUNK_DOWN = {
    "event_name": "sip_trunk_disconnect",
    "event_type": "telephony",
    "event_content": "The PBX failed to register to the trunk <89-Inbound>.\nPBX Name: PBX-CRM",
}


def health_page(client: Client) -> str:
    return client.get("/admin/pbx-health/").content.decode()


def shown_times(rig: Rig, since_ms: int) -> list[str]:
    """How the page may write a time the simulator stamped between `since_ms` and now."""
    start = datetime.fromtimestamp(since_ms // 1000, ZoneInfo(ZONE))
    now_ms = rig.sim("GET", "state")["time"]
    seconds = range(int((now_ms - since_ms) / 1000) + 2)
    return [(start + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S") for s in seconds]


def link_epoch(rig: Rig) -> tuple[str, str]:
    """The epoch of the worker that last published the link, and the link's state."""
    with redis.Redis.from_url(rig.redis_url, decode_responses=True) as client:
        stored = json.loads(str(client.get(stream_key(LINK_STREAM))))
    return stored["epoch"], stored["data"]["state"]


def connected_anew(rig: Rig, epoch: str) -> Callable[[], bool]:
    def check() -> bool:
        """a worker of a new epoch is subscribed (its predecessor's link said connected too)"""
        now, state = link_epoch(rig)
        return now != epoch and state == "connected"

    return check


def test_a_pbx_warning_shows_on_the_admin_health_page(
    idle_rig: Rig, client: Client, charlie: User, settings: Settings
) -> None:
    rig = idle_rig
    rig.env["TIME_ZONE"] = settings.TIME_ZONE = ZONE
    rig.start_worker()
    client.force_login(charlie)
    assert "No warnings from the PBX." in health_page(client)

    sent_at = rig.sim("GET", "state")["time"]
    rig.sim("POST", "system_event", TRUNK_DOWN)

    def listed() -> str:
        """the warning is on the PBX health page"""
        page = health_page(client)
        return page if "sip trunk disconnect" in page else ""

    page = wait_until(listed)
    assert "<td>Telephony</td>" in page
    assert "<td>Warning</td>" in page
    assert "register to the trunk &lt;89-Inbound&gt;.<br>PBX Name: PBX-CRM" in page
    assert any(f"<td>{time}</td>" in page for time in shown_times(rig, sent_at))


def test_a_new_worker_keeps_the_warnings_and_lists_the_next_first(
    idle_rig: Rig, client: Client, charlie: User
) -> None:
    rig = idle_rig
    rig.start_worker()
    client.force_login(charlie)
    rig.sim("POST", "system_event", TRUNK_DOWN)
    wait_until(lambda: "sip trunk disconnect" in health_page(client))

    epoch, _ = link_epoch(rig)
    rig.workers[0].stop()
    rig.start_worker(wait_for=None)
    wait_until(connected_anew(rig, epoch))
    rig.sim("POST", "system_event", {**TRUNK_DOWN, "event_name": "disk_full"})

    def both_listed() -> bool:
        """the new worker's warning is listed above its predecessor's"""
        page = health_page(client)
        return -1 < page.find("disk full") < page.find("trunk disconnect")

    wait_until(both_listed)
