"""URL configuration: admin, login/logout and the dashboard app."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from dashboard.admin import health as health_views

urlpatterns = [
    # Before admin/, whose catch-all would answer this path with a 404.
    path("admin/pbx-health/", health_views.pbx_health, name="pbx_health"),
    path("admin/", admin.site.urls),
    # Throttled by django-axes (wallboard/sign_in.py): a locked sign-in gets the lockout page.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(extra_context={"idle_minutes": settings.SESSION_IDLE_MINUTES}),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dashboard.actions.urls")),
    path("", include("dashboard.urls")),
]
# The JavaScript catalogue's URL names its language (/th/jsi18n/): a board's own language then
# wins over the browser's preference for the strings its scripts show too.
urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
)
