"""`manage.py pbx_check`: check the connection to the PBX and say how to fix what is wrong."""

import argparse
import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.admin.health import run_pbx_checks
from dashboard.pbx.checks import DEFAULT_EVENT_WAIT_S
from dashboard.pbx.checks_base import failed, json_report, text_report


def seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError("give 0 to 600 seconds")
    return value


class Command(BaseCommand):
    help = (
        "Check the PBX connection (settings, network and TLS, credentials, firmware, queues, "
        "events) and print the fix for each problem. Exit status 1 when a check failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print machine-readable results")
        parser.add_argument(
            "--event-wait",
            type=seconds,
            default=DEFAULT_EVENT_WAIT_S,
            metavar="SECONDS",
            help=f"how long to wait for a PBX event (default {DEFAULT_EVENT_WAIT_S:.0f})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = asyncio.run(run_pbx_checks(options["event_wait"]))
        self.stdout.write(json_report(results) if options["json"] else text_report(results))
        if failed(results):
            raise CommandError("a PBX check failed; see the fixes above", returncode=1)
