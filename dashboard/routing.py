"""WebSocket routes of the dashboard app."""

from django.urls import path

from dashboard.boards.consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/board/<slug:slug>/", BoardConsumer.as_asgi()),
]
