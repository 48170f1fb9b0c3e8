"""Admin for boards and TV displays."""

from django.contrib import admin

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
