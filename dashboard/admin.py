"""Admin for boards and TV displays (with one-time pairing links)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from dashboard.models import Board, Display


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin[Board]):
    list_display = ["name", "slug", "queues"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["viewers"]


@admin.register(Display)
class DisplayAdmin(admin.ModelAdmin[Display]):
    list_display = ["name", "board", "revoked"]
    list_filter = ["revoked", "board"]
    actions = ["issue_pairing_links"]

    @admin.action(description="Issue a one-time pairing link (valid 24 h)")
    def issue_pairing_links(self, request: HttpRequest, queryset: QuerySet[Display]) -> None:
        """Shown once, here: only the link's hash is stored."""
        for display in queryset.filter(revoked=False):
            path = reverse("tv_claim", args=[display.new_claim_code()])
            link = request.build_absolute_uri(path)
            messages.success(request, f"{display.name}: open {link} on the TV.")
