"""What the sign-in page offers: the company's provider, and the password fields unless
accounts of this wallboard's own are switched off (docs/operations.md, *Company accounts*)."""

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

register = template.Library()


@register.simple_tag
def sign_in_options(request: HttpRequest) -> dict[str, bool]:
    """Passwords stay on the admin's log-in page: superusers' way in while the company's server
    is down. A directory's accounts type theirs on the same form."""
    passwords = settings.LOCAL_LOGIN or bool(settings.AUTH_LDAP_SERVER_URI)
    return {
        "company": bool(settings.OIDC_ISSUER),
        "passwords": passwords or request.path != reverse("login"),
    }
