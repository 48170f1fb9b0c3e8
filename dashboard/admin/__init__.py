"""Admin for boards and TV displays: pairing by code or one-time link, status, revocation."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from dashboard.admin import actions  # noqa: F401 (registers Supervisor, ActionAttempt)
from dashboard.admin.forms import BoardForm, PairTvForm
from dashboard.boards.displays import (
    clear_revoked,
    display_status,
    forget_credential,
    mark_revoked,
    revoke,
)
from dashboard.boards.pairing import pair
from dashboard.models import Board, Display


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin[Board]):
    form = BoardForm
    list_display = ["name", "slug", "queues", "language"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["viewers"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "queues"]}),
        (
            "Thresholds",
            {
                "description": "Amber at the warning level, red at the critical one, where the "
                "figure flashes for a while (until a supervisor acknowledges it on the console).",
                "fields": [
                    ("waiting_warn", "waiting_critical"),
                    ("longest_wait_warn_s", "longest_wait_critical_s"),
                    ("service_level_warn", "service_level_critical"),
                    ("abandon_rate_warn", "abandon_rate_critical"),
                    ("available_warn", "available_critical"),
                    "flash_s",
                ],
            },
        ),
        (
            "Sections shown",
            {"fields": ["show_agents", "show_waiting", "show_calls", "tv_trend_strip"]},
        ),
        ("Language", {"fields": ["language"]}),
        ("Who may view", {"fields": ["viewers"]}),
    ]


@admin.register(Display)
class DisplayAdmin(admin.ModelAdmin[Display]):
    list_display = ["name", "board", "status", "last_seen_at", "revoked"]
    list_filter = ["revoked", "board"]
    filter_horizontal = ["more_boards"]
    readonly_fields = ["last_seen_at"]
    actions = ["issue_pairing_links", "revoke_displays"]

    @admin.display(description="Status")
    def status(self, display: Display) -> str:
        """Online: connected within two minutes; stale: seen before; never: not yet."""
        return display_status(display.last_seen_at, timezone.now())

    @admin.action(description="Issue a one-time pairing link (valid 15 minutes)")
    def issue_pairing_links(self, request: HttpRequest, queryset: QuerySet[Display]) -> None:
        """Shown once, here: only the link's hash is stored."""
        page = request.build_absolute_uri(reverse("tv_claim"))
        for display in queryset.filter(revoked=False):
            link = f"{page}#{display.new_claim_code()}"  # the fragment: never in a request line
            messages.success(request, f"{display.name}: open {link} on the TV.")

    @admin.action(description="Revoke: the TV stops showing boards within seconds")
    def revoke_displays(self, request: HttpRequest, queryset: QuerySet[Display]) -> None:
        count = revoke(queryset)
        messages.success(request, f"Revoked {count} display(s); their screens close now.")

    def save_model(self, request: HttpRequest, obj: Display, form: Any, change: bool) -> None:
        toggled = "revoked" in form.changed_data
        if toggled:  # revoked or un-revoked, the credential it held stays dead
            forget_credential(obj)
        super().save_model(request, obj, form, change)
        if obj.revoked:
            mark_revoked([obj.pk])
        elif toggled:
            clear_revoked([obj.pk])
            messages.warning(
                request, f"{obj.name} needs a new pairing: its old credential no longer works."
            )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Display]) -> None:
        mark_revoked(list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    def delete_model(self, request: HttpRequest, obj: Display) -> None:
        mark_revoked([obj.pk])
        super().delete_model(request, obj)

    def get_urls(self) -> list[URLPattern]:
        pair_tv = self.admin_site.admin_view(self.pair_tv)
        return [path("pair/", pair_tv, name="dashboard_display_pair"), *super().get_urls()]

    def pair_tv(self, request: HttpRequest) -> HttpResponse:
        """The admin half of pairing: the code a TV shows at /tv/, and the display it becomes."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = PairTvForm(request.POST or None)
        if form.is_valid():
            code, display = form.cleaned_data["code"], form.cleaned_data["display"]
            if pair(code, display):
                self.log_change(request, display, f"Paired the TV showing code {code}.")
                messages.success(request, f"The TV showing {code} becomes “{display}” now.")
                return redirect("admin:dashboard_display_changelist")
            form.add_error("code", "No TV shows this code now (codes last 15 minutes).")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Pair a TV",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pair_tv.html", context)
