"""URL configuration: admin, login/logout and the dashboard app."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from dashboard.admin import health as health_views
from dashboard.sso import oidc
from wallboard.second_factor.two_step import PasswordStep, admin_login

urlpatterns = [
    # Before admin/, whose catch-all would answer this path with a 404.
    path("admin/pbx-health/", health_views.pbx_health, name="pbx_health"),
    # The admin's log-in, with the code step after the password (wallboard/second_factor/).
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    # Throttled by django-axes (wallboard/sign_in.py): a locked sign-in gets the lockout page.
    # A local account with a second factor goes on to the code step (wallboard/second_factor/).
    path(
        "accounts/login/",
        PasswordStep.as_view(extra_context={"idle_minutes": settings.SESSION_IDLE_MINUTES}),
        name="login",
    ),
    path("", include("wallboard.second_factor.urls")),
    # Signs out at the OpenID provider too after a company sign-in (dashboard/sso/oidc.py).
    path("accounts/logout/", oidc.SignOut.as_view(), name="logout"),
    path("accounts/oidc/start/", oidc.start, name="oidc_start"),
    path("accounts/oidc/callback/", oidc.callback, name="oidc_callback"),
    path("", include("dashboard.actions.urls")),
    path("", include("dashboard.urls")),
]
# The JavaScript catalogue's URL names its language (/th/jsi18n/): a board's own language then
# wins over the browser's preference for the strings its scripts show too.
urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
)
