"""The sign-in page offers what is set up: the company button with OpenID Connect, and no
password fields once local accounts are off (docs/operations.md, *Company accounts*)."""

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db
PASSWORD_FIELD = 'name="password"'
BUTTON = 'href="/accounts/oidc/start/?next=/boards/sales/"'


def page(path: str, language: str = "en") -> str:
    return Client(HTTP_ACCEPT_LANGUAGE=language).get(path).content.decode()


def test_without_company_accounts_the_page_is_the_password_form() -> None:
    shown = page("/accounts/login/?next=/boards/sales/")
    assert PASSWORD_FIELD in shown
    assert "company account" not in shown


def test_with_openid_connect_the_page_offers_the_company_button_in_english_and_thai(
    settings: Settings,
) -> None:
    settings.OIDC_ISSUER = "https://id.example.com"
    english = page("/accounts/login/?next=/boards/sales/")
    assert f"{BUTTON}>Sign in with your company account</a>" in english
    assert PASSWORD_FIELD in english  # local accounts still sign in
    thai = page("/accounts/login/?next=/boards/sales/", "th")
    assert f"{BUTTON}>เข้าสู่ระบบด้วยบัญชีของบริษัท</a>" in thai


def test_with_local_accounts_off_only_the_admin_log_in_keeps_its_password_fields(
    settings: Settings,
) -> None:
    settings.OIDC_ISSUER, settings.LOCAL_LOGIN = "https://id.example.com", False
    assert PASSWORD_FIELD not in page("/accounts/login/")
    assert PASSWORD_FIELD in page("/admin/login/")  # superusers' way in
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:1"
    assert PASSWORD_FIELD in page("/accounts/login/")  # directory passwords are typed there
