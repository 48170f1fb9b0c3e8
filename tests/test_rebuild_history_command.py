"""`rebuild_history`'s refusals: each says what is wrong, and nothing is written."""

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from dashboard.models import QueueInterval
from devstack.procs import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [
        ("2026-13-01", "2026-12-03", "'2026-13-01' is not a day: give YYYY-MM-DD"),
        ("2026-12-03", "2026-12-01", "--to 2026-12-01 is before --from 2026-12-03"),
        ("2026-01-01", "2026-04-01", "At most 90 days at a time"),
    ],
)
def test_a_bad_range_is_refused(first: str, last: str, says: str) -> None:
    with pytest.raises(CommandError, match=says):
        call_command("rebuild_history", "--from", first, "--to", last)


def test_an_unreachable_pbx_is_named(settings: Settings) -> None:
    settings.PBX_URL = f"http://127.0.0.1:{free_port()}"
    settings.PBX_CLIENT_ID, settings.PBX_CLIENT_SECRET = "wallboard", "secret"
    with pytest.raises(CommandError, match=f"Could not reach the PBX at {settings.PBX_URL}"):
        call_command("rebuild_history", "--from", "2026-12-01", "--to", "2026-12-01")
    assert not QueueInterval.objects.exists()
