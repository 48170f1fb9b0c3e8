"""Company accounts from a real directory (Debian's slapd on loopback): people sign in with their
directory password, get the roles their groups give at every sign-in, and are refused with a
reason when no group gives one (docs/operations.md, *Company accounts*)."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from dashboard.models import Board, Supervisor
from dashboard.sso.config import ldap_groups, ldap_search, sign_in_backends
from dashboard.sso.mapping import BOARD, QUEUE, RoleMap, parse_grants, parse_groups
from tests.directory import GROUPS, PEOPLE, SERVICE, Directory, Person, running_directory

SAM = Person("sam", "sam-directory-pw-1", ("sales-sups", "sales-floor"))
ADA = Person("ada", "ada-directory-pw-1", ("wallboard-admins",))
NOBODY = Person("nobody", "nobody-directory-pw-1", ("canteen",))
LEE = Person("lee", "lee-directory-pw-1", ("wallboard-admins",))  # also a local account
ROLES = RoleMap(
    staff=parse_groups("wallboard-admins"),
    supervisor=parse_grants("SSO_SUPERVISOR_GROUPS", "sales-sups:6400,6401", QUEUE),
    viewer=parse_grants("SSO_VIEWER_GROUPS", "sales-sups:sales;sales-floor:sales", BOARD),
)
ACTOR = re.compile(r'<script id="wb-actor" type="application/json">(.*?)</script>')


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    groups = ["wallboard-admins", "sales-sups", "sales-floor", "canteen"]
    tmp = Path(tmp_path_factory.mktemp("slapd"))
    with running_directory(tmp, [SAM, ADA, NOBODY, LEE], groups) as server:
        yield server


@pytest.fixture
def company_directory(directory: Directory, settings: Settings, db: None) -> Iterator[Directory]:
    """The wallboard set up as docs/operations.md says, against this directory."""
    settings.AUTH_LDAP_SERVER_URI = directory.uri
    settings.AUTH_LDAP_BIND_DN = SERVICE
    settings.AUTH_LDAP_BIND_PASSWORD = directory.service_password
    settings.AUTH_LDAP_USER_SEARCH = ldap_search("LDAP_USER_FILTER", PEOPLE, "(uid=%(user)s)")
    settings.AUTH_LDAP_GROUP_SEARCH, settings.AUTH_LDAP_GROUP_TYPE = ldap_groups(
        GROUPS, "groupOfNames"
    )
    settings.SSO_ROLES = ROLES
    settings.AUTHENTICATION_BACKENDS = sign_in_backends(True, oidc=False, ldap_on=True)
    Board.objects.create(slug="sales", name="Sales floor", queues="6400,6401")
    yield directory
    # Groups as seeded for the next test.
    directory.set_members("sales-sups", [SAM])
    directory.set_members("sales-floor", [SAM])


def sign_in(person: Person, password: str | None = None) -> tuple[int, str, Client]:
    browser = Client(REMOTE_ADDR="192.0.2.7")
    form = {"username": person.uid, "password": password or person.password}
    response = browser.post("/accounts/login/", form)
    return response.status_code, response.content.decode(), browser


def actor_on_board(browser: Client) -> object:
    """What the sales board offers its viewer to act on: None when it shows no action."""
    page = browser.get("/boards/sales/")
    assert page.status_code == 200
    found = ACTOR.search(page.content.decode())
    return json.loads(found[1]) if found else None


def test_a_supervisor_signs_in_with_their_directory_password(company_directory: Directory) -> None:
    status, _, browser = sign_in(SAM)
    assert status == 302
    assert actor_on_board(browser) == {"extension": "", "queues": ["6400", "6401"]}
    user = User.objects.get(username="sam")
    assert (user.first_name, user.email, user.is_staff) == ("Sam", "sam@example.com", False)
    assert not user.has_usable_password()  # the directory keeps it


def test_the_staff_group_makes_an_admin(company_directory: Directory) -> None:
    status, _, browser = sign_in(ADA)
    assert status == 302
    assert browser.get("/admin/").status_code == 200
    assert actor_on_board(browser) == {"extension": "", "queues": None}  # every queue


def test_an_account_in_no_mapped_group_is_refused_with_the_reason(
    company_directory: Directory,
) -> None:
    status, page, browser = sign_in(NOBODY)
    assert status == 200
    assert "in none of the groups that give access" in page
    assert browser.get("/").status_code == 302  # not signed in
    assert not User.objects.filter(username="nobody").exists()


def test_a_wrong_directory_password_is_refused(company_directory: Directory) -> None:
    status, page, _ = sign_in(SAM, "not-sams-password")
    assert (status, "didn't match" in page) == (200, True)


def test_leaving_a_group_takes_its_role_away_at_the_next_sign_in(
    company_directory: Directory,
) -> None:
    sign_in(SAM)
    supervisor = Supervisor.objects.get(user__username="sam")
    supervisor.extension = "1100"  # an admin's, kept through the groups' changes
    supervisor.save()
    company_directory.set_members("sales-sups", [])
    status, _, browser = sign_in(SAM)
    assert status == 302
    assert actor_on_board(browser) is None  # still sees the board, acts on nothing
    assert Supervisor.objects.get(user__username="sam").extension == "1100"
    company_directory.set_members("sales-floor", [])
    status, page, _ = sign_in(SAM)
    assert (status, "in none of the groups" in page) == (200, True)
    assert not Board.objects.filter(viewers__username="sam").exists()


def test_a_local_account_of_the_same_name_is_not_taken_over(
    company_directory: Directory,
) -> None:
    User.objects.create_superuser("lee", password="lee-local-password-1")
    status, page, _ = sign_in(LEE)
    assert status == 200
    assert "cannot sign in as it" in page
    assert sign_in(LEE, "lee-local-password-1")[0] == 302  # the local password still works


def test_directory_password_guessing_locks_as_local_guessing_does(
    company_directory: Directory, settings: Settings
) -> None:
    outcomes = [sign_in(SAM, f"guess-{n}")[0] for n in range(settings.LOGIN_FAILURE_LIMIT)]
    assert outcomes[-1] == 429
    assert sign_in(SAM)[0] == 429  # the right password too, until the cool-off ends


def test_with_local_accounts_off_the_directory_and_superusers_still_sign_in(
    company_directory: Directory, settings: Settings
) -> None:
    settings.AUTHENTICATION_BACKENDS = sign_in_backends(False, oidc=False, ldap_on=True)
    User.objects.create_user("kim", password="kim-local-password-1")
    User.objects.create_superuser("root", password="root-local-password-1")
    status, page, _ = sign_in(Person("kim", "kim-local-password-1", ()))
    assert (status, "switched off" in page) == (200, True)
    assert sign_in(Person("root", "root-local-password-1", ()))[0] == 302
    assert sign_in(SAM)[0] == 302
