"""The code step of sign-in and a user's own second-factor page."""

from django.urls import path

from wallboard.second_factor import account, two_step

urlpatterns = [
    path("accounts/login/code/", two_step.code_step, name="login_code"),
    path("accounts/second-factor/", account.second_factor, name="second_factor"),
    path("accounts/second-factor/remove/", account.remove, name="second_factor_remove"),
]
