"""Routes of the action API (JSON in and out)."""

from django.urls import path

from dashboard.actions import views

urlpatterns = [
    path("api/pause-reasons/", views.pause_reasons, name="pause_reasons"),
    path("api/actions/", views.actions, name="actions"),
    path("api/actions/<int:attempt_id>/", views.action_status, name="action_status"),
    path("api/monitors/", views.monitors, name="monitors"),
]
