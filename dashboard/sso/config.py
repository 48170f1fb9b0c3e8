"""Company-account settings from the environment (wallboard/settings.py): each is checked at
start-up, and a bad value stops the process with a message naming its variable."""

import re
from urllib.parse import urlsplit

import ldap  # type: ignore[import-untyped]  # no stubs
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (  # type: ignore[import-untyped]  # no stubs
    GroupOfNamesType,
    LDAPGroupType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

from dashboard.sso.mapping import Grants, RoleMap, parse_grants, parse_groups
from wallboard.env import env_str, env_url

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# LDAP_GROUP_TYPE: how the directory lists a group's members, and which entries are groups.
LDAP_GROUP_TYPES: dict[str, tuple[type[LDAPGroupType], str]] = {
    "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
    "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
    "activeDirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
}
# A directory that does not answer must not hold a sign-in (and its web thread) for long; and
# Active Directory's referrals lead to servers the bind is not meant for.
LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10, ldap.OPT_REFERRALS: 0}
LOCAL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def env_groups(name: str) -> frozenset[str]:
    """`admins;it-ops`: group names separated by semicolons."""
    return parse_groups(env_str(name, ""))


def env_grants(name: str, target: re.Pattern[str]) -> Grants:
    """`sales-sups:6400,6401;support-sups:6402`: each group and what it grants."""
    return parse_grants(name, env_str(name, ""), target)


def env_issuer(name: str) -> str:
    """An https:// issuer; http:// only on this machine (a test's), where nothing can tamper."""
    value = env_url(name, "", ("https", "http"))
    if value.startswith("http:") and urlsplit(value).hostname not in LOOPBACK:
        raise ImproperlyConfigured(f"{name}={value!r}: an issuer must be https://")
    return value


def env_scopes(name: str, default: str) -> str:
    """Space-separated scopes; `openid` among them, or no ID token (and no nonce) comes back."""
    value = " ".join(env_str(name, default).split())
    if "openid" not in value.split():
        raise ImproperlyConfigured(f"{name}={value!r} must include openid")
    return value


def ldap_search(name: str, base: str, search_filter: str) -> LDAPSearch:
    """The search that finds a user's entry by the name typed, anywhere under `base`."""
    if "%(user)s" not in search_filter:
        raise ImproperlyConfigured(f"{name}={search_filter!r} must contain %(user)s")
    return LDAPSearch(base, ldap.SCOPE_SUBTREE, search_filter)


def ldap_groups(base: str, kind: str) -> tuple[LDAPSearch, LDAPGroupType]:
    """Where groups are, and how to read their members; their `cn` is what SSO_* map."""
    group_type, objects = LDAP_GROUP_TYPES[kind]
    return LDAPSearch(base, ldap.SCOPE_SUBTREE, objects), group_type()


def check_company_accounts(
    roles: RoleMap, oidc: tuple[str, str, str], ldap_uri: str, ldap_bases: list[str], local: bool
) -> None:
    """What each way of signing in needs, checked together."""
    issuer, client_id, secret = oidc
    if issuer and not (client_id and secret):
        raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too")
    if ldap_uri and not all(ldap_bases):
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set: LDAP_USER_BASE and LDAP_GROUP_BASE must be too"
        )
    if (issuer or ldap_uri) and not roles:
        raise ImproperlyConfigured(
            "Company accounts need SSO_STAFF_GROUPS, SSO_SUPERVISOR_GROUPS or SSO_VIEWER_GROUPS:"
            " without any, every company account would be refused"
        )
    if not (local or issuer or ldap_uri):
        raise ImproperlyConfigured("LOCAL_LOGIN=false needs OIDC_ISSUER or LDAP_SERVER_URI")


def sign_in_backends(local: bool, oidc: bool, ldap_on: bool) -> list[str]:
    """After the throttle: passwords kept here (superusers' only when local accounts are off),
    then the company's directory and provider."""
    backends = ["wallboard.sign_in.SignInThrottle"]
    if not local:
        backends.append("dashboard.sso.accounts.LocalAccountsOff")
    backends.append(LOCAL_BACKEND)
    if ldap_on:
        backends.append("dashboard.sso.ldap.CompanyDirectory")
    if oidc:
        backends.append("dashboard.sso.oidc.CompanySignOn")
    return backends
