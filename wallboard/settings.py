"""Django settings, read from the environment only (see .env.example for every variable)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext

from dashboard.sso.config import (
    LDAP_CONNECTION_OPTIONS,
    LDAP_GROUP_TYPES,
    check_company_accounts,
    env_grants,
    env_groups,
    env_issuer,
    env_scopes,
    ldap_groups,
    ldap_search,
    sign_in_backends,
)
from dashboard.sso.mapping import BOARD, QUEUE, RoleMap
from wallboard.client_address import env_networks
from wallboard.env import (
    channel_prefix,
    check_sentinel,
    database_from_url,
    env_addresses,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time,
    env_url,
)
from wallboard.redis_client import layer_host

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The PBX's zone. Its API tells its UTC offset, not the zone's name, and this process needs the
# zone before it talks to the PBX: so a setting, which `pbx_check` compares with the PBX's clock.
TIME_ZONE = env_str("TIME_ZONE", "UTC")
# The release this process serves (an image tag, say; default: a digest of static/ and
# templates/). A screen that loaded another release reloads (docs/protocol.md, *Releases*).
RELEASE = env_str("RELEASE", "")
# Today's figures start at this time of day in TIME_ZONE (the PBX's zone).
BUSINESS_DAY_START = env_time("BUSINESS_DAY_START", "00:00")
# Service level = calls answered within this many seconds ÷ (answered + abandoned after it).
SERVICE_LEVEL_SECONDS = env_int("SERVICE_LEVEL_SECONDS", 20, minimum=1, maximum=3600)
# Callers who hang up within this many seconds are short abandons, counted apart.
SHORT_ABANDON_SECONDS = env_int("SHORT_ABANDON_SECONDS", 5, minimum=0, maximum=600)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_otp",
    "wallboard.second_factor.apps.AuthenticatorAppsConfig",  # django-otp's TOTP devices
    "wallboard.second_factor",  # after them: replaces their admin
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wallboard.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session passed its second factor, then what a session without it may reach.
    "django_otp.middleware.OTPMiddleware",
    "wallboard.second_factor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wallboard.urls"
ASGI_APPLICATION = "wallboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_url("DATABASE_URL", "sqlite:///db.sqlite3", ("sqlite", "postgres", "postgresql")),
        str(BASE_DIR),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Company accounts (docs/operations.md, *Company accounts*): the groups that make an account
# staff, a supervisor of queues or a viewer of boards, for OpenID Connect and LDAP alike.
SSO_ROLES = RoleMap(
    staff=env_groups("SSO_STAFF_GROUPS"),
    supervisor=env_grants("SSO_SUPERVISOR_GROUPS", QUEUE),
    viewer=env_grants("SSO_VIEWER_GROUPS", BOARD),
)
# false: only superusers sign in with a password kept here (the way in when the company's is down).
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
OIDC_ISSUER = env_issuer("OIDC_ISSUER")  # empty: no OpenID Connect sign-in
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = env_scopes("OIDC_SCOPES", "openid profile email")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
# django-auth-ldap reads AUTH_LDAP_*: the user's entry found by a search (bound as LDAP_BIND_DN,
# or anonymously), the password checked by a bind as that entry, the groups' cn mapped above.
AUTH_LDAP_SERVER_URI = env_url("LDAP_SERVER_URI", "", ("ldap", "ldaps"))  # empty: no LDAP
AUTH_LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
AUTH_LDAP_BIND_DN = env_str("LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = env_str("LDAP_BIND_PASSWORD", "")
AUTH_LDAP_USER_SEARCH = ldap_search(
    "LDAP_USER_FILTER", env_str("LDAP_USER_BASE", ""), env_str("LDAP_USER_FILTER", "(uid=%(user)s)")
)
AUTH_LDAP_GROUP_SEARCH, AUTH_LDAP_GROUP_TYPE = ldap_groups(
    env_str("LDAP_GROUP_BASE", ""),
    env_choice("LDAP_GROUP_TYPE", "groupOfNames", tuple(LDAP_GROUP_TYPES)),
)
AUTH_LDAP_USER_ATTR_MAP = {"first_name": "givenName", "last_name": "sn", "email": "mail"}
AUTH_LDAP_CONNECTION_OPTIONS = LDAP_CONNECTION_OPTIONS
check_company_accounts(
    SSO_ROLES,
    (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET),
    AUTH_LDAP_SERVER_URI,
    [AUTH_LDAP_USER_SEARCH.base_dn, AUTH_LDAP_GROUP_SEARCH.base_dn],
    LOCAL_LOGIN,
)
# Asked in order. The throttle first: while an account or an address is locked, no backend after
# it is asked (directory passwords included); then the passwords kept here, then the company's.
AUTHENTICATION_BACKENDS = sign_in_backends(
    LOCAL_LOGIN, oidc=bool(OIDC_ISSUER), ldap_on=bool(AUTH_LDAP_SERVER_URI)
)
# Password guessing (docs/operations.md, *Sign-in*): this many wrong passwords for one account,
# or from one client address, each within the cool-off of the one before, lock that account or
# address for the cool-off; every attempt meanwhile, right or wrong, starts it again.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 24 * 60)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each a lock of its own
# REMOTE_ADDR, already the client behind TRUSTED_PROXIES: axes must not read X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "wallboard.sign_in.client_address"
AXES_LOCKOUT_CALLABLE = "wallboard.sign_in.lockout_page"
# Log lines carry the address but not what was typed as the username: people type their
# password there by mistake. (Passwords are never logged; the admin lists the username.)
AXES_SENSITIVE_PARAMETERS = ["username", "otp_token"]  # the code of the second step too
AXES_VERBOSE = False  # no banner at each start; log lines name what locks (user agent left out)
# Idle sessions end: every request renews the session's age, so it lasts this long after the
# last page load or action. An open board socket does not renew it (docs/operations.md).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 480, minimum=1, maximum=30 * 24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Second factor (docs/operations.md, *Sign-in*): a local account may add an authenticator app
# (TOTP); sign-in then asks for its code after the password. With this on, staff must add one.
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = "Wallboard"  # the name the app shows beside the account
# Wrong codes count with wrong passwords towards LOGIN_FAILURE_LIMIT (django-axes). django-otp's
# own growing delay is off: it would refuse the right code typed just after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("th", "Thai")]
# Compiled catalogues are committed, so no gettext tools are needed to run the product.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve from the app's static/ too, so the demo and tests need no collectstatic step.
WHITENOISE_USE_FINDERS = True

_LAYER_CLASSES = {"pubsub": "RedisPubSubChannelLayer", "core": "RedisChannelLayer"}
REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", ("redis", "rediss", "unix"))
# Redis Sentinel (docs/operations.md): the sentinels name the primary, and name the new one after
# a failover; REDIS_URL then gives only the database, user, password and TLS. Unset: REDIS_URL.
REDIS_SENTINELS = env_addresses("REDIS_SENTINELS")
REDIS_SENTINEL_MASTER = env_str("REDIS_SENTINEL_MASTER", "")
REDIS_SENTINEL_PASSWORD = env_str("REDIS_SENTINEL_PASSWORD", "")
check_sentinel(REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_URL)
# The cap on each Redis connection pool of a process (the live-state client and the channel
# layer's); beyond it redis-py raises instead of waiting. The busiest is a web process's
# live-state pool (dashboard/boards/livestore.py): each screen that connects or resyncs holds a
# connection while its snapshot is read, so a wall of TVs reconnecting at once (after a
# restart) holds about one per screen. The channel layer needs few: one channel per process.
REDIS_MAX_CONNECTIONS = env_int("REDIS_MAX_CONNECTIONS", 2000, minimum=10)
# Screens have no channel of their own: each web process holds one (its hub,
# dashboard/boards/fanout.py) and hands every delta to its screens in memory. "pubsub": one
# PUBLISH per group message, received once by each web process; "core": a copy per web process
# through Redis lists, at most 100 waiting. Either may lose a delta (pub/sub while Redis
# restarts, core beyond capacity): screens see the gap and resync. pubsub is the default since
# it cost about 40 % less Daphne CPU per frame when each screen still had a channel
# (docs/performance.md); the two have not been compared since.
CHANNEL_LAYER = env_choice("CHANNEL_LAYER", "pubsub", ("pubsub", "core"))
_REDIS_HOST = layer_host(
    REDIS_URL,
    REDIS_SENTINELS,
    REDIS_SENTINEL_MASTER,
    REDIS_SENTINEL_PASSWORD,
    max_connections=REDIS_MAX_CONNECTIONS,
    # channels_redis's core layer blocks 5 s waiting for a message; redis-py 8's default read
    # timeout is also 5 s, which broke a quiet web process's receive. Reads must outlast that.
    socket_timeout=30,
)
CHANNEL_LAYERS: dict[str, Any] = {
    "default": {
        "BACKEND": f"channels_redis.{CHANNEL_LAYER}.{_LAYER_CLASSES[CHANNEL_LAYER]}",
        "CONFIG": {"hosts": [_REDIS_HOST], "prefix": channel_prefix(REDIS_URL)},
    }
}

PBX_URL = env_url("PBX_URL", "", ("http", "https"))
PBX_CLIENT_ID = env_str("PBX_CLIENT_ID", "")
PBX_CLIENT_SECRET = env_str("PBX_CLIENT_SECRET", "")
PBX_VERIFY_TLS = env_bool("PBX_VERIFY_TLS", True)
PBX_CA_BUNDLE = env_str("PBX_CA_BUNDLE", "")
# The PBX closes an event socket after 60 s of silence; 30 s leaves room for one lost heartbeat.
PBX_HEARTBEAT_SECONDS = env_int("PBX_HEARTBEAT_SECONDS", 25, minimum=5, maximum=30)
# Events are fast but can be missed or misread; REST is re-read this often to correct the state.
PBX_RESYNC_SECONDS = env_int("PBX_RESYNC_SECONDS", 15, minimum=2, maximum=3600)
# How often cdr/list is read back to count calls whose pushes were lost (0: never).
PBX_CDR_RECONCILE_SECONDS = env_int("PBX_CDR_RECONCILE_SECONDS", 60, minimum=0, maximum=3600)
# Queue names and members, wrap-up times and extensions change rarely: re-read this often.
PBX_DIRECTORY_REFRESH_SECONDS = env_int(
    "PBX_DIRECTORY_REFRESH_SECONDS", 300, minimum=2, maximum=86400
)
# Supervisor actions each user may start per minute (a runaway script or tab stops here).
ACTIONS_PER_MINUTE = env_int("ACTIONS_PER_MINUTE", 20, minimum=1, maximum=1000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # PBX URLs carry the access token in the query: httpx logs request URLs at INFO and
    # websockets logs its handshake at DEBUG, so neither may log below those levels.
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "websockets": {"level": "INFO"},
    },
}

# Behind HTTPS in production; off by default so the demo works on plain http://127.0.0.1.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# Production behind a TLS-terminating proxy: trust its X-Forwarded-Proto, send plain-HTTP
# visitors to HTTPS (except the load balancer's health check) and tell browsers to stay there.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies whose X-Forwarded-For is believed (wallboard/client_address.py); empty:
# the header is ignored and the socket's peer is the client.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz\Z"]  # \Z: `$` would exempt "healthz\n" too
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (wallboard/csp.py, which adds this host's ws:/wss:
# to connect-src). Nothing is inline: scripts, styles and fonts are files from static/.
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SESSION_COOKIE_HTTPONLY = True
