"""`seed_demo` run again with the same logins (as `make demo` does at each start): browsers stay
signed in, and the admin login it prints pairs a TV by the code on its screen."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from dashboard.models import Display

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]
LOGINS = ["--password=sup-Pass-1", "--admin-password=adm-Pass-2"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123", *args, stdout=out)
    return out.getvalue()


def test_seeding_again_with_the_same_logins_keeps_browsers_signed_in() -> None:
    seed(*LOGINS)
    supervisor, admin = Client(), Client()
    assert supervisor.login(username="supervisor", password="sup-Pass-1")
    assert admin.login(username="admin", password="adm-Pass-2")
    printed = seed(*LOGINS)
    assert "user supervisor, password sup-Pass-1" in printed
    assert "user admin, password adm-Pass-2" in printed
    assert supervisor.get("/boards/demo/").status_code == 200  # not a redirect to log in
    assert admin.get("/admin/").status_code == 200


def test_a_new_password_does_sign_the_old_one_out() -> None:
    seed(*LOGINS)
    supervisor = Client()
    assert supervisor.login(username="supervisor", password="sup-Pass-1")
    seed("--password=another-one", "--admin-password=adm-Pass-2")
    assert supervisor.get("/boards/demo/")["Location"].startswith("/accounts/login/")


def test_the_printed_admin_login_pairs_a_tv_by_its_code() -> None:
    printed = seed()
    found = re.search(r"user admin, password (\S+)", printed)
    pair_page = re.search(r"enter its code at http://127\.0\.0\.1:8123(\S+)", printed)
    assert found
    assert pair_page
    tv, admin = Client(), Client()
    code = re.search(r'data-code="([A-Z0-9-]+)"', tv.get("/tv/").content.decode())
    assert code, "the TV shows no pairing code"
    assert admin.login(username="admin", password=found.group(1))
    demo_tv = Display.objects.get(name="Demo TV")
    answer = admin.post(pair_page.group(1), {"code": code.group(1), "display": demo_tv.pk})
    assert answer.status_code == 302, answer.content.decode()
    assert tv.get("/tv/pairing/").json() == {"paired": True}
