"""In Chromium, in English and in Thai: a user adds an authenticator app on their own page (the QR
code drawn under the Content-Security-Policy), signs out, and signing in then asks for the code
after the password."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import totp
from tests.integration.screens import WAIT_MS
from tests.integration.stack import seeded_daphne

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "second-factor-password-1"
USERS = {"en": "ann", "th": "somchai"}
CREATE_USERS = f"""
from django.contrib.auth.models import User
for name in {sorted(USERS.values())!r}:
    User.objects.create_user(name, password="{PASSWORD}")
"""
# What each step says, in each language (locale/th/LC_MESSAGES/django.po).
SAYS = {
    "en": {
        "page": "Second factor",
        "on": "Your second factor is on since",
        "code": "Type the code your authenticator app shows",
        "boards": "Boards",
    },
    "th": {
        "page": "การยืนยันตัวตนขั้นที่สอง",
        "on": "เปิดใช้การยืนยันตัวตนขั้นที่สองแล้วตั้งแต่",
        "code": "พิมพ์รหัสที่แอปยืนยันตัวตนของคุณแสดง",
        "boards": "บอร์ด",
    },
}
BROWSER_LOCALE = {"en": "en-GB", "th": "th-TH"}


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[str]:
    """Daphne on a database of its own with the two users; no PBX is needed to sign in."""
    with seeded_daphne(tmp_path_factory.mktemp("second-factor"), redis_url, CREATE_USERS) as web:
        yield web.url


def password_step(page: Page, web_url: str, username: str) -> None:
    page.goto(f"{web_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.parametrize("language", ["en", "th"])
def test_add_an_app_then_sign_in_with_its_code(
    chromium: Browser, web_url: str, language: str
) -> None:
    says = SAYS[language]
    context = chromium.new_context(locale=BROWSER_LOCALE[language])
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    password_step(page, web_url, USERS[language])
    expect(page.locator("main h1")).to_have_text(says["boards"], timeout=WAIT_MS)

    page.goto(f"{web_url}/accounts/second-factor/")
    expect(page.locator("main h1")).to_have_text(says["page"])
    qr = page.locator("main img")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth") > 0, "no QR code drawn"
    secret = page.locator("#totp-secret").inner_text()
    page.fill("input[name=otp_token]", totp.code(secret))
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(says["on"], timeout=WAIT_MS)

    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/")
    password_step(page, web_url, USERS[language])
    page.wait_for_url("**/accounts/login/code/")
    expect(page.locator("main")).to_contain_text(says["code"])
    page.fill("input[name=otp_token]", totp.code(secret, 1))
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).to_have_text(says["boards"], timeout=WAIT_MS)
    expect(page.locator("form.logout span")).to_have_text(USERS[language])
    assert [text for text in violations if "Content Security Policy" in text] == []
    context.close()
