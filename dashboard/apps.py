"""App configuration for the dashboard."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Wallboard"

    def ready(self) -> None:
        # Sign-outs and lost access reach open board sockets within seconds.
        from dashboard.boards.access_markers import connect_signals

        connect_signals()
