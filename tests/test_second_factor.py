"""An optional second factor for local accounts (docs/operations.md, *Sign-in*): a user adds an
authenticator app on a page of their own, and sign-in then asks for its code after the password;
with REQUIRE_2FA_FOR_STAFF, staff must add one before anything else."""

import logging
import re
import time
from base64 import b32decode

import pytest
from axes.models import AccessAttempt  # type: ignore[import-untyped]  # no stubs
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from tests import totp

PASSWORD = {"alice": "alice-password-1", "charlie": "charlie-password-1"}  # the conftest's
PAGE = "/accounts/second-factor/"
CODE_STEP = "/accounts/login/code/"
WRONG = "That code is wrong or was used already"
LOCKED = "Too many failed attempts to log in."
# A single-sign-on provider's backend, as far as the second factor can tell: not the passwords.
PROVIDER = "django.contrib.auth.backends.RemoteUserBackend"
with_provider = override_settings(
    AUTHENTICATION_BACKENDS=[*settings.AUTHENTICATION_BACKENDS, PROVIDER]
)
staff_must_enrol = override_settings(REQUIRE_2FA_FOR_STAFF=True)


def browser(language: str = "en") -> Client:
    return Client(REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE=language)


def password_step(client: Client, username: str, path: str = "/accounts/login/") -> str:
    """The right password: where the browser is sent next."""
    response = client.post(path, {"username": username, "password": PASSWORD[username]})
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def signed_in(username: str) -> Client:
    client = browser()
    assert password_step(client, username) == "/"
    return client


def enrol(client: Client) -> str:
    """Adds an app on the user's page, confirmed with its code of now: the app's secret."""
    secret = totp.shown_secret(client.get(PAGE).content.decode())
    assert client.post(PAGE, {"otp_token": totp.code(secret)})["Location"] == PAGE
    return secret


def code_step(client: Client, code: str) -> tuple[int, str]:
    response = client.post(CODE_STEP, {"otp_token": code})
    return response.status_code, response.content.decode()


def sees_her_board(client: Client) -> bool:
    return client.get("/boards/sales/").status_code == 200


