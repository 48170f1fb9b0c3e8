"""The time-zone check: whether TIME_ZONE keeps the PBX's clock (its UTC offset, which the API
tells; no zone name, so TIME_ZONE stays a setting)."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.live.cdr import SANE_EPOCH_S, local_ms
from dashboard.live.fields import seconds
from dashboard.pbx.checks_base import Context, Outcome, ok, record, warn

# system_time and timestamp are one reading of the clock; zones are whole quarter hours.
QUARTER_HOUR_MS = 15 * 60_000
ZONE_FIX = (
    "Set TIME_ZONE to the PBX's time zone (System > Date and Time on the PBX), e.g. "
    "TIME_ZONE=Asia/Bangkok, and restart the web server and the workers: the boards' clock "
    "times and the start of the business day (BUSINESS_DAY_START) follow TIME_ZONE."
)
NO_LOCAL_TIME = warn(
    "The PBX does not tell its local time (system/information: system_time, timestamp).",
    f"Make sure TIME_ZONE is the PBX's time zone. {ZONE_FIX}",
)


def pbx_offset(info: dict[str, Any]) -> tuple[timedelta, datetime] | None:
    """The PBX's UTC offset and the instant it holds for, from system/information's wall clock
    (`system_time`, in the PBX's display format) and `timestamp` (epoch seconds); None when the
    answer lacks either."""
    stamp = seconds(info.get("timestamp"))
    wall_ms = local_ms(info.get("system_time"), "UTC")  # the wall clock's reading, as if UTC
    if stamp is None or stamp not in SANE_EPOCH_S or wall_ms is None:
        return None
    quarters = round((wall_ms - stamp * 1000) / QUARTER_HOUR_MS)
    return timedelta(milliseconds=quarters * QUARTER_HOUR_MS), datetime.fromtimestamp(stamp, UTC)


def utc_label(offset: timedelta) -> str:
    """An offset as UTC+07:00 or UTC-03:30."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


async def check_time_zone(ctx: Context) -> Outcome:
    found = pbx_offset(record(await ctx.api.get("system/information")))
    if found is None:
        return NO_LOCAL_TIME
    pbx, instant = found
    zone = ctx.time_zone
    ours = ZoneInfo(zone).utcoffset(instant) or timedelta(0)  # a ZoneInfo's is never None
    if ours == pbx:
        return ok(f"The PBX's clock is at {utc_label(pbx)}, as TIME_ZONE {zone} is.")
    return warn(
        f"The PBX's clock is at {utc_label(pbx)}, TIME_ZONE {zone} at {utc_label(ours)}: the "
        "boards show times in TIME_ZONE, and today's figures start by it, not by the PBX's day.",
        ZONE_FIX,
    )
