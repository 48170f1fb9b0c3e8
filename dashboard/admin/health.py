"""The staff-only admin page "PBX health": the `pbx_check` checklist, and the PBX's warnings."""

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dashboard.admin.pbx_warnings import recent_warnings
from dashboard.pbx.checks import CHECKS, DEFAULT_EVENT_WAIT_S, run_checks
from dashboard.pbx.checks_base import CheckResult, failed
from dashboard.pbx.tokens import TokenManager
from dashboard.pbx_config import configured_pbx
from dashboard.token_vault import DatabaseTokenVault
from wallboard.redis_client import own_async_client


async def run_pbx_checks(event_wait_s: float) -> list[CheckResult]:
    """The checks against the configured PBX, with the installation's one shared token."""
    # A client of our own, closed at the end: the command's event loop ends with the checks.
    async with own_async_client(decode_responses=True) as redis:
        # Blanks included: the first check reports what is missing.
        return await run_checks(
            configured_pbx(),
            lambda rest: TokenManager(rest, redis, DatabaseTokenVault()),
            event_wait_s,
            settings.TIME_ZONE,
        )


@staff_member_required
@require_http_methods(["GET", "POST"])
def pbx_health(request: HttpRequest) -> HttpResponse:
    """GET lists the checks; POST (the button) runs them, which takes up to half a minute.
    Either way the PBX's recent warnings follow."""
    results = (
        async_to_sync(run_pbx_checks)(DEFAULT_EVENT_WAIT_S) if request.method == "POST" else []
    )
    context = {
        **admin.site.each_context(request),
        "title": "PBX health",
        "checks": CHECKS,
        "results": results,
        "failed": failed(results),
        "event_wait_s": DEFAULT_EVENT_WAIT_S,
        "pbx_warnings": recent_warnings(),
    }
    return render(request, "admin/pbx_health.html", context)
