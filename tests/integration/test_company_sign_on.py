"""Company sign-in with OpenID Connect, end to end: a real Daphne configured from the
environment as docs/operations.md says, a real OpenID provider on loopback (tests/oidc_issuer.py)
and a client that follows every redirect between them, as a browser does."""

import html
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.forms import csrf_field
from tests.integration.stack import Seeded, seeded_daphne
from tests.oidc_issuer import CLIENT_ID, Provider, running_issuer

pytestmark = pytest.mark.integration
SEED = 'from dashboard.models import Board; Board.objects.create(slug="sales", queues="6400")'
SAM = {"sub": "u-1001", "preferred_username": "sam", "given_name": "Sam", "groups": ["sales-sups"]}
NOBODY = {"sub": "u-1002", "preferred_username": "nobody"}  # no groups, even at userinfo
ACTOR = re.compile(r'<script id="wb-actor" type="application/json">(.*?)</script>')
START = re.compile(r'href="(/accounts/oidc/start/[^"]*)"')
NO_ROLE = "in none of the groups that give access"
FAILED = "did not complete"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_issuer() as issuer:
        yield issuer


@pytest.fixture(scope="module")
def wallboard(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, provider: Provider
) -> Iterator[Seeded]:
    settings = {
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": provider.secret,
        "SSO_STAFF_GROUPS": "wallboard-admins",
        "SSO_SUPERVISOR_GROUPS": "sales-sups:6400",
        "SSO_VIEWER_GROUPS": "sales-sups:sales",
    }
    with seeded_daphne(tmp_path_factory.mktemp("sign-on"), redis_url, SEED, **settings) as web:
        yield web


@pytest.fixture
def browser(wallboard: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=wallboard.url, follow_redirects=True, timeout=10) as client:
        yield client


def company_sign_in(browser: httpx.Client, next_url: str = "/boards/sales/") -> httpx.Response:
    """Open the sign-in page and press its company button."""
    page = browser.get("/accounts/login/", params={"next": next_url})
    (link,) = START.findall(page.text)
    return browser.get(html.unescape(link))


def test_a_supervisor_signs_in_with_the_company_provider(
    provider: Provider, browser: httpx.Client, wallboard: Seeded
) -> None:
    provider.person = SAM
    board = company_sign_in(browser)
    assert board.url.path == "/boards/sales/"
    actor = ACTOR.search(board.text)
    assert actor is not None
    assert json.loads(actor[1]) == {"extension": "", "queues": ["6400"]}
    assert browser.get("/admin/").url.path == "/admin/login/"  # not staff
    assert provider.secret not in wallboard.daphne.output_tail()


def test_an_account_without_a_group_is_refused_with_the_reason(
    provider: Provider, browser: httpx.Client
) -> None:
    provider.person = NOBODY
    page = company_sign_in(browser)
    assert (page.url.path, NO_ROLE in page.text) == ("/accounts/login/", True)
    assert browser.get("/boards/sales/").url.path == "/accounts/login/"


def test_signing_out_ends_the_session_here_and_at_the_provider(
    provider: Provider, browser: httpx.Client
) -> None:
    provider.person = SAM
    board = company_sign_in(browser)
    after = browser.post("/accounts/logout/", data={"csrfmiddlewaretoken": csrf_field(board.text)})
    assert after.url.path == "/accounts/login/"
    hint = provider.sign_outs[-1]
    assert hint["client_id"] == CLIENT_ID
    assert hint["id_token_hint"].count(".") == 2  # a JWT
    assert browser.get("/boards/sales/").url.path == "/accounts/login/"


def test_a_code_delivered_to_another_browser_signs_no_one_in(
    provider: Provider, browser: httpx.Client, wallboard: Seeded
) -> None:
    """The state ties the provider's answer to the browser that asked: a link an attacker
    makes from their own sign-in does not sign the victim in (as the attacker, or at all)."""
    provider.person = SAM
    to_provider = browser.get("/accounts/oidc/start/", follow_redirects=False)
    back = httpx.get(to_provider.headers["Location"], follow_redirects=False)
    with httpx.Client(base_url=wallboard.url, follow_redirects=True) as victim:
        page = victim.get(back.headers["Location"])
        assert (page.url.path, FAILED in page.text) == ("/accounts/login/", True)
        assert victim.get("/boards/sales/").url.path == "/accounts/login/"


@pytest.mark.parametrize("tamper", ["nonce", "key"])
def test_an_id_token_with_a_wrong_nonce_or_signature_is_refused(
    provider: Provider, browser: httpx.Client, tamper: str
) -> None:
    provider.person, provider.tamper = SAM, tamper
    try:
        page = company_sign_in(browser)
    finally:
        provider.tamper = ""
    assert (page.url.path, FAILED in page.text) == ("/accounts/login/", True)
    assert browser.get("/boards/sales/").url.path == "/accounts/login/"
