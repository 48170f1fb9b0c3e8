"""Admin for supervisors (extension, queues) and the read-only audit log of actions, as CSV too."""

import csv
import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from dashboard.models import ActionAttempt, Supervisor

CSV_COLUMNS = [
    "at",
    "username",
    "action",
    "target",
    "queues",
    "parameters",
    "result",
    "errcode",
    "message",
    "pbx_latency_ms",
]


@admin.register(Supervisor)
class SupervisorAdmin(admin.ModelAdmin[Supervisor]):
    list_display = ["user", "extension", "queues"]
    search_fields = ["user__username", "extension", "queues"]
    autocomplete_fields = ["user"]


@admin.register(ActionAttempt)
class ActionAttemptAdmin(admin.ModelAdmin[ActionAttempt]):
    """The audit log: nobody edits or deletes it here; staff read, filter and export it."""

    list_display = ["at", "username", "action", "target", "queues", "result", "pbx_latency_ms"]
    list_filter = ["action", "result", "at", "username"]
    search_fields = ["username", "target", "queues", "message"]
    date_hierarchy = "at"
    actions = ["export_csv"]
    readonly_fields = (*CSV_COLUMNS, "idempotency_key")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ActionAttempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ActionAttempt | None = None) -> bool:
        return False

    @admin.action(description="Export the selected attempts as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[ActionAttempt]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="action-audit-log.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for attempt in queryset.order_by("at"):
            writer.writerow([_cell(getattr(attempt, column)) for column in CSV_COLUMNS])
        return response


def _cell(value: object) -> str:
    """Text that starts with = + - @ is quoted, or a spreadsheet would run it as a formula."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value
    return "" if value is None else str(value)
