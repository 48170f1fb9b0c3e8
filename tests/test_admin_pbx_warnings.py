"""The admin's PBX health page lists the PBX's warnings as the worker stored them: newest first,
at the installation's time, in words, escaped, in the user's language."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.streams import PBX_WARNINGS_STREAM, compact, stream_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

PAGE = "/admin/pbx-health/"
CREATED = datetime(2026, 1, 16, 15, 0, 49, tzinfo=ZoneInfo("Asia/Bangkok"))


def warning(name: str, at: datetime, **fields: str) -> dict[str, Any]:
    return {"at": int(at.timestamp() * 1000), "event_name": name, "event_type": "telephony",
            "event_level": "warn", "event_content": "", **fields}  # fmt: skip


def store(redis_url: str, *warnings: dict[str, Any]) -> None:
    """The value a worker of an earlier epoch left: the page shows it all the same."""
    value = compact({"epoch": "earlier", "seq": 1, "data": {"warnings": list(warnings)}})
    with redis.Redis.from_url(redis_url) as client:
        client.set(stream_key(PBX_WARNINGS_STREAM), value)


@pytest.fixture
def staff(client: Client, charlie: User, settings: Settings) -> Client:
    settings.TIME_ZONE = "Asia/Bangkok"
    client.force_login(charlie)
    return client


def test_with_none_stored_the_page_says_so(staff: Client) -> None:
    page = staff.get(PAGE).content.decode()
    assert "No warnings from the PBX." in page
    assert "Times are in Asia/Bangkok." in page


def test_warnings_show_newest_first_in_words_and_escaped(staff: Client, redis_url: str) -> None:
    content = "Trunk <b>89-Inbound</b> is unreachable.\nPBX Name: PBX-CRM"
    store(
        redis_url,
        warning("sip_trunk_disconnect", CREATED, event_content=content),
        warning("disk_full", CREATED.replace(hour=9), event_type="system", event_level="odd"),
    )
    page = staff.get(PAGE).content.decode()
    assert "No warnings from the PBX." not in page
    assert page.index("sip trunk disconnect") < page.index("disk full")
    assert "2026-01-16 15:00:49" in page
    assert "2026-01-16 09:00:49" in page
    assert "<td>Telephony</td>" in page
    assert "<td>Warning</td>" in page
    assert "<td>odd</td>" in page  # a level not documented, shown as the PBX wrote it
    assert "Trunk &lt;b&gt;89-Inbound&lt;/b&gt; is unreachable.<br>PBX Name: PBX-CRM" in page


def test_the_section_is_translated(staff: Client, redis_url: str) -> None:
    store(redis_url, warning("sip_trunk_disconnect", CREATED))
    page = staff.get(PAGE, headers={"accept-language": "th"}).content.decode()
    assert "คำเตือนล่าสุดจาก PBX" in page
    assert "<td>ระบบโทรศัพท์</td>" in page
    assert "<td>คำเตือน</td>" in page


def test_redis_down_is_said_not_fatal(staff: Client, settings: Settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/15"  # nothing listens on port 1
    page = staff.get(PAGE).content.decode()
    assert "The warnings could not be read from Redis (ConnectionError)." in page
