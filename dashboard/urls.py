"""HTTP routes of the dashboard app."""

from django.urls import path

from dashboard.boards import alarms, intraday, snapshot_api, tv_views, views
from dashboard.reports import views as reports

urlpatterns = [
    path("", views.home, name="home"),
    path("boards/<slug:slug>/", views.board, name="board"),
    path("boards/<slug:slug>/intraday/", intraday.intraday_page, name="intraday"),
    path("api/boards/<slug:slug>/intraday/", intraday.intraday_api, name="board_intraday"),
    path("api/boards/<slug:slug>/trend-strip/", intraday.trend_strip_api, name="trend_strip"),
    path("api/boards/<slug:slug>/snapshot/", snapshot_api.board_snapshot, name="board_snapshot"),
    path(
        "api/boards/<slug:slug>/alarms/acknowledge/",
        alarms.acknowledge,
        name="acknowledge_alarms",
    ),
    path("reports/", reports.report, name="report"),
    path("reports/report.csv", reports.download, {"kind": "csv"}, name="report_csv"),
    path("reports/report.xlsx", reports.download, {"kind": "xlsx"}, name="report_xlsx"),
    path("reports/agents/", reports.agent_day, name="agent_day"),
    path("tv/", tv_views.tv, name="tv"),
    path("tv/pairing/", tv_views.tv_pairing, name="tv_pairing"),
    path("tv/claim/", tv_views.tv_claim, name="tv_claim"),
    path("healthz", views.healthz, name="healthz"),
]
