"""The one field of the code step, the enrolment and the removal: a code from the app."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# django-axes stores each failed attempt's form data; settings.AXES_SENSITIVE_PARAMETERS masks
# this field there, so a code is never kept.
CODE_FIELD = "otp_token"
SIX_DIGITS = re.compile(r"\d{6}")


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        # Apps show the code as "123 456": the space is no part of it.
        code = str(self.cleaned_data[CODE_FIELD]).replace(" ", "")
        if not SIX_DIGITS.fullmatch(code):
            raise forms.ValidationError(_("Type the 6 digits your app shows."))
        return code

    @property
    def code(self) -> str:
        return str(self.cleaned_data[CODE_FIELD])
