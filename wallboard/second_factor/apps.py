"""The second factor as an app of its own (so that the admin finds its admin module), and
django-otp's TOTP plugin under the name the admin shows for it."""

from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig  # type: ignore[import-untyped]


class SecondFactorConfig(AppConfig):
    name = "wallboard.second_factor"
    label = "second_factor"


class AuthenticatorAppsConfig(DefaultConfig):  # type: ignore[misc]  # untyped base
    """django_otp.plugins.otp_totp, listed in the admin as "Second factor"."""

    verbose_name = "Second factor"
