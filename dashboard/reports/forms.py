"""The reports' questions: a date range of up to 90 days, queues and grouping; an agents' day."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard.reports.agentdays import SORT_KEYS
from dashboard.reports.aggregate import GROUPINGS

MAX_DAYS = 90  # as long as the history is kept (dashboard/worker/history.py)
GROUPING_LABELS = {"15min": _("15 minutes"), "hour": _("Hour"), "day": _("Day"), "week": _("Week")}


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DateInput)
    date_to = forms.DateField(label=_("To"), widget=DateInput)
    queues = forms.MultipleChoiceField(label=_("Queues"), widget=forms.CheckboxSelectMultiple)
    grouping = forms.ChoiceField(
        label=_("Group by"), choices=[(key, GROUPING_LABELS[key]) for key in GROUPINGS]
    )
    page = forms.IntegerField(min_value=1, required=False)  # of a long report (reports/pages.py)

    def __init__(self, data: Any, queues: list[str]) -> None:
        super().__init__(data)
        self.fields["queues"].choices = [(number, number) for number in queues]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            raise forms.ValidationError(_("The end date is before the start date."))
        if first and last and (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most 90 days."))
        return cleaned


def initial_report(today: date, queues: list[str]) -> dict[str, Any]:
    """What the page asks first: the last 7 days of every queue, by day."""
    return {
        "date_from": today - timedelta(days=6),
        "date_to": today,
        "queues": queues,
        "grouping": "day",
    }


class AgentDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput)
    sort = forms.ChoiceField(choices=[(key, key) for key in SORT_KEYS], required=False)
    desc = forms.BooleanField(required=False)

    def __init__(self, data: Any, today: date) -> None:
        super().__init__(data)
        self.today = today

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day > self.today or (self.today - day).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a day of the last 90 days."))
        return day
