"""The reports page, its CSV and XLSX downloads, and an agents' day (docs/design.md#reports)."""

from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.clock import now_ms
from dashboard.live.today import business_day
from dashboard.models import DaySnapshot
from dashboard.reports import exports, pages
from dashboard.reports.agentdays import AgentRow, agent_rows, shown, sort_links, sorted_rows
from dashboard.reports.aggregate import span
from dashboard.reports.forms import AgentDayForm, ReportForm, initial_report
from dashboard.reports.kept import report_rows
from dashboard.reports.pages import Page, page_of, whole
from dashboard.reports.scope import agent_names, log_export, report_queues

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def business_today() -> date:
    day = business_day(now_ms(), settings.TIME_ZONE, settings.BUSINESS_DAY_START)[0]
    return date.fromisoformat(day)


def queues_or_404(request: HttpRequest) -> list[str]:
    """The queues whose reports this user may see; a user with none has no reports."""
    queues = report_queues(request.user)
    if not queues:
        raise Http404("No queue is shared with you.")
    return queues


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    queues = queues_or_404(request)
    asked = "date_from" in request.GET
    form = ReportForm(request.GET if asked else None, queues)
    if not asked:
        form.initial = initial_report(business_today(), queues)
    context: dict[str, Any] = {"form": form, "rows": None, "headings": exports.headings()}
    if asked and form.is_valid():
        chosen = form.cleaned_data
        page = page_of(chosen, chosen["page"] or 1, settings.TIME_ZONE, settings.BUSINESS_DAY_START)
        rows = exports.table(report_rows(chosen, page))
        context |= {"rows": rows, "zone": settings.TIME_ZONE, **_paging(request, page)}
    return render(request, "reports/report.html", context, status=400 if form.errors else 200)


def _paging(request: HttpRequest, page: Page) -> dict[str, Any]:
    """The page's place in a long report: its number, and the questions of its neighbours."""
    query = request.GET.copy()
    query.pop("page", None)
    links: dict[str, Any] = {"query": query.urlencode(), "page": page, "page_rows": pages.PAGE_ROWS}
    for name, number in (("earlier", page.number - 1), ("later", page.number + 1)):
        query["page"] = str(number)
        links[name] = query.urlencode() if 1 <= number <= page.count else None
    return links


@login_required
@require_GET
def download(request: HttpRequest, kind: str) -> HttpResponse:
    """The report as a file (`kind`: csv or xlsx), audit-logged; bad questions get the page."""
    queues = queues_or_404(request)
    form = ReportForm(request.GET, queues)
    if not form.is_valid():
        context: dict[str, Any] = {"form": form, "rows": None, "headings": [], "query": ""}
        return render(request, "reports/report.html", context, status=400)
    chosen = form.cleaned_data
    rows = report_rows(chosen, whole(chosen, settings.TIME_ZONE, settings.BUSINESS_DAY_START))
    log_export(cast(User, request.user), f"report.{kind}", chosen["queues"], _logged(chosen, kind))
    name = f"report-{chosen['date_from']}-{chosen['date_to']}-{chosen['grouping']}.{kind}"
    if kind == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_xlsx(rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _logged(chosen: dict[str, Any], kind: str) -> dict[str, str]:
    return {
        "from": chosen["date_from"].isoformat(),
        "to": chosen["date_to"].isoformat(),
        "grouping": chosen["grouping"],
        "format": kind,
    }


@login_required
@require_GET
def agent_day(request: HttpRequest) -> HttpResponse:
    """Every agent's day (today unless another is asked), sorted by the column asked."""
    queues = queues_or_404(request)
    today = business_today()
    form = AgentDayForm(request.GET if "day" in request.GET else {"day": today}, today)
    if not form.is_valid():
        context: dict[str, Any] = {"form": form, "rows": None, "columns": []}
        return render(request, "reports/agent_day.html", context, status=400)
    day, sort, desc = (form.cleaned_data[key] for key in ("day", "sort", "desc"))
    rows = sorted_rows(_agent_rows(request, queues, day, today), sort or "agent", desc)
    shown_rows = [shown(row) for row in rows]
    context = {"form": form, "rows": shown_rows, "columns": sort_links(day, sort or "agent", desc)}
    return render(request, "reports/agent_day.html", context)


def _agent_rows(request: HttpRequest, queues: list[str], day: date, today: date) -> list[AgentRow]:
    """Staff see every agent of the day; others the agents of their queues (as the live board
    lists them now)."""
    kept = DaySnapshot.objects.filter(day=day.isoformat()).first()
    if kept is None:
        return []
    names = agent_names(queues)
    end = span(day, day, settings.TIME_ZONE, settings.BUSINESS_DAY_START)[1]
    until = now_ms() if day == today else int(end.timestamp() * 1000)
    staff = getattr(request.user, "is_staff", False)
    return [row for row in agent_rows(kept.data, until, names) if staff or row.agent in names]
