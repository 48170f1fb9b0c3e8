"""The admin's list of second factors. Resetting one is deleting it: its user then signs in with
the password alone, and may add an app again. The secret is never shown here."""

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

# django-otp's own admin for the model shows and edits the secret: replaced by this one.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class SecondFactorAdmin(admin.ModelAdmin[TOTPDevice]):
    list_display = ["user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    fields = readonly_fields = ("user", "name", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A secret is made on its user's own page, never by an admin."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: TOTPDevice | None = None) -> bool:
        return False
