"""Boards (which queues a screen shows, and who may see it) and paired TV displays."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

CLAIM_LINK_LIFETIME = timedelta(hours=24)


def validate_queue_numbers(value: str) -> None:
    """Queue numbers are the PBX's dial numbers (digits), comma-separated."""
    numbers = [item.strip() for item in value.split(",")]
    if not value.strip() or not all(number.isdigit() for number in numbers):
        raise ValidationError("List queue numbers separated by commas, e.g. 6400,6401.")


def hash_secret(secret: str) -> str:
    """Display credentials are random 256-bit strings, so a plain SHA-256 is enough to store."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Board(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    queues = models.CharField(
        max_length=500,
        validators=[validate_queue_numbers],
        help_text="PBX queue numbers shown on this board, comma-separated (e.g. 6400,6401).",
    )
    viewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, help_text="Users who may see this board."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def queue_numbers(self) -> list[str]:
        return [item.strip() for item in self.queues.split(",") if item.strip()]


class Display(models.Model):
    """A wall TV: it holds a random credential in an HttpOnly cookie; we keep only its hash."""

    name = models.CharField(max_length=100)
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="displays")
    token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    claim_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False, help_text="A revoked display sees nothing.")

    def __str__(self) -> str:
        return self.name

    def new_claim_code(self) -> str:
        """Issue a one-time link code (valid for a day) that pairs whichever browser opens it."""
        code = secrets.token_urlsafe(24)
        self.claim_hash = hash_secret(code)
        self.claim_expires_at = timezone.now() + CLAIM_LINK_LIFETIME
        self.save(update_fields=["claim_hash", "claim_expires_at"])
        return code

    def claim(self) -> str:
        """Use up the claim code; return a new device credential (the old one stops working)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_secret(token)
        self.claim_hash = ""
        self.claim_expires_at = None
        self.save(update_fields=["token_hash", "claim_hash", "claim_expires_at"])
        return token


class PbxToken(models.Model):
    """The installation's one PBX token (a single row), so restarts and Redis restarts reuse it
    instead of logging in again toward the PBX's cap of 8 live tokens. Never shown in admin."""

    access_token = models.CharField(max_length=200)
    access_expires_at = models.FloatField()
    refresh_token = models.CharField(max_length=200)
    refresh_expires_at = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"PBX token (renewed {self.updated_at:%Y-%m-%d %H:%M})"


class DaySnapshot(models.Model):
    """Today's figures as the worker last kept them, for when Redis lost its copy."""

    day = models.CharField(max_length=10, unique=True)
    data = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Figures of {self.day}"


class QueueInterval(models.Model):
    """One queue's figures over one 15-minute interval (kept 90 days, for intraday charts)."""

    queue = models.CharField(max_length=32)
    start = models.DateTimeField()
    counters = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "start"], name="one_row_per_queue_interval")
        ]
        ordering = ["start", "queue"]

    def __str__(self) -> str:
        return f"Queue {self.queue} from {self.start:%Y-%m-%d %H:%M}"
