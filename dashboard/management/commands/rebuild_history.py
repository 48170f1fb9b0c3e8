"""`manage.py rebuild_history --from DAY --to DAY [--dry-run]`: the 15-minute history recounted from
the PBX's CDRs, and the intervals that differ rewritten (docs/operations.md#history)."""

import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.boards.livestore import live_redis
from dashboard.live.intervals import Change
from dashboard.live.today import Thresholds
from dashboard.management.commands.listen_pbx import pbx_settings
from dashboard.pbx.api import PbxApi
from dashboard.pbx.errors import PbxError, PbxUnreachable
from dashboard.pbx.rest import PbxRest
from dashboard.pbx.tokens import TokenManager
from dashboard.token_vault import DatabaseTokenVault
from dashboard.worker.history import KEEP_DAYS
from dashboard.worker.rebuild import Days, Outcome, rebuild

BAR_WIDTH = 30


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a day: give YYYY-MM-DD, e.g. 2026-12-01") from None


class Progress:
    """Days done, on stderr: a bar redrawn in place on a terminal, a line per day otherwise."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0

    def __call__(self, finished: date) -> None:
        self.done += 1
        if not self.stream.isatty():
            self.stream.write(f"rebuild_history: {finished} done ({self.done}/{self.total})\n")
            return
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        end = "\n" if self.done == self.total else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} days ({finished}){end}")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Recount the 15-minute history of business days from the PBX's call records (cdr/list), "
        "fill the intervals missing and correct those that differ; prints each change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="say what would change only")

    def handle(self, *args: Any, **options: Any) -> None:
        days = self._days(day(options["first"]), day(options["last"]))
        count = (days.last - days.first).days + 1
        try:
            outcome = asyncio.run(self._rebuild(days, not options["dry_run"], count))
        except PbxUnreachable as error:
            raise CommandError(f"Could not reach the PBX at {settings.PBX_URL}: {error}") from None
        except PbxError as error:
            raise CommandError(f"The PBX refused: {error}") from None
        self._report(outcome, options["dry_run"])

    def _days(self, first: date, last: date) -> Days:
        if last < first:
            raise CommandError(f"--to {last} is before --from {first}")
        if (last - first).days + 1 > KEEP_DAYS:
            raise CommandError(f"At most {KEEP_DAYS} days at a time (the history keeps as many)")
        return Days(first, last, settings.TIME_ZONE, settings.BUSINESS_DAY_START)

    async def _rebuild(self, days: Days, write: bool, count: int) -> Outcome:
        rest = PbxRest(pbx_settings())
        tokens = TokenManager(rest, live_redis(), DatabaseTokenVault())
        thresholds = Thresholds(settings.SERVICE_LEVEL_SECONDS, settings.SHORT_ABANDON_SECONDS)
        try:
            progress = Progress(sys.stderr, count)
            return await rebuild(PbxApi(rest, tokens), days, thresholds, write, progress)
        finally:
            await rest.aclose()

    def _report(self, outcome: Outcome, dry_run: bool) -> None:
        for change in outcome.changed:
            self.stdout.write(describe(change))
        for skipped, why in outcome.skipped.items():
            self.stdout.write(f"{skipped}: left alone, {why}")
        intervals = len({(change.queue, change.start_ms) for change in outcome.changed})
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"rebuild_history: {verb} {intervals} queue intervals")


def describe(change: Change) -> str:
    """`6400 2026-12-01 10:15 offered: 5 → 7`, the interval's start in TIME_ZONE."""
    start = datetime.fromtimestamp(change.start_ms / 1000, UTC).astimezone(
        ZoneInfo(settings.TIME_ZONE)
    )
    return f"{change.queue} {start:%Y-%m-%d %H:%M} {change.figure}: {change.old} → {change.new}"
