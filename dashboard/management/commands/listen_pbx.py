"""`manage.py listen_pbx`: run the PBX worker until SIGINT/SIGTERM."""

import asyncio
import signal
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.boards.livestore import live_redis
from dashboard.live.today import Thresholds
from dashboard.pbx.api import PbxApi
from dashboard.pbx.rest import PbxRest, PbxSettings
from dashboard.pbx.tokens import TokenManager
from dashboard.pbx_config import configured_pbx
from dashboard.token_vault import DatabaseTokenVault
from dashboard.worker.supervise import DaySettings, WorkerProcess
from dashboard.worker.timing import Timing


class Command(BaseCommand):
    help = (
        "Subscribe to the PBX's events and keep the boards' live state (the only PBX subscriber)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pbx = pbx_settings()
        self.stdout.write(f"listen_pbx: PBX {pbx.url}, Redis {redis_described()}")
        asyncio.run(run_until_signalled(pbx))
        self.stdout.write("listen_pbx: stopped")


def pbx_settings() -> PbxSettings:
    missing = [
        name
        for name in ("PBX_URL", "PBX_CLIENT_ID", "PBX_CLIENT_SECRET")
        if not getattr(settings, name)
    ]
    if missing:
        raise CommandError(
            f"Set {', '.join(missing)} (the PBX's address and its API Client ID/Secret from "
            "Integrations > API); see .env.example."
        )
    return configured_pbx()


def redacted(url: str) -> str:
    """Hide a password in a URL before printing it."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{'***@' if at and credentials else ''}{host}"


def redis_described() -> str:
    """REDIS_URL, or the Sentinel master it stands for, a password hidden."""
    url = redacted(settings.REDIS_URL)
    if not settings.REDIS_SENTINELS:
        return url
    sentinels = ",".join(f"{host}:{port}" for host, port in settings.REDIS_SENTINELS)
    return f"Sentinel master {settings.REDIS_SENTINEL_MASTER} of {sentinels} ({url})"


async def run_until_signalled(pbx: PbxSettings) -> None:
    rest = PbxRest(pbx)
    tokens = TokenManager(rest, live_redis(), DatabaseTokenVault())
    process = WorkerProcess(
        PbxApi(rest, tokens),
        live_redis(),
        get_channel_layer(),
        Timing(
            settings.PBX_HEARTBEAT_SECONDS,
            settings.PBX_RESYNC_SECONDS,
            settings.PBX_DIRECTORY_REFRESH_SECONDS,
            settings.PBX_CDR_RECONCILE_SECONDS,
        ),
        DaySettings(
            settings.TIME_ZONE,
            settings.BUSINESS_DAY_START,
            Thresholds(settings.SERVICE_LEVEL_SECONDS, settings.SHORT_ABANDON_SECONDS),
        ),
    )
    task = asyncio.create_task(process.run())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        await process.shutdown()
    finally:
        await rest.aclose()
