"""Boards, paired TV displays and their pairing codes, supervisors, and the action audit log."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

PAIRING_CODE_LIFETIME = timedelta(minutes=15)
# A one-time link pairs whoever opens it first: it lives no longer than a code on a TV's screen.
CLAIM_LINK_LIFETIME = PAIRING_CODE_LIFETIME
LANGUAGES = [("en", "English"), ("th", "ไทย (Thai)")]


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
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=LANGUAGES,
        help_text="Language of this board's screens (blank: each browser's own preference).",
    )
    # Colour thresholds: at or beyond *warn* a figure turns amber, at *critical* red and flashing
    # (for `flash_s`, or until acknowledged); its tile's border takes the worst of its figures.
    waiting_warn = models.PositiveIntegerField(default=3, help_text="Callers waiting.")
    waiting_critical = models.PositiveIntegerField(default=6, help_text="Callers waiting.")
    longest_wait_warn_s = models.PositiveIntegerField(default=60, help_text="Seconds.")
    longest_wait_critical_s = models.PositiveIntegerField(default=120, help_text="Seconds.")
    # Service level is better when higher: warn/critical when it falls to or below these.
    service_level_warn = models.PositiveIntegerField(default=80, help_text="Percent.")
    service_level_critical = models.PositiveIntegerField(default=60, help_text="Percent.")
    # Abandoned ÷ calls that ended (short abandons apart), docs/design.md#metrics.
    abandon_rate_warn = models.PositiveIntegerField(default=5, help_text="Percent.")
    abandon_rate_critical = models.PositiveIntegerField(default=10, help_text="Percent.")
    # Fewer available agents is worse: warn/critical when fewer than these are available.
    available_warn = models.PositiveIntegerField(
        default=0, help_text="Fewer available agents than this (0: no alarm)."
    )
    available_critical = models.PositiveIntegerField(
        default=0, help_text="Fewer available agents than this (0: no alarm)."
    )
    flash_s = models.PositiveIntegerField(
        default=60,
        help_text="Seconds a figure flashes after it turns critical, unless acknowledged "
        "sooner; then it stays red (0: never flash).",
    )
    # What a supervisor last acknowledged, per queue: {"6400": {"at": ms, "alarms": {"waiting":
    # "critical"}}}. Part of the board's settings, so every screen of the board receives it.
    acknowledged_alarms = models.JSONField(default=dict, blank=True, editable=False)
    show_agents = models.BooleanField(default=True, help_text="Show the agents table.")
    show_waiting = models.BooleanField(default=True, help_text="Show the waiting callers.")
    show_calls = models.BooleanField(default=True, help_text="Show the live calls.")
    tv_trend_strip = models.BooleanField(
        default=False,
        help_text="On its TVs: a strip under each queue with today's service level and calls "
        "offered per 15 minutes.",
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
    more_boards = models.ManyToManyField(
        Board,
        blank=True,
        related_name="rotating_displays",
        help_text="Further boards this TV shows in turn after the first.",
    )
    rotation_s = models.PositiveIntegerField(
        default=30, help_text="Seconds each board stays on screen when there are several."
    )
    reload_hour = models.PositiveSmallIntegerField(
        default=4, help_text="Hour of the day (0-23, PBX time zone) at which the TV reloads itself."
    )
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    claim_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False, help_text="A revoked display sees nothing.")
    sound_alerts = models.BooleanField(
        default=False,
        help_text="Beep when a figure crosses a threshold. The TV's browser must allow sound "
        "without a click (docs/tv-setup.md: --autoplay-policy=no-user-gesture-required).",
    )

    def __str__(self) -> str:
        return self.name

    def new_claim_code(self) -> str:
        """Issue a one-time link code (valid for the pairing window) that pairs whichever browser
        opens it."""
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


class PairingRequest(models.Model):
    """A TV without a credential shows `code`; an admin who enters it picks the Display, and the
    TV (recognised by the secret in its pairing cookie, stored hashed) then gets its credential."""

    code = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    display = models.ForeignKey(Display, null=True, blank=True, on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"Pairing code {self.code}"


class Supervisor(models.Model):
    """A user who may act on the agents and calls of some queues, from their own extension."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor"
    )
    extension = models.CharField(
        max_length=32,
        blank=True,
        help_text="This supervisor's own extension number: the PBX rings it to listen in.",
    )
    queues = models.CharField(
        max_length=500,
        blank=True,
        help_text="PBX queue numbers this supervisor may act on, comma-separated.",
    )

    def __str__(self) -> str:
        return f"Supervisor {self.user}"

    @property
    def queue_numbers(self) -> list[str]:
        return [item.strip() for item in self.queues.split(",") if item.strip()]


class ActionAttempt(models.Model):
    """The audit log: every action a supervisor attempted, refused and failed ones included."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)  # kept when the user is deleted
    action = models.CharField(max_length=32, db_index=True)
    target = models.CharField(max_length=64, help_text="Agent extension or call.")
    queues = models.CharField(max_length=500, blank=True)
    parameters = models.JSONField(default=dict)
    result = models.CharField(max_length=16, db_index=True)  # pending | ok | failed | refused
    errcode = models.IntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    pbx_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_attempt_per_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.target}: {self.result}"


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


class QueueDayTotal(models.Model):
    """One queue's figures over one business day: the sum of its QueueInterval rows, written with
    them (dashboard/worker/history.py), so a report over days reads 90 rows where it would add
    up 8,640."""

    queue = models.CharField(max_length=32)
    day = models.DateField()  # the business day (TIME_ZONE, BUSINESS_DAY_START)
    start = models.DateTimeField()  # when that day began, as the settings said when summed
    intervals = models.PositiveIntegerField()  # how many were summed
    counters = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "day"], name="one_total_per_queue_day")
        ]

    def __str__(self) -> str:
        return f"Queue {self.queue} on {self.day}"
