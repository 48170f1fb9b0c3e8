"""HTTP routes of the dashboard app."""

from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("boards/<slug:slug>/", views.board, name="board"),
    path("tv/", views.tv, name="tv"),
    path("tv/claim/<str:code>/", views.tv_claim, name="tv_claim"),
    path("healthz", views.healthz, name="healthz"),
]
