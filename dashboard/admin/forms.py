"""Admin forms: a board's thresholds in a sensible order, and pairing a TV by its code."""

from collections.abc import Mapping
from typing import Any

from django import forms

from dashboard.boards.pairing import normalise_code
from dashboard.models import Board, Display

# (warn field, critical field, True when a higher value is worse)
THRESHOLD_PAIRS = [
    ("waiting_warn", "waiting_critical", True),
    ("longest_wait_warn_s", "longest_wait_critical_s", True),
    ("service_level_warn", "service_level_critical", False),
    ("abandon_rate_warn", "abandon_rate_critical", True),
    ("available_warn", "available_critical", False),
]
PERCENTAGES = [
    "service_level_warn", "service_level_critical", "abandon_rate_warn", "abandon_rate_critical",
]  # fmt: skip
# Available agents: a critical level of 0 is no alarm, whatever the warning level.
OFF_WHEN_ZERO = {"available_critical"}


def threshold_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Field → complaint, for critical levels not beyond their warning levels and percentages
    over 100. Fields missing (already invalid) are left to their own errors."""
    errors: dict[str, str] = {}
    for warn, critical, higher_is_worse in THRESHOLD_PAIRS:
        low, high = values.get(warn), values.get(critical)
        if low is None or high is None or (critical in OFF_WHEN_ZERO and high == 0):
            continue
        if higher_is_worse and high <= low:
            errors[critical] = "Critical must be above the warning level."
        if not higher_is_worse and high >= low:
            errors[critical] = "Critical must be below the warning level (lower is worse)."
    for field in PERCENTAGES:
        if (values.get(field) or 0) > 100:
            errors[field] = "A percentage: 100 at most."
    return errors


class BoardForm(forms.ModelForm[Board]):
    class Meta:
        model = Board
        fields = [
            "name", "slug", "queues", "viewers", "language",
            "waiting_warn", "waiting_critical", "longest_wait_warn_s", "longest_wait_critical_s",
            "service_level_warn", "service_level_critical", "abandon_rate_warn",
            "abandon_rate_critical", "available_warn", "available_critical", "flash_s",
            "show_agents", "show_waiting", "show_calls", "tv_trend_strip",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, error in threshold_errors(cleaned).items():
            self.add_error(field, error)
        return cleaned


class PairTvForm(forms.Form):
    code = forms.CharField(
        max_length=16,
        label="Code shown on the TV",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    display = forms.ModelChoiceField(
        queryset=Display.objects.filter(revoked=False).select_related("board"),
        help_text="The TV shows this display's boards; a TV paired before as this display stops.",
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Codes have six letters and digits, e.g. K7Q-4MX.")
        return code
