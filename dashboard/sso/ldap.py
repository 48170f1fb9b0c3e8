"""Sign-in with a company directory (LDAP or Active Directory) through django-auth-ldap: the
password typed is checked by a bind as the user, and the user's groups give the roles."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend  # type: ignore[import-untyped]  # no stubs

from dashboard.sso.accounts import Refused, apply_roles, refuse, take_account


class CompanyDirectory(LDAPBackend):  # type: ignore[misc]  # untyped base
    """After the throttle, so that wrong directory passwords lock as local ones do."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        try:
            user: User | None = super().authenticate(request, username, password, **kwargs)
        except Refused as refusal:
            raise refuse(request, refusal) from refusal
        if user is not None:
            groups = user.ldap_user.group_names  # type: ignore[attr-defined]  # set by the library
            apply_roles(user, settings.SSO_ROLES.roles_for(groups))
        return user

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        """Called once the directory accepted the password, before any row is written: an
        account with no role, or a local one of the same name, stops here."""
        user, _ = take_account(username, ldap_user.group_names)
        return user, user.pk is None