def reaches_the_admin(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def secret(alice: User) -> str:
    """Alice has added an app. Its code of now confirmed it: the codes one, two, three steps
    ahead are the next ones her app shows, each usable once."""
    return enrol(signed_in("alice"))


def test_the_app_is_added_only_once_a_code_of_it_matches(alice: User) -> None:
    client = signed_in("alice")
    page = client.get(PAGE).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code
    secret = totp.shown_secret(page)
    assert f"otpauth://totp/Wallboard%3Aalice?secret={secret.replace(' ', '')}" in page
    refused = client.post(PAGE, {"otp_token": totp.wrong_code(secret)})
    assert WRONG in refused.content.decode()
    assert password_step(browser(), "alice") == "/", "a wrong first code added the app"
    # The same secret until a code confirms it: an app that scanned it still works.
    assert totp.shown_secret(client.get(PAGE).content.decode()) == secret
    assert enrol(client) == secret
    assert "Your second factor is on" in client.get(PAGE).content.decode()


def test_sign_in_then_asks_for_the_code_and_cannot_skip_it(secret: str) -> None:
    client = browser()
    assert password_step(client, "alice") == CODE_STEP
    assert "Type the code your authenticator app shows" in client.get(CODE_STEP).content.decode()
    assert not sees_her_board(client), "the password alone signed her in"
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
    assert code_step(client, totp.code(secret, 1))[0] == 302
    assert sees_her_board(client)


def test_after_the_code_the_page_asked_for_opens(secret: str) -> None:
    client = browser()
    form = {"username": "alice", "password": PASSWORD["alice"], "next": "/boards/sales/"}
    client.post("/accounts/login/", form)
    response = client.post(CODE_STEP, {"otp_token": totp.code(secret, 1)})
    assert response["Location"] == "/boards/sales/"


def test_the_code_step_closes_five_minutes_after_the_password(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = browser()
    password_step(client, "alice")
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(CODE_STEP)["Location"] == "/accounts/login/"


def test_a_wrong_code_is_refused(secret: str) -> None:
    client = browser()
    password_step(client, "alice")
    status, page = code_step(client, totp.wrong_code(secret))
    assert (status, WRONG in page) == (200, True)
    assert not sees_her_board(client)
    assert code_step(client, totp.code(secret, 1))[0] == 302  # a typo costs one try, no wait
    assert sees_her_board(client)


def test_a_used_code_is_refused(secret: str) -> None:
    first, second = browser(), browser()
    password_step(first, "alice")
    code = totp.code(secret, 1)
    assert code_step(first, code)[0] == 302
    password_step(second, "alice")
    assert WRONG in code_step(second, code)[1]
    assert WRONG in code_step(second, totp.code(secret))[1]  # the one that confirmed the app
    assert not sees_her_board(second)


def test_wrong_codes_lock_like_wrong_passwords(secret: str) -> None:
    client = browser()
    password_step(client, "alice")
    limit = settings.LOGIN_FAILURE_LIMIT
    tries = [code_step(client, totp.wrong_code(secret)) for _ in range(limit)]
    assert [status for status, _ in tries] == [200] * (limit - 1) + [429]
    assert LOCKED in tries[-1][1]
    # Locked: the right code does not help, nor does starting again with the password.
    assert code_step(client, totp.code(secret, 1))[0] == 429
    form = {"username": "alice", "password": PASSWORD["alice"]}
    assert browser().post("/accounts/login/", form).status_code == 429


def test_neither_code_nor_secret_is_logged_or_kept(
    secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = browser()
    password_step(client, "alice")
    wrong, right = totp.wrong_code(secret), totp.code(secret, 1)
    code_step(client, wrong)
    assert code_step(client, right)[0] == 302
    kept = [record.getMessage() for record in caplog.records]
    kept += AccessAttempt.objects.values_list("post_data", flat=True)
    plain = secret.replace(" ", "")
    assert [line for line in kept if wrong in line or right in line or plain in line] == []
    assert kept, "nothing was logged or kept: the check above checked nothing"


def test_the_code_step_speaks_thai(secret: str) -> None:
    client = browser("th")
    password_step(client, "alice")
    assert "รหัส" in client.get(CODE_STEP).content.decode()
    page = code_step(client, totp.wrong_code(secret))[1]
    assert WRONG not in page
    assert "รหัสนี้ไม่ถูกต้อง" in page


def test_removing_the_app_needs_a_code(secret: str) -> None:
    client = browser()
    password_step(client, "alice")
    code_step(client, totp.code(secret, 1))
    refused = client.post(f"{PAGE}remove/", {"otp_token": totp.wrong_code(secret)})
    assert WRONG in refused.content.decode()
    assert password_step(browser(), "alice") == CODE_STEP  # still on
    assert client.post(f"{PAGE}remove/", {"otp_token": totp.code(secret, 2)})["Location"] == PAGE
    assert password_step(browser(), "alice") == "/"
    assert totp.shown_secret(client.get(PAGE).content.decode()) != secret  # a new one to add


def test_an_admin_resets_a_users_app(secret: str, admin: Client) -> None:
    listing = admin.get("/admin/otp_totp/totpdevice/", {"q": "alice"}).content.decode()
    rows = re.findall(r'name="_selected_action" value="(\d+)"', listing)
    assert len(rows) == 1
    shown = admin.get(f"/admin/otp_totp/totpdevice/{rows[0]}/change/").content.decode()
    assert "alice" in shown
    assert secret.replace(" ", "") not in shown
    assert b32decode(secret.replace(" ", "")).hex() not in shown
    action = {"action": "delete_selected", "_selected_action": rows, "post": "yes"}
    assert admin.post("/admin/otp_totp/totpdevice/", action).status_code == 302
    assert password_step(browser(), "alice") == "/"


def test_a_session_signed_in_before_the_app_was_added_is_signed_out(alice: User) -> None:
    earlier = signed_in("alice")
    enrol(signed_in("alice"))
    assert earlier.get("/boards/sales/")["Location"].startswith("/accounts/login/")
    assert not sees_her_board(earlier)


@with_provider
def test_a_provider_session_is_not_asked_for_a_code(secret: str, alice: User) -> None:
    client = browser()
    client.force_login(alice, backend=PROVIDER)
    assert sees_her_board(client)
    page = client.get(PAGE).content.decode()
    assert "You signed in with your company account" in page
    assert 'id="totp-secret"' not in page


def test_by_default_staff_reach_the_admin_with_the_password_alone(charlie: User) -> None:
    assert reaches_the_admin(signed_in("charlie"))


def test_the_admin_log_in_asks_for_the_code_too(charlie: User) -> None:
    secret = enrol(signed_in("charlie"))
    client = browser()
    assert password_step(client, "charlie", path="/admin/login/") == CODE_STEP
    assert not reaches_the_admin(client)
    assert client.post(CODE_STEP, {"otp_token": totp.code(secret, 1)})["Location"] == "/admin/"
    assert reaches_the_admin(client)


@staff_must_enrol
def test_staff_must_add_an_app_before_anything_else(charlie: User) -> None:
    client = signed_in("charlie")
    for path in ("/", "/admin/", "/admin/dashboard/board/"):
        assert client.get(path)["Location"] == PAGE, path
    assert "Staff accounts must have a second factor" in client.get(PAGE).content.decode()
    enrol(client)
    assert reaches_the_admin(client)


@staff_must_enrol
def test_staff_whose_app_an_admin_removed_must_add_one_again(charlie: User) -> None:
    """The session's code was of an app that is gone (django-otp drops its id): it no longer
    counts, though the session was signed in with it."""
    client = signed_in("charlie")
    enrol(client)
    assert reaches_the_admin(client)
    TOTPDevice.objects.filter(user=charlie).delete()
    assert client.get("/admin/")["Location"] == PAGE


@staff_must_enrol
def test_a_supervisor_need_not_add_one(alice: User) -> None:
    assert sees_her_board(signed_in("alice"))


@staff_must_enrol
@with_provider
def test_staff_signed_in_by_their_provider_need_not_add_one(charlie: User) -> None:
    client = browser()
    client.force_login(charlie, backend=PROVIDER)
    assert reaches_the_admin(client)


def test_every_page_leads_a_local_account_to_its_second_factor(alice: User) -> None:
    page = signed_in("alice").get("/boards/sales/").content.decode()
    assert f'href="{PAGE}"' in page
