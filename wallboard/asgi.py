"""ASGI entry point: Django for HTTP, the board consumer for WebSockets (from this site's own
origins only), both seeing the client's address behind trusted proxies."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallboard.settings")
# Django must be set up before anything that imports models (the routing below).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from dashboard.routing import websocket_urlpatterns  # noqa: E402
from wallboard import daphne_guard  # noqa: E402
from wallboard.client_address import ClientAddressMiddleware  # noqa: E402
from wallboard.origins import ExactOriginValidator  # noqa: E402
from wallboard.socket_auth import socket_auth  # noqa: E402

# Outermost, so that every per-address limit (pages and sockets) sees the client behind the
# trusted proxies, never an address the client wrote itself (docs/operations.md).
application = ClientAddressMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": ExactOriginValidator(socket_auth(URLRouter(websocket_urlpatterns))),
        }
    ),
    settings.TRUSTED_PROXIES,
)
# Under Daphne (the product's server), a socket flooding faster than it is read is cut off.
daphne_guard.install()
# What start-up made (Django, the app, their modules) lives as long as the process: frozen, the
# garbage collector stops scanning it again and again while deltas are sent (about 9 % of
# Daphne's CPU at 100 events/s and 200 screens, docs/performance.md).
gc.freeze()
