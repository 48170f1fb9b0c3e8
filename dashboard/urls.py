"""HTTP routes of the dashboard app."""

from django.urls import path

from dashboard.boards import alarms, snapshot_api, tv_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("boards/<slug:slug>/", views.board, name="board"),
    path("api/boards/<slug:slug>/snapshot/", snapshot_api.board_snapshot, name="board_snapshot"),
    path(
        "api/boards/<slug:slug>/alarms/acknowledge/",
        alarms.acknowledge,
        name="acknowledge_alarms",
    ),
    path("tv/", tv_views.tv, name="tv"),
    path("tv/pairing/", tv_views.tv_pairing, name="tv_pairing"),
    path("tv/claim/", tv_views.tv_claim, name="tv_claim"),
    path("healthz", views.healthz, name="healthz"),
]
