"""Company-account settings: groups map to roles as docs/operations.md says, and a bad value
stops wallboard/settings.py at start-up with a message naming the variable."""

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard.sso.mapping import BOARD, QUEUE, RoleMap, Roles, parse_grants, parse_groups

SETTINGS = Path(__file__).resolve().parents[2] / "wallboard" / "settings.py"
ROLES = RoleMap(
    staff=parse_groups("wallboard-admins; it-ops"),
    supervisor=parse_grants("S", "sales-sups:6400,6401;support-sups:6402;sales-sups:6403", QUEUE),
    viewer=parse_grants("V", "sales-floor:sales;urn:corp:all-floors:sales,support", BOARD),
)
OIDC = {"OIDC_ISSUER": "https://id.example.com/realms/corp", "OIDC_CLIENT_ID": "wallboard",
        "OIDC_CLIENT_SECRET": "s3cret", "SSO_STAFF_GROUPS": "wallboard-admins"}  # fmt: skip
LDAP = {"LDAP_SERVER_URI": "ldaps://dc1.example.com", "LDAP_USER_BASE": "ou=people,dc=example",
        "LDAP_GROUP_BASE": "ou=groups,dc=example", "SSO_VIEWER_GROUPS": "floor:sales"}  # fmt: skip


def test_each_group_gives_its_roles_and_several_groups_add_up() -> None:
    roles = ROLES.roles_for(["sales-sups", "support-sups", "sales-floor", "canteen"])
    assert roles == Roles(
        staff=False,
        supervisor_queues=frozenset({"6400", "6401", "6402", "6403"}),
        viewer_boards=frozenset({"sales"}),
    )
    assert ROLES.roles_for(["it-ops"]) == Roles(staff=True)
    # A group name may hold colons: the last one starts the list.
    assert ROLES.roles_for(["urn:corp:all-floors"]).viewer_boards == {"sales", "support"}


def test_no_mapped_group_is_no_role() -> None:
    assert not ROLES.roles_for(["canteen", "Sales-Sups"])  # names match exactly
    assert not ROLES.roles_for([])


def test_the_boards_the_mapping_names_are_the_ones_it_manages() -> None:
    assert ROLES.managed_boards == {"sales", "support"}


def load_settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    """wallboard/settings.py run afresh under this environment, as a process starting."""
    monkeypatch.setenv("SECRET_KEY", "test-only-not-secret")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_without_company_accounts_only_local_passwords_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backends = load_settings(monkeypatch, {})["AUTHENTICATION_BACKENDS"]
    assert backends == [
        "wallboard.sign_in.SignInThrottle",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_company_accounts_sign_in_after_the_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_settings(monkeypatch, {**OIDC, **LDAP, "LOCAL_LOGIN": "false"})
    assert loaded["AUTHENTICATION_BACKENDS"] == [
        "wallboard.sign_in.SignInThrottle",
        "dashboard.sso.accounts.LocalAccountsOff",
        "django.contrib.auth.backends.ModelBackend",
        "dashboard.sso.ldap.CompanyDirectory",
        "dashboard.sso.oidc.CompanySignOn",
    ]
    assert loaded["SSO_ROLES"].roles_for(["wallboard-admins"]) == Roles(staff=True)
    assert loaded["AUTH_LDAP_USER_SEARCH"].base_dn == "ou=people,dc=example"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SSO_SUPERVISOR_GROUPS": "sales-sups"}, "SSO_SUPERVISOR_GROUPS: 'sales-sups' is not"),
        ({"SSO_SUPERVISOR_GROUPS": "sups:6400,64O1"}, "like 'group:6400,6401'"),
        ({"SSO_VIEWER_GROUPS": "floor:sales floor"}, "SSO_VIEWER_GROUPS: 'floor:sales floor'"),
        ({**OIDC, "OIDC_ISSUER": "http://id.example.com"}, "an issuer must be https://"),
        ({**OIDC, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({**OIDC, "OIDC_SCOPES": "profile email"}, "must include openid"),
        ({**OIDC, "SSO_STAFF_GROUPS": ""}, "every company account would be refused"),
        ({**LDAP, "LDAP_USER_BASE": ""}, "LDAP_USER_BASE and LDAP_GROUP_BASE must be"),
        ({**LDAP, "LDAP_GROUP_BASE": ""}, "LDAP_USER_BASE and LDAP_GROUP_BASE must be"),
        ({**LDAP, "LDAP_SERVER_URI": "dc1.example.com"}, "LDAP_SERVER_URI='dc1.example.com'"),
        ({**LDAP, "LDAP_USER_FILTER": "(uid=bob)"}, "must contain %\\(user\\)s"),
        ({**LDAP, "LDAP_GROUP_TYPE": "nis"}, "LDAP_GROUP_TYPE='nis' is not one of"),
        ({"LOCAL_LOGIN": "false"}, "LOCAL_LOGIN=false needs OIDC_ISSUER or LDAP_SERVER_URI"),
    ],
)
def test_a_bad_value_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, env)
