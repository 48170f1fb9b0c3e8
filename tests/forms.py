"""Forms as a browser fills them: a page's CSRF field, and the sign-in form posted with it."""

import re

import httpx

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_field(page: str) -> str:
    """The CSRF token of the page's form (every form of a page carries the same)."""
    found: set[str] = set(CSRF_FIELD.findall(page))
    assert len(found) == 1, f"the page has {len(found)} CSRF tokens, not one"
    return found.pop()


def post_sign_in(browser: httpx.Client, username: str, password: str) -> httpx.Response:
    """Open the sign-in page, for its CSRF token, and post the form."""
    page = browser.get("/accounts/login/").text
    form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_field(page)}
    return browser.post("/accounts/login/", data=form)
