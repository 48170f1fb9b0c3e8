"""Password guessing is stopped: after LOGIN_FAILURE_LIMIT wrong passwords for one account or
from one address, sign-in is refused until the cool-off ends or an admin unlocks it
(docs/operations.md, *Sign-in*)."""

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from axes.models import AccessAttempt  # type: ignore[import-untyped]  # no stubs
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client

from dashboard.models import Board
from tests.forms import post_sign_in
from tests.integration.stack import Seeded, seeded_daphne

PASSWORD = "alice-password-1"  # the conftest's alice
WRONG = "not-her-password-7"
LOCKED = "Too many failed attempts to log in."
CREATE_ANN = f"""
from django.contrib.auth.models import User
User.objects.create_user("ann", password="{PASSWORD}")
"""


def outcome(status: int, page: str) -> str:
    """What the person at the form sees."""
    if status == 302:
        return "signed in"
    if status == 200 and "didn't match" in page:
        return "wrong password"
    if status == 429 and LOCKED in page:
        return "locked"
    return f"status {status}"


def sign_in(
    username: str, password: str, address: str = "192.0.2.1", path: str = "/accounts/login/"
) -> tuple[str, Client]:
    """One attempt at the sign-in form from `address`: its outcome, and the browser."""
    browser = Client(REMOTE_ADDR=address)
    response = browser.post(path, {"username": username, "password": password})
    return outcome(response.status_code, response.content.decode()), browser


def attempt(username: str, password: str, address: str = "192.0.2.1") -> str:
    return sign_in(username, password, address)[0]


def guess(times: int, username: str = "alice", address: str = "192.0.2.1") -> list[str]:
    return [attempt(username, WRONG, address) for _ in range(times)]


def sees_her_board(browser: Client) -> bool:
    """Signed in as alice: her board opens instead of sending her to the log-in page."""
    return browser.get("/boards/sales/").status_code == 200


@pytest.fixture
def limit(db: None) -> int:
    return int(settings.LOGIN_FAILURE_LIMIT)


def test_the_nth_wrong_password_locks_and_the_right_one_is_then_refused(
    alice: User, limit: int
) -> None:
    assert guess(limit) == ["wrong password"] * (limit - 1) + ["locked"]
    result, browser = sign_in("alice", PASSWORD)
    assert result == "locked"
    assert not sees_her_board(browser)
    # The account's rule: another address does not help the guesser.
    assert attempt("alice", PASSWORD, address="198.51.100.4") == "locked"


def test_the_lock_ends_after_the_cool_off(alice: User, limit: int) -> None:
    guess(limit)
    # The cool-off, passed: the failures are dated back by as long.
    cool_off = timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES, seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off)
    result, browser = sign_in("alice", PASSWORD)
    assert result == "signed in"
    assert sees_her_board(browser)


def test_another_account_from_the_same_address_is_limited_by_the_address_rule(
    alice: User, limit: int
) -> None:
    # One guess each at many accounts: no account reaches the limit, the address does.
    guesses = [attempt(f"user{n}", WRONG, address="192.0.2.66") for n in range(limit)]
    assert guesses[-1] == "locked"
    assert attempt("alice", PASSWORD, address="192.0.2.66") == "locked"
    assert attempt("alice", PASSWORD, address="192.0.2.67") == "signed in"


def test_an_admin_sees_the_lock_in_the_admin_and_unlocks_it(
    alice: User, admin: Client, limit: int
) -> None:
    guess(limit)
    listing = admin.get("/admin/axes/accessattempt/", {"q": "alice"}).content.decode()
    rows = re.findall(r'name="_selected_action" value="(\d+)"', listing)
    assert rows, "the lock is not listed in the admin"
    action = {"action": "delete_selected", "_selected_action": rows, "post": "yes"}
    assert admin.post("/admin/axes/accessattempt/", action).status_code == 302
    result, browser = sign_in("alice", PASSWORD)
    assert result == "signed in"
    assert sees_her_board(browser)


def test_the_admin_sign_in_is_throttled_too(alice: User, limit: int) -> None:
    tries = [sign_in("alice", WRONG, path="/admin/login/")[0] for _ in range(limit)]
    assert tries[-1] == "locked"


def test_the_log_names_the_lock_and_never_the_password(
    alice: User, limit: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Not even a password typed into the username field by mistake."""
    caplog.set_level(logging.INFO)
    attempt(PASSWORD, WRONG)
    guess(limit)
    lines = [record.getMessage() for record in caplog.records]
    assert any("Locking out" in line and "192.0.2.1" in line for line in lines)
    kept = [*lines, *AccessAttempt.objects.values_list("post_data", flat=True)]
    assert not [line for line in kept if WRONG in line or PASSWORD in line]


def test_the_lock_is_explained_in_thai(alice: User, limit: int) -> None:
    guess(limit)
    browser = Client(REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="th")
    response = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "พยายามเข้าสู่ระบบผิดพลาดหลายครั้งเกินไป" in response.content.decode()


def test_a_locked_address_still_pairs_tvs_by_their_own_limit(board: Board, limit: int) -> None:
    guess(limit, username="nobody", address="192.0.2.99")
    assert Client(REMOTE_ADDR="192.0.2.99").get("/tv/").status_code == 200


# Behind the TLS proxy, through a real Daphne: the address is the client's, as the proxy listed
# in TRUSTED_PROXIES wrote it, never one the client wrote itself.
@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Seeded]:
    settings = {"TRUSTED_PROXIES": "127.0.0.1", "LOGIN_FAILURE_LIMIT": "3"}
    workdir = tmp_path_factory.mktemp("throttle")
    with seeded_daphne(workdir, redis_url, CREATE_ANN, **settings) as seeded:
        yield seeded


def proxied_sign_in(served: Seeded, username: str, password: str, forwarded_for: str) -> str:
    """One sign-in through the proxy, for the client it names in X-Forwarded-For: its outcome."""
    headers = {"X-Forwarded-For": forwarded_for}
    with httpx.Client(base_url=served.url, headers=headers, timeout=10) as browser:
        response = post_sign_in(browser, username, password)
        return outcome(response.status_code, response.text)


def test_behind_the_proxy_each_client_is_limited_by_its_own_address(proxied: Seeded) -> None:
    guesser = "203.0.113.5"
    guesses = [proxied_sign_in(proxied, f"user{n}", WRONG, guesser) for n in range(3)]
    assert guesses == ["wrong password", "wrong password", "locked"]  # LOGIN_FAILURE_LIMIT=3
    assert proxied_sign_in(proxied, "ann", PASSWORD, guesser) == "locked"
    # The guesser's own X-Forwarded-For entry is not believed: still counted as itself.
    assert proxied_sign_in(proxied, "ann", PASSWORD, f"198.51.100.8, {guesser}") == "locked"
    assert proxied_sign_in(proxied, "ann", PASSWORD, "203.0.113.6") == "signed in"  # a colleague
    log = proxied.daphne.output_tail()
    assert f'ip_address: "{guesser}"' in log
    assert PASSWORD not in log
    assert WRONG not in log
