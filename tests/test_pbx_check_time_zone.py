"""`pbx_check`'s time-zone check: TIME_ZONE against the PBX's clock, the real simulator's."""

import contextlib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from pytest_django.fixtures import Settings

from dashboard.pbx.checks_clock import pbx_offset
from tests.simcontrol import quiet_sim
from tests.test_pbx_check import CLIENT_ID, configure, pbx_check

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_redis")]

StartSim = Callable[[str], tuple[str, str]]


@pytest.fixture
def start_sim() -> Iterator[StartSim]:
    """Start a pbxsim whose PBX keeps the given time zone: its URL and client secret."""
    with contextlib.ExitStack() as running:

        def start(zone: str) -> tuple[str, str]:
            return running.enter_context(quiet_sim(CLIENT_ID, "--time-zone", zone))

        yield start


def test_the_guides_example_is_a_pbx_at_utc_plus_8() -> None:
    """Yeastar's "Query PBX Information" example: 16:44:40 local is 08:44:40 UTC."""
    info = {"system_time": "2025/08/22 16:44:40", "timestamp": 1755852280,
            "system_date_format": "YYYY/MM/DD", "system_time_format": "hh:mm:ss"}  # fmt: skip
    found = pbx_offset(info)
    assert found is not None
    assert found[0] == timedelta(hours=8)


def test_a_pbx_west_of_greenwich_on_a_twelve_hour_clock() -> None:
    found = pbx_offset({"system_time": "08/22/2025 04:44:40 AM", "timestamp": 1755852280})
    assert found is not None
    assert found[0] == timedelta(hours=-4)


def test_an_answer_without_the_clock_tells_nothing() -> None:
    assert pbx_offset({"model_name": "Yeastar P560"}) is None


def test_time_zone_matching_the_pbx_passes(start_sim: StartSim, settings: Settings) -> None:
    configure(settings, *start_sim("Asia/Bangkok"))
    settings.TIME_ZONE = "Asia/Bangkok"
    _, results, _ = pbx_check("--event-wait", "0")
    assert results["time_zone"]["status"] == "ok", results["time_zone"]
    assert "UTC+07:00, as TIME_ZONE Asia/Bangkok is" in results["time_zone"]["finding"]
    assert "Yeastar P560, firmware 37.7.0.16" in results["firmware"]["finding"]


def test_time_zone_unlike_the_pbx_is_named_with_the_fix(
    start_sim: StartSim, settings: Settings
) -> None:
    configure(settings, *start_sim("Asia/Bangkok"))
    settings.TIME_ZONE = "UTC"  # the default: the demo's times read "since 13:24" at 20:24
    _, results, _ = pbx_check("--event-wait", "0")
    zone = results["time_zone"]
    assert zone["status"] == "warn", zone
    assert "The PBX's clock is at UTC+07:00, TIME_ZONE UTC at UTC+00:00" in zone["finding"]
    assert "Set TIME_ZONE to the PBX's time zone" in zone["fix"]
