"""The Django project: settings, ASGI entry point and URL configuration."""
